"""Every Flask extension object, created unbound and initialised in create_app()."""

import logging

from flask import has_request_context, request, session
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from lms.security import reads_are_not_rate_limited

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable across databases and migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# GET pages skip the limiter (the pages' limits are on posts; the API is limited on every call).
limiter.request_filter(reads_are_not_rate_limited)

_fallback_hits = None  # an in-memory limiter for direct hits while the shared storage is down
_storage_down = False


def limit_hit(item, *identifiers: str) -> bool:
    """Count one hit against `item` in the limiter's storage; True while under the limit.

    For code that counts by hand (lms/verify). When the storage (Redis) cannot be reached the hit
    is counted in this process's memory instead, like the limiter's own in-memory fallback, and
    the outage is logged once, not once per request."""
    global _fallback_hits, _storage_down
    try:
        allowed = limiter.limiter.hit(item, *identifiers)
    except Exception as err:  # redis.ConnectionError and friends: the storage is unreachable
        from limits.storage import MemoryStorage
        from limits.strategies import FixedWindowRateLimiter

        if not _storage_down:
            logging.getLogger("pelita").warning(
                "Rate limit storage unreachable (%s): counting in memory until it is back", err)
            _storage_down = True
        if _fallback_hits is None:
            _fallback_hits = FixedWindowRateLimiter(MemoryStorage())
        return _fallback_hits.hit(item, *identifiers)
    _storage_down = False  # the storage answered (or the limiter already counts in memory)
    return allowed

COOKIE_LANG = "pelita_lang"


def init_sqlite(app) -> None:
    """A SQLite file database: WAL (readers never wait for a writer) and a busy timeout (a writer
    waits SQLITE_BUSY_TIMEOUT_MS for another before "database is locked", which then gets the
    503 page of lms/errors.py). Nothing for PostgreSQL or an in-memory database."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") or (
            url.query.get("mode") == "memory"):
        return
    timeout_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000))

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {timeout_ms:d}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


def select_locale() -> str:
    """The user's saved language, else the remembered switch, else Bahasa Indonesia."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):  # the JSON API: the request's Accept-Language only
        return (request.accept_languages.best_match(languages)
                or current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    choice = session.get("lang") or request.cookies.get(COOKIE_LANG)
    if choice in languages:
        return choice
    return current_app.config["BABEL_DEFAULT_LOCALE"]
