"""The application factory: configuration, extensions, blueprints, CLI, error pages, plugins."""

from __future__ import annotations

import logging

from flask import Flask

from config import Config


def create_app(config: object | None = None) -> Flask:
    """Application factory: configuration, extensions, blueprints, CLI and error pages."""
    app = Flask(__name__, instance_relative_config=False)
    from lms import cache

    cache.clear_all()  # a new app may mean a new database (tests): forget what another read
    from lms.routing import IdConverter

    app.url_map.converters["int"] = IdConverter  # ids too large for the database: 404
    app.config.from_object(config if config is not None else Config())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for warning in app.config.get("STARTUP_WARNINGS") or ():
        logging.getLogger("pelita").warning("%s", warning)  # e.g. a setting that was renamed
    if app.config.get("PROXY_FIX_X_FOR"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from lms.auth import passwords

    passwords.configure(time_cost=int(app.config.get("PASSWORD_ARGON2_TIME_COST", 2)),
                        memory_kib=int(app.config.get("PASSWORD_ARGON2_MEMORY_KIB", 19 * 1024)),
                        parallelism=int(app.config.get("PASSWORD_ARGON2_PARALLELISM", 1)))

    from lms.extensions import (
        babel,
        compress,
        csrf,
        db,
        init_sqlite,
        limiter,
        migrate,
        select_locale,
    )

    if str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        # A pre-ping finds a server connection that died (PostgreSQL restarted: config.py);
        # a SQLite file has no server, and the ping would be one more statement per request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "pool_pre_ping": False}
    db.init_app(app)
    init_sqlite(app)  # WAL and a busy timeout for a SQLite file; nothing otherwise
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    compress.init_app(app)  # its after_request runs last: it sees every header set before
    _init_login(app)

    from lms import models  # noqa: F401  (register every model with SQLAlchemy)
    from lms.admin.views import bp as admin_bp
    from lms.auth.views import bp as auth_bp
    from lms.cascade.views import bp as cascade_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.cohorts.views import bp as cohorts_bp
    from lms.courses.views import bp as courses_bp
    from lms.learning import services as _learning  # noqa: F401  (connects its writer hooks)
    from lms.main.views import bp as main_bp
    from lms.offline.views import bp as offline_bp
    from lms.paths.views import bp as paths_bp
    from lms.quizzes.views import bp as quizzes_bp
    from lms.reports.views import bp as reports_bp
    from lms.verify.views import bp as verify_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(paths_bp)
    app.register_blueprint(quizzes_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(cascade_bp)
    app.register_blueprint(offline_bp)
    from lms.api.views import bp as api_bp

    app.register_blueprint(api_bp)
    from lms.authoring.views import bp as authoring_bp

    app.register_blueprint(authoring_bp)
    from lms.authoring.history_views import bp as authoring_history_bp

    app.register_blueprint(authoring_history_bp)
    from lms.authoring.quiz_views import bp as authoring_quizzes_bp

    app.register_blueprint(authoring_quizzes_bp)
    from lms.authoring.editor_views import bp as authoring_editor_bp

    app.register_blueprint(authoring_editor_bp)

    from lms.quizzes.setup import init_question_types

    init_question_types(app)

    from lms.cli import register_cli
    from lms.errors import register_error_handlers
    from lms.security import init_security_headers
    from lms.templating import init_templating

    register_error_handlers(app)
    init_security_headers(app)
    init_templating(app)
    register_cli(app)

    from lms.plugin_loader import load_plugins

    load_plugins(app)  # last: a plugin sees the finished app; a broken one never stops it
    return app


def _init_login(app: Flask) -> None:
    from lms.auth import services
    from lms.extensions import login_manager
    from lms.i18n import lazy_gettext as _l

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(identity: str):
        # A live server-side login (lms/auth/sessions.py explains the design).
        return services.user_for_identity(identity)
