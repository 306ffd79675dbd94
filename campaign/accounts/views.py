"""Login, logout and password reset for organizers."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from campaign.accounts import audit, services
from campaign.accounts.forms import AuditExportForm, AuditFilterForm, LoginForm, ResetPasswordForm, ResetRequestForm
from campaign.accounts.models import Role, User
from campaign.core.errors import attach_to_form
from campaign.core.forms import submit
from campaign.core.i18n import current_language
from campaign.core.pagination import page_number
from campaign.core.permissions import role_required
from campaign.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)

# Flashed when an organizer page sends a visitor to log in: in the visitor's language
# (str() of the lazy string at request time), not Flask-Login's built-in English.
login_manager.login_message = _l("Log in to open this page.")
login_manager.localize_callback = str


@login_manager.user_loader
def load_user(session_key: str) -> User | None:
    """The user of a live server-side session (from the session or the remember cookie): one
    that was logged out, ended everywhere, outlived by a new password or switched off is gone."""
    return services.session_user(session_key)


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site; None for another host, a scheme-relative
    //host, a backslash (/\\host, which browsers read as //host) or control characters."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    return target


def login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])  # per address, across emails: slows spraying
def login():
    destination = safe_next(request.args.get("next")) or url_for("dashboard.home")
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(destination)
    form = LoginForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                user = services.authenticate(form.email.data, form.password.data, ip=request.remote_addr)
            except services.LoginRefused as refusal:
                db.session.commit()  # the failure count, the lock and the audit event are kept
                attach_to_form(form, refusal)
                status = refusal.status_code
            else:
                services.start_session(user)
                db.session.commit()
                session.clear()  # a fresh session on login: no fixation, nothing carried over
                login_user(user, remember=form.remember.data)
                return redirect(destination)
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        services.end_session(current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("campaigns.index"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    """End every session of this account: other browsers, a lost phone, a copied cookie."""
    services.log_out_everywhere(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out on every device."), "success")
    return redirect(url_for(".login"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    sent, status = submit(form, lambda: services.request_password_reset(form.email.data, current_language()) or True)
    # The same answer whether or not an account has this email.
    return render_template("accounts/reset_request.html", form=form, sent=bool(sent)), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)  # a dead link gets its message before any form
    except services.InvalidResetLink as error:
        return render_template("accounts/reset_password.html", form=None, invalid=error.message), 400
    form = ResetPasswordForm()
    user, status = submit(form, lambda: services.reset_password(token, form.password.data))
    if user is not None:
        flash(_("Your password is changed. Log in with the new one."), "success")
        return redirect(url_for(".login"))
    return render_template("accounts/reset_password.html", form=form, invalid=None), status


# --- the audit log (admins) -------------------------------------------------------------------


def _audit_filter() -> tuple[AuditFilterForm, audit.AuditFilter | None]:
    """The filter form read from the query string, and the filter it gives; None when a value
    is refused (its message shows beside its field)."""
    form = AuditFilterForm(request.args)
    form.user.choices = [("", _("Anyone"))] + [(str(user.id), audit.user_label(user)) for user in audit.all_users()]
    form.action.choices = [("", _("Any action"))] + [
        (action, audit.action_label(action)) for action in audit.present_actions()
    ]
    if not form.validate():
        return form, None
    wanted = audit.AuditFilter(
        user_id=int(form.user.data) if form.user.data else None,  # one of the choices: digits
        action=form.action.data or None,
        since=form.since.data,
        until=form.until.data,
    )
    return form, wanted


def _audit_page(form: AuditFilterForm, wanted: audit.AuditFilter | None, export: AuditExportForm, status: int = 200):
    return render_template(
        "accounts/audit.html",
        form=form,
        wanted=wanted,
        export=export,
        page=audit.event_page(wanted, page_number()) if wanted is not None else None,
        action_label=audit.action_label,
    ), status if wanted is not None else 422


@bp.get("/organize/audit")
@role_required(Role.ADMIN)
def audit_log():
    form, wanted = _audit_filter()
    return _audit_page(form, wanted, AuditExportForm(formdata=None))


@bp.post("/organize/audit/export")
@role_required(Role.ADMIN)
def audit_export():
    """The filtered log as CSV. Taking it is itself logged, committed before the file streams."""
    form, wanted = _audit_filter()
    export_form = AuditExportForm()
    if wanted is None:
        return _audit_page(form, wanted, export_form)
    export, status = submit(export_form, lambda: audit.record_export(current_user._get_current_object(), wanted))
    if export is None:
        return _audit_page(form, wanted, export_form, status)
    return Response(
        stream_with_context(audit.export_csv(export)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{audit.export_filename()}"'},
    )
