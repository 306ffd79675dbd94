"""Campaign organizer for 287(g) rescission campaigns."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from campaign.config import DEFAULT_INSTANCE_PATH, PROJECT_ROOT, load_config


def create_app(test_config: dict | None = None, instance_path: Path | None = None) -> Flask:
    instance = Path(instance_path or DEFAULT_INSTANCE_PATH)
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(instance))
    if test_config:
        app.config.update(test_config)
    from campaign.core.guard import CatchBaseExceptions
    from campaign.core.routing import refuse_nul, register_converters

    app.wsgi_app = CatchBaseExceptions(app, app.wsgi_app)  # a panic in native code never ends the worker
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from campaign.core.assets import serve_static

    serve_static(app)  # static files never reach Flask

    register_converters(app)
    _init_extensions(app)
    from campaign.core.security import refuse_cross_site_requests

    app.before_request(refuse_cross_site_requests)
    app.before_request(refuse_nul)
    _register_blueprints(app)
    _register_template_helpers(app)

    from campaign.core.handlers import register_error_handlers
    from campaign.core.i18n import remember_language
    from campaign.core.security import add_security_headers

    register_error_handlers(app)
    from campaign.core.caching import add_cache_headers

    app.after_request(add_cache_headers)
    app.after_request(add_security_headers)
    app.after_request(remember_language)
    return app


MODEL_MODULES = (
    "campaign.geo.models",
    "campaign.people.models",
    "campaign.accounts.models",
    "campaign.outbox.models",
    "campaign.jobs.models",
    "campaign.officials.models",
    "campaign.agreements.models",
    "campaign.campaigns.models",
    "campaign.petitions.models",
    "campaign.packets.models",
    "campaign.forums.models",
    "campaign.meetings.models",
    "campaign.pledges.models",
    "campaign.supporters.models",
    "campaign.broadcasts.models",
)
# Modules that answer signals of the areas above them (a lower area never imports a higher
# one): imported in every process, web, CLI and worker alike.
SIGNAL_RECEIVERS = ("campaign.broadcasts.followups", "campaign.accounts.audit")


def _init_extensions(app: Flask) -> None:
    import importlib

    for module in MODEL_MODULES + SIGNAL_RECEIVERS:  # every table known to Alembic and to create_all
        importlib.import_module(module)

    import campaign.core.database  # noqa: F401  (SQLite pragmas)
    from campaign.core.i18n import select_locale
    from campaign.extensions import babel, cache, csrf, db, limiter, login_manager, mail, migrate
    from campaign.jobs import runners

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    mail.init_app(app)  # Flask-Mail's Message reads its settings (sender, attachment encoding)
    csrf.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_ROOT / "campaign" / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    runners.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from campaign.accountability.views import bp as accountability_bp
    from campaign.accounts.cli import register_cli as register_accounts_cli
    from campaign.accounts.views import bp as accounts_bp
    from campaign.agreements.cli import agreements_cli
    from campaign.agreements.views_organize import bp as agreements_organize_bp
    from campaign.broadcasts.views import bp as broadcasts_bp
    from campaign.broadcasts.views_organize import bp as broadcasts_organize_bp
    from campaign.campaigns.views import bp as campaigns_bp
    from campaign.campaigns.views_documents import bp as campaign_documents_bp
    from campaign.campaigns.views_organize import bp as campaigns_organize_bp
    from campaign.campaigns.views_rights import bp as campaign_rights_bp
    from campaign.cli import register_cli
    from campaign.dashboard.views import bp as dashboard_bp
    from campaign.forums.views import bp as forums_bp
    from campaign.forums.views_organize import bp as forums_organize_bp
    from campaign.jobs.cli import jobs_cli
    from campaign.meetings.views import bp as meetings_bp
    from campaign.meetings.views_organize import bp as meetings_organize_bp
    from campaign.meetings.views_signups import bp as meeting_signups_bp
    from campaign.officials.views_organize import bp as officials_organize_bp
    from campaign.outbox.cli import mail_cli, outbox_cli
    from campaign.packets.cli import packets_cli
    from campaign.packets.views import bp as packets_bp
    from campaign.petitions.cli import petitions_cli
    from campaign.petitions.views import bp as petitions_bp
    from campaign.petitions.views_organize import bp as petitions_organize_bp
    from campaign.pledges.views import bp as pledges_bp
    from campaign.pledges.views_organize import bp as pledges_organize_bp
    from campaign.supporters.cli import privacy_cli, signatures_cli
    from campaign.supporters.views import bp as supporters_bp
    from campaign.supporters.views_privacy import bp as privacy_bp

    blueprints = (
        campaigns_bp,
        campaigns_organize_bp,
        campaign_documents_bp,
        campaign_rights_bp,
        petitions_bp,
        petitions_organize_bp,
        packets_bp,
        forums_bp,
        forums_organize_bp,
        meetings_bp,
        meetings_organize_bp,
        meeting_signups_bp,
        pledges_bp,
        pledges_organize_bp,
        accountability_bp,
        officials_organize_bp,
        agreements_organize_bp,
        accounts_bp,
        dashboard_bp,
        privacy_bp,
        supporters_bp,
        broadcasts_bp,
        broadcasts_organize_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(petitions_cli)
    app.cli.add_command(agreements_cli)
    app.cli.add_command(packets_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(signatures_cli)
    register_accounts_cli(app)
    register_cli(app)


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from campaign.core.i18n import LANGUAGE_NAMES, current_language, localized, url_in_language
    from campaign.core.markdown import render_markdown
    from campaign.geo.services import get_county

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals.update(
        county_label=lambda fips: get_county(fips).label if fips else None,
        localized=localized,
        url_in_language=url_in_language,
        current_language=current_language,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        current_user=current_user,
    )
