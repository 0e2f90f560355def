"""Configuration read from the environment (12-factor), with a test configuration."""

import ipaddress
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("PELITA_INSTANCE_DIR", BASE_DIR / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def is_production() -> bool:
    """True when the deployment says so through PELITA_ENV or FLASK_ENV."""
    env = (os.environ.get("PELITA_ENV") or os.environ.get("FLASK_ENV") or "").lower()
    return env == "production"


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration cannot work."""


def _secret_key(production: bool) -> str:
    """SECRET_KEY from the environment; in development, generate one into instance/ and keep it."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError(
            "SECRET_KEY is not set. In production Pelita refuses to start without one: "
            "set SECRET_KEY to a long random value (e.g. `python -c 'import secrets; "
            "print(secrets.token_hex(32))'`)."
        )
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


# Used only in development when PELITA_BASE_URL is unset (`make run` sets it from HOST and PORT).
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"

# The certificate's signatory as shipped: placeholders an admin must replace (their home page
# warns while any is still in use).
CERT_PLACEHOLDERS = {
    "CERT_SIGNATORY_NAME": "Koordinator Master Trainer",
    "CERT_SIGNATORY_ROLE": "Master Trainer TPBIS",
    "CERT_PLACE": "Jakarta",
}


def _base_url(production: bool) -> tuple[str, bool]:
    """PELITA_BASE_URL, the public address printed in QR codes, credentials and emailed links,
    and whether it is the development default. Production refuses to start without it."""
    value = (os.environ.get("PELITA_BASE_URL") or "").strip().rstrip("/")
    if not value:
        if production:
            raise ConfigError(
                "PELITA_BASE_URL is not set. In production Pelita refuses to start without it: "
                "certificates (QR codes, printed addresses), credentials and emailed links would "
                "point to the wrong place. Set it to the address people use, e.g. "
                "PELITA_BASE_URL=https://pelita.example.id")
        return DEVELOPMENT_BASE_URL, True
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"PELITA_BASE_URL must be a full address such as "
                          f"https://pelita.example.id, not {value!r}")
    return value, False


def looks_like_development(url: str) -> bool:
    """True for addresses only the server itself can open: localhost, 127.0.0.1, ::1, 0.0.0.0."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


class Config:
    """Settings for development and production; every value can come from the environment."""

    PRODUCTION = False
    # PostgreSQL: a connection the server dropped (restart, failover) is replaced before use
    # instead of failing the request; off for SQLite (no server: lms/app.py).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # A SQLite file database: how long a write waits for another before "database is locked"
    # (then the 503 page); the file is also switched to WAL (lms/extensions.py, init_sqlite).
    SQLITE_BUSY_TIMEOUT_MS = 5000

    # Internationalisation: Bahasa Indonesia first.
    LANGUAGES = ("id", "en")
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 14  # two weeks
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 8  # one working day

    # Static files are served with a content hash in the URL (see templating.asset).
    SEND_FILE_MAX_AGE_DEFAULT = 60 * 60 * 24 * 365
    # Flask-Compress: brotli where the browser takes it, else gzip; pages, CSS, JS, JSON, SVG.
    # (Why compressing pages with CSRF tokens is safe here: docs/security.md, "Compression".)
    COMPRESS_ALGORITHM = ["br", "gzip"]
    # Level 1 for both: on an 18 KB module page brotli 1 costs about a fifth of brotli 4 (the
    # default) for 15 % more bytes (7.0 KB instead of 6.1 KB), gzip 1 a quarter of gzip 6 for
    # 12 % more; on a 2-core server that CPU is a page in four (docs/performance.md).
    COMPRESS_BR_LEVEL = 1
    COMPRESS_LEVEL = 1
    COMPRESS_STREAMS = False  # see lms/security.py: static files are buffered, streams left alone
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                          "application/json", "application/manifest+json", "image/svg+xml",
                          "text/plain", "text/csv"]

    # The largest request accepted: a quiz page with evidence-upload questions (3 files of at most
    # QUIZ_UPLOAD_MAX_BYTES = 5 MB each) plus text answers. Larger requests get the 413 page.
    # A reverse proxy in front needs the same limit (nginx: client_max_body_size 32m).
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024

    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session: slow connections need time
    PASSWORD_RESET_MAX_AGE = 60 * 60  # one hour
    # Shared library computers: a session without "remember me" ends after this much inactivity.
    IDLE_TIMEOUT_MINUTES = 30
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_MAX_LENGTH = 128  # more is refused (and would slow the strength check down)
    # Argon2id cost of new password hashes: OWASP's minimum (19 MiB, 2 passes, 1 lane), a few
    # tens of ms of one core per login (bench/login.py). Hashes made with other values are
    # replaced at the user's next login. Each can be set in the environment (same name).
    PASSWORD_ARGON2_TIME_COST = 2
    PASSWORD_ARGON2_MEMORY_KIB = 19 * 1024
    PASSWORD_ARGON2_PARALLELISM = 1

    # Rate limits (Flask-Limiter): memory by default, Redis when REDIS_URL is set. Each can be
    # set in the environment (same name). A library lab of 40 shares one address, so the
    # per-address limits are generous and logins count failed attempts only; the per-account
    # limits (keyed by the normalised email, known or not) slow down guessing one account.
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down must not stop logins: the limiter counts in this process's memory until Redis
    # answers again (logged once per outage by Flask-Limiter, "flask-limiter" logger), and an
    # error from the storage never turns a request into a 500 (docs/operations.md).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    LOGIN_RATE_LIMIT = "60 per minute;600 per hour"  # failed logins per address
    LOGIN_ACCOUNT_RATE_LIMIT = "5 per minute;20 per hour"  # failed logins per email address
    REGISTER_RATE_LIMIT = "40 per minute;400 per hour"  # registration attempts per address
    RESET_RATE_LIMIT = "10 per minute;60 per hour"  # reset requests per address
    RESET_ACCOUNT_RATE_LIMIT = "3 per hour"  # reset requests per email address
    # The JSON API (/api/v1): requests per token (per address without one). docs/api.md.
    API_RATE_LIMIT = "120 per minute;3000 per hour"

    # Course packs.
    COURSE_DIRS = [str(BASE_DIR / "courses")]
    # Learning paths (`paths/<slug>.toml`), imported after the courses they list.
    PATH_DIRS = [str(BASE_DIR / "paths")]

    def __init__(self) -> None:
        self.PRODUCTION = is_production()
        self.SECRET_KEY = _secret_key(self.PRODUCTION)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'pelita.sqlite3'}"
        )
        for name in ("LOGIN_RATE_LIMIT", "LOGIN_ACCOUNT_RATE_LIMIT", "REGISTER_RATE_LIMIT",
                     "RESET_RATE_LIMIT", "RESET_ACCOUNT_RATE_LIMIT", "API_RATE_LIMIT"):
            if os.environ.get(name):
                setattr(self, name, os.environ[name])
        for name in ("PASSWORD_ARGON2_TIME_COST", "PASSWORD_ARGON2_MEMORY_KIB",
                     "PASSWORD_ARGON2_PARALLELISM"):
            if os.environ.get(name):
                setattr(self, name, int(os.environ[name]))
        self.REDIS_URL = os.environ.get("REDIS_URL")
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.SESSION_COOKIE_SECURE = self.PRODUCTION or _bool("SESSION_COOKIE_SECURE")
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        if self.PRODUCTION:
            self.PREFERRED_URL_SCHEME = "https"
        # The public address printed in certificates (QR code) and credentials, and used in
        # emailed links; required in production (shown on /admin/site).
        self.BASE_URL, self.BASE_URL_IS_DEFAULT = _base_url(self.PRODUCTION)
        if os.environ.get("PELITA_COURSE_DIRS"):
            self.COURSE_DIRS = os.environ["PELITA_COURSE_DIRS"].split(os.pathsep)
        if os.environ.get("PELITA_PATH_DIRS"):
            self.PATH_DIRS = os.environ["PELITA_PATH_DIRS"].split(os.pathsep)

        # Mail: "log" writes messages to the application log (development), "smtp" sends them.
        self.MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp" if self.PRODUCTION else "log")
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Pelita <noreply@localhost>")

        # Certificates: who issues them and how they are signed.
        self.CERT_ISSUER_NAME = os.environ.get(
            "CERT_ISSUER_NAME", "Program Transformasi Perpustakaan Berbasis Inklusi Sosial")
        self.CERT_PLACE = os.environ.get("CERT_PLACE", CERT_PLACEHOLDERS["CERT_PLACE"])
        self.CERT_SIGNATORY_NAME = os.environ.get(
            "CERT_SIGNATORY_NAME", CERT_PLACEHOLDERS["CERT_SIGNATORY_NAME"])
        self.CERT_SIGNATORY_ROLE = os.environ.get(
            "CERT_SIGNATORY_ROLE", CERT_PLACEHOLDERS["CERT_SIGNATORY_ROLE"])
        # Four eyes: a certificate issued by hand waits for an administrator's approval.
        self.CERT_MANUAL_ISSUE_APPROVAL = _bool("CERT_MANUAL_ISSUE_APPROVAL", False)
        self.CERT_LOGO_PATH = os.environ.get("CERT_LOGO_PATH")  # SVG/PNG; a neutral default ships
        self.CREDENTIAL_KEY_PATH = os.environ.get(
            "CREDENTIAL_KEY_PATH", str(INSTANCE_DIR / "credential_ed25519.pem"))
        self.VERIFY_MISS_LIMIT = os.environ.get("VERIFY_MISS_LIMIT", "20/minute")

        # Quizzes: how long after a time limit the last save is still accepted.
        self.QUIZ_GRACE_SECONDS = int(os.environ.get("QUIZ_GRACE_SECONDS", "60"))
        # How long the quiz page waits for a background save before it retries it.
        self.QUIZ_SAVE_TIMEOUT_SECONDS = int(os.environ.get("QUIZ_SAVE_TIMEOUT_SECONDS", "20"))

        # Uploads kept between a preview and its confirmation (course zips, cohort CSVs). With
        # several app instances this must be a shared folder.
        self.AUTHORING_UPLOAD_DIR = os.environ.get("PELITA_UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))

        # Background worker (`flask lms worker`): a running job's heartbeat is stamped every
        # JOB_HEARTBEAT_SECONDS; one silent for JOB_HEARTBEAT_TIMEOUT_SECONDS lost its worker
        # (killed, machine lost) and is taken back (docs/operations.md).
        self.JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "15"))
        # JOB_STUCK_SECONDS (before heartbeats: how long a job could run) is replaced by
        # JOB_HEARTBEAT_TIMEOUT_SECONDS. A deployment that still sets it is warned at start and,
        # without the new setting, its value is the timeout: jobs are never taken back sooner
        # than that deployment expects.
        self.JOB_HEARTBEAT_TIMEOUT_SECONDS = int(os.environ.get("JOB_HEARTBEAT_TIMEOUT_SECONDS", "60"))
        self.STARTUP_WARNINGS = []  # logged once by create_app (lms/app.py)
        stuck = os.environ.get("JOB_STUCK_SECONDS")
        if stuck:
            if os.environ.get("JOB_HEARTBEAT_TIMEOUT_SECONDS"):
                used = "JOB_HEARTBEAT_TIMEOUT_SECONDS is set and used"
            else:
                self.JOB_HEARTBEAT_TIMEOUT_SECONDS = int(stuck)
                used = "its value is used as JOB_HEARTBEAT_TIMEOUT_SECONDS until then"
            self.STARTUP_WARNINGS.append(
                f"JOB_STUCK_SECONDS={stuck} is set but no longer read: set "
                "JOB_HEARTBEAT_TIMEOUT_SECONDS instead (how long a running job may go without a "
                "heartbeat before it is taken back, default 60) and remove JOB_STUCK_SECONDS; "
                f"{used} ({self.JOB_HEARTBEAT_TIMEOUT_SECONDS} s). See docs/operations.md")

        # Plugins (entry point group `pelita.plugins`) not to load, by name, comma-separated.
        # Read at start-up: a change takes effect at the next start.
        self.PELITA_DISABLED_PLUGINS = [
            name.strip() for name in os.environ.get("PELITA_DISABLED_PLUGINS", "").split(",")
            if name.strip()]

        # Behind a reverse proxy (nginx...), how many proxies to trust for the client address:
        # rate limits are per client, so without this every user would share the proxy's address.
        self.PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))

        # gunicorn (make serve).
        self.WEB_WORKERS = int(os.environ.get("WEB_WORKERS", "2"))


class TestConfig(Config):
    """Settings for the test suite: a throw-away database, no rate limits unless a test asks."""

    TESTING = True
    RATELIMIT_ENABLED = False
    PASSWORD_RESET_MAX_AGE = 60 * 60
    # The test fixtures create the tables after create_app (db.create_all()), so a missing
    # plugin_states table at start-up means "nothing stored yet", not "migration not run":
    # the plugin loader reads no admin choices then, without a warning (lms/plugin_loader.py).
    TABLES_CREATED_AFTER_START = True

    def __init__(self, database_url: str = "sqlite://") -> None:
        os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = database_url
        self.MAIL_BACKEND = "memory"
        self.BASE_URL = "http://localhost"
        self.BASE_URL_IS_DEFAULT = False
        self.CREDENTIAL_KEY_PATH = os.path.join(tempfile.gettempdir(), "pelita-test-credential.pem")
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.AUTHORING_UPLOAD_DIR = os.path.join(tempfile.gettempdir(),
                                                 f"pelita-test-uploads-{os.getpid()}")
