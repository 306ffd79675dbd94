"""Login, logout and password reset for organizers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from campaign.accounts import services
from campaign.accounts.forms import LoginForm, ResetPasswordForm, ResetRequestForm
from campaign.accounts.models import User
from campaign.core.forms import submit
from campaign.core.i18n import current_language
from campaign.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, never a scheme-relative //host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    user, status = submit(form, lambda: services.authenticate(form.email.data, form.password.data))
    if status in (401, 429):
        db.session.commit()  # the failed attempt and any lock must be kept
    if user is not None:
        session.clear()  # a fresh session on login: no fixation
        login_user(user, remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        services.record_event(current_user._get_current_object(), "logout")
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("campaigns.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    done, status = submit(
        form, lambda: services.request_password_reset(form.email.data, current_language()) or True
    )
    if done:
        flash(_("If an account uses this email, a link to choose a new password is on its way."), "success")
        return redirect(url_for(".login"))
    return render_template("accounts/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    services.user_for_reset_token(token)  # a dead link gets its message before any form
    form = ResetPasswordForm()
    user, status = submit(form, lambda: services.reset_password(token, form.password.data))
    if user is not None:
        flash(_("Your password is changed. Log in with the new one."), "success")
        return redirect(url_for(".login"))
    return render_template("accounts/reset_password.html", form=form), status
