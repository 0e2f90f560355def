"""Account operations: the only code that writes users. Views and the CLI call these."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from lms import audit, clock, events, regions, tokens
from lms.auth import strength
from lms.auth.models import (
    TOKEN_PREFIX,
    TOKEN_SCOPES,
    LibraryLevel,
    LoginSession,
    PersonalAccessToken,
    Role,
    User,
)
from lms.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from lms.auth.strength import Weakness
from lms.errors_domain import PermissionDenied, ServiceError
from lms.events import emit_after_commit
from lms.extensions import db
from lms.i18n import lazy_gettext as _l


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def clean_name(name: str) -> str:
    """Collapse runs of whitespace; a certificate name must not start or end with spaces."""
    return " ".join((name or "").split())


# Why a password was refused, in the user's language (lms/auth/strength.py finds the reason).
_ADVICE = {
    Weakness.COMMON_LIST: _l("This password is on the list of the most common passwords, which "
                             "are tried first (also with numbers or a year added). Choose "
                             "another one."),
    Weakness.PERSONAL: _l("Do not build your password on your name, email address or library: "
                          "they are the first things someone would try."),
    Weakness.COMMON: _l("This password is built on a very common password or word. Add another "
                        "word or two: a short sentence is easy to remember and hard to guess."),
    Weakness.WORD: _l("A single word or name is easy to guess. Add another word or two: a short "
                      "sentence is easy to remember and hard to guess."),
    Weakness.KEYBOARD: _l("Rows of keys on the keyboard (such as qwerty or asdf) are easy to "
                          "guess. Use a few words instead."),
    Weakness.REPEAT: _l("Repeated characters or words (such as aaa or abcabc) are easy to guess. "
                        "Use a few different words instead."),
    Weakness.SEQUENCE: _l("Sequences such as abc or 12345 are easy to guess. Use a few words "
                          "instead."),
    Weakness.DATE: _l("Years and dates are easy to guess, especially ones that matter to you. "
                      "Add another word or two."),
    Weakness.GUESSABLE: _l("This password is too easy to guess. Add another word or two: a short "
                           "sentence is easy to remember and hard to guess."),
}


def password_problem(password: str, *, email: str = "", full_name: str = "",
                     library_name: str = ""):
    """A translated reason why the password is too weak, or None.

    Length first, then the shipped common-password lists and zxcvbn with the user's name,
    email and library as their own words (lms/auth/strength.py)."""
    password = password or ""
    min_len = current_app.config["PASSWORD_MIN_LENGTH"]
    max_len = current_app.config["PASSWORD_MAX_LENGTH"]
    if len(password) < min_len:
        return _l("Use at least %(n)d characters.", n=min_len)
    if len(password) > max_len:
        return _l("Use at most %(n)d characters.", n=max_len)
    local = normalise_email(email).split("@")[0]
    lowered = password.lower()
    if (local and len(local) >= 4 and local in lowered) or (
        full_name and clean_name(full_name).lower().replace(" ", "") == lowered.replace(" ", "")
    ):
        return _ADVICE[Weakness.PERSONAL]
    why = strength.weakness(password, strength.personal_words(full_name, email, library_name))
    return _ADVICE[why] if why is not None else None


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_affiliation(library_level, province_code, regency_code) -> None:
    if library_level and library_level not in {lvl.value for lvl in LibraryLevel}:
        raise ServiceError(_l("Choose a library level from the list."), "library_level")
    if province_code and not regions.is_province(province_code):
        raise ServiceError(_l("Choose a province from the list."), "province_code")
    if regency_code and not regions.is_regency_of(regency_code, province_code):
        raise ServiceError(
            _l("Choose a regency or city in the selected province."), "regency_code"
        )


def register_participant(
    *,
    full_name: str,
    email: str,
    password: str,
    library_name: str,
    library_level: str,
    province_code: str,
    regency_code: str,
    locale: str | None = None,
    role: str = Role.PARTICIPANT,
) -> User:
    """Create an account in one transaction; raise ServiceError naming the field at fault."""
    full_name = clean_name(full_name)
    email = normalise_email(email)
    if not full_name:
        raise ServiceError(_l("Enter your full name as it should appear on a certificate."), "full_name")
    problem = password_problem(password, email=email, full_name=full_name,
                               library_name=library_name)
    if problem:
        raise ServiceError(problem, "password")
    _check_affiliation(library_level, province_code, regency_code)
    if get_user_by_email(email):
        raise ServiceError(_l("An account with this email address already exists."), "email")
    user = User(
        email=email,
        password_hash=hash_password(password),
        full_name=full_name,
        role=str(role),
        library_name=clean_name(library_name) or None,
        library_level=library_level or None,
        province_code=province_code or None,
        regency_code=regency_code or None,
        locale=locale,
    )
    db.session.add(user)
    try:
        db.session.flush()
        _emit_registered(user)
        db.session.commit()
    except IntegrityError:  # two simultaneous registrations with one email
        db.session.rollback()
        raise ServiceError(
            _l("An account with this email address already exists."), "email"
        ) from None
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Takes the same time either way."""
    user = get_user_by_email(email)
    if user is None:
        verify_password(dummy_hash(), password or "")
        return None
    if not verify_password(user.password_hash, password or "") or not user.active:
        return None
    if needs_rehash(user.password_hash):
        # Made with other Argon2 parameters (PASSWORD_ARGON2_*): store a new hash of the same
        # password in this login's transaction. Not a password change: session_version stays,
        # so the user's other devices stay logged in.
        user.password_hash = hash_password(password)
    user.last_login_at = clock.now()
    db.session.commit()
    return user


# --- logins (one LoginSession row per login on one device) -------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, remembered: bool = False) -> str:
    """Start a login on one device and commit it; `user.get_id()` then names it.

    A login lasts at most REMEMBER_COOKIE_DURATION (the life of the remember-me cookie);
    without "remember me" it ends sooner: at logout, after IDLE_TIMEOUT_MINUTES without
    activity, or when the browser is closed. The user's expired logins are deleted on the way,
    so the table holds (nearly) live logins only."""
    now = clock.now()
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION"]
    if not isinstance(lifetime, timedelta):
        lifetime = timedelta(seconds=lifetime)
    token = secrets.token_urlsafe(32)
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.expires_at <= now))
    db.session.add(LoginSession(user_id=user.id, token_hash=_token_hash(token),
                                remembered=bool(remembered), created_at=now,
                                expires_at=now + lifetime))
    db.session.commit()
    user.login_token = token
    user.login_remembered = bool(remembered)
    return token


# Built once: every signed-in request runs it (the statement costs as much to build as to run).
# The login's two columns only: no LoginSession object is built and tracked for each request.
_LOGIN_BY_TOKEN = (select(User, LoginSession.expires_at, LoginSession.remembered)
                   .join(LoginSession, User.id == LoginSession.user_id)
                   .where(LoginSession.token_hash == bindparam("token_hash")))


def user_for_identity(identity: str) -> User | None:
    """The user whose live login `identity` (`User.get_id()`) names, or None: unknown, ended or
    expired login, older session version, or a deactivated account. One query."""
    parts = (identity or "").split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2]:
        return None  # also identities from before logins were stored (`<id>:<version>`)
    user_id, version, token = parts
    row = db.session.execute(_LOGIN_BY_TOKEN, {"token_hash": _token_hash(token)}).first()
    if row is None:
        return None
    user, expires_at, remembered = row
    if (user.id != int(user_id) or str(user.session_version) != version or not user.active
            or clock.aware(expires_at) <= clock.now()):
        return None
    user.login_token = token
    user.login_remembered = bool(remembered)
    return user


def end_session(user: User) -> None:
    """End the login the user is using now (logout on this device); other devices stay."""
    if user.login_token:
        db.session.execute(delete(LoginSession).where(
            LoginSession.user_id == user.id,
            LoginSession.token_hash == _token_hash(user.login_token)))
        db.session.commit()
    user.login_token = None


def _end_sessions(user: User, *, keep_current: bool = False) -> int:
    """Delete the user's logins (all, or all but the current one) in the caller's transaction."""
    stmt = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_current and user.login_token:
        stmt = stmt.where(LoginSession.token_hash != _token_hash(user.login_token))
    return db.session.execute(stmt).rowcount or 0


def end_all_sessions(user: User) -> int:
    """"Log out of every device": end every login of the user, this one included. Recorded in
    the audit log. Returns how many logins were ended."""
    ended = _end_sessions(user)
    audit.record("account.logged_out_everywhere", actor=user, target=f"user:{user.id}",
                 detail={"email": user.email, "sessions": ended})
    db.session.commit()
    user.login_token = None
    return ended


def active_session_count(user: User) -> int:
    """How many live logins the user has (on this and other devices)."""
    return db.session.scalar(select(func.count()).select_from(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.expires_at > clock.now())) or 0


def _set_password(user: User, new_password: str) -> None:
    problem = password_problem(new_password, email=user.email, full_name=user.full_name,
                               library_name=user.library_name or "")
    if problem:
        raise ServiceError(problem, "new_password")
    user.password_hash = hash_password(new_password)
    # Every other login ends: the version in their identity no longer matches, and their rows go.
    user.session_version = (user.session_version or 1) + 1
    _end_sessions(user, keep_current=True)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password after checking the current one; other sessions are logged out."""
    if not verify_password(user.password_hash, current_password or ""):
        raise ServiceError(_l("Your current password is not correct."), "current_password")
    _set_password(user, new_password)
    db.session.commit()


def update_profile(user: User, *, full_name, library_name, library_level, province_code,
                   regency_code, locale=None) -> None:
    """Update the editable profile fields in one transaction."""
    full_name = clean_name(full_name)
    if not full_name:
        raise ServiceError(_l("Enter your full name as it should appear on a certificate."), "full_name")
    _check_affiliation(library_level, province_code, regency_code)
    user.full_name = full_name
    user.library_name = clean_name(library_name) or None
    user.library_level = library_level or None
    user.province_code = province_code or None
    user.regency_code = regency_code or None
    if locale in current_app.config["LANGUAGES"]:
        user.locale = locale
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    if locale in current_app.config["LANGUAGES"] and user.locale != locale:
        user.locale = locale
        db.session.commit()


# --- password reset -----------------------------------------------------------------------

def _reset_serializer() -> URLSafeTimedSerializer:
    return tokens.serializer("pelita.password-reset")


def _fingerprint(user: User) -> str:
    """Changes whenever the password or session version changes, so a used link is dead."""
    raw = f"{user.password_hash}:{user.session_version}".encode()
    return hashlib.sha256(raw).hexdigest()[:20]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """The user a valid, unused, unexpired token belongs to; ServiceError otherwise."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise ServiceError(_l("This reset link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise ServiceError(_l("This reset link is not valid. Ask for a new one.")) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        raise ServiceError(_l("This reset link has already been used or is no longer valid."))
    return user


RESET_MAIL_JOB = "auth.send_reset_mail"


def request_password_reset(email: str, locale: str | None = None) -> None:
    """Queue the reset email for `email`, whether or not an account uses it, and commit.

    Nothing is looked up here: the worker (`send_reset_mail`) decides whether there is anyone to
    write to, so the page answers after the same work for a known and an unknown address.
    A request while one for the same address is still queued adds nothing."""
    from lms.jobs.services import enqueue

    email = normalise_email(email)
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    enqueue(RESET_MAIL_JOB, {"email": email, "locale": locale}, dedupe_key=f"auth.reset:{digest}")
    db.session.commit()


def send_reset_mail(email: str, locale: str | None = None) -> bool:
    """The `auth.send_reset_mail` job: email a reset link if an active account uses `email`,
    in the account's language (else the language the request was made in). False when there
    is no one to write to. The link is made now, so its hour starts when it is sent."""
    from flask import render_template
    from flask_babel import force_locale

    from lms.i18n import gettext as _
    from lms.mail import send_mail

    user = get_user_by_email(email)
    if user is None or not user.active:
        return False
    token = make_reset_token(user)
    link = f"{current_app.config['BASE_URL']}/reset/{token}"
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    with force_locale(user.locale or locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        send_mail(user.email, _("Reset your Pelita password"),
                  render_template("auth/email/reset.txt", user=user, link=link, minutes=minutes))
    return True


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset token; the token cannot be used again."""
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    db.session.commit()
    return user


# --- administration -----------------------------------------------------------------------

def set_role(actor: User, user: User, role: str) -> None:
    """An admin changes someone's role; an admin cannot demote themselves."""
    if not actor.is_admin:
        raise PermissionDenied(_l("Only an administrator can change roles."))
    if role not in {r.value for r in Role}:
        raise ServiceError(_l("Unknown role."), "role")
    if user.id == actor.id and role != Role.ADMIN:
        raise ServiceError(_l("You cannot remove your own administrator role."), "role")
    if user.role != role:
        audit.record("account.role_changed", actor=actor, target=f"user:{user.id}",
                     detail={"email": user.email, "from": user.role, "to": role})
        user.role = role
        db.session.commit()


def set_active(actor: User, user: User, active: bool) -> None:
    """An admin (de)activates an account; deactivation ends the user's sessions."""
    if not actor.is_admin:
        raise PermissionDenied(_l("Only an administrator can deactivate accounts."))
    if user.id == actor.id and not active:
        raise ServiceError(_l("You cannot deactivate your own account."))
    if user.active != active:
        audit.record("account.reactivated" if active else "account.deactivated", actor=actor,
                     target=f"user:{user.id}",
                     detail={"email": user.email, "from": _state(user.active),
                             "to": _state(active)})
        user.active = active
        user.session_version = (user.session_version or 1) + 1
        _end_sessions(user)
        db.session.commit()


def _state(active: bool) -> str:
    return "active" if active else "inactive"


def grant_role_for_path(user: User, role: str, path_slug: str) -> bool:
    """In the caller's transaction (no commit): give `role` to a participant who completed a
    learning path that grants it; audited. Never changes a facilitator, trainer or admin (no
    downgrade). Returns whether the role changed."""
    if role not in {r.value for r in Role} or user.role != Role.PARTICIPANT or role == user.role:
        return False
    audit.record("account.role_granted", actor=None, target=f"user:{user.id}",
                 detail={"email": user.email, "from": user.role, "to": role, "path": path_slug})
    user.role = role
    return True


def create_user(*, email: str, full_name: str, password: str, role: str) -> User:
    """Create an account without affiliation (CLI: first admin, demo accounts)."""
    email = normalise_email(email)
    full_name = clean_name(full_name)
    if "@" not in email:
        raise ServiceError(_l("Enter a valid email address."), "email")
    if not full_name:
        raise ServiceError(_l("Enter your full name as it should appear on a certificate."), "full_name")
    problem = password_problem(password, email=email, full_name=full_name)
    if problem:
        raise ServiceError(problem, "password")
    if get_user_by_email(email):
        raise ServiceError(_l("An account with this email address already exists."), "email")
    user = User(email=email, full_name=full_name, password_hash=hash_password(password), role=str(role))
    db.session.add(user)
    db.session.flush()
    _emit_registered(user)
    db.session.commit()
    return user


class AccountExists(ServiceError):
    """An account already uses this email address."""


def create_account(actor: User, *, email: str, full_name: str, role: str,
                   locale: str | None = None) -> User:
    """An administrator creates an account for someone (the JSON API). It has no usable password:
    a password-reset mail is queued in the same transaction, and the person sets their own
    password through its link. Audited `account.created`."""
    if not actor.is_admin:
        raise PermissionDenied(_l("Only an administrator can create accounts."))
    email = normalise_email(email)
    full_name = clean_name(full_name)
    if "@" not in email or len(email) > 254:
        raise ServiceError(_l("Enter a valid email address."), "email")
    if not full_name:
        raise ServiceError(_l("Enter your full name as it should appear on a certificate."),
                           "full_name")
    if role not in {r.value for r in Role}:
        raise ServiceError(_l("Unknown role."), "role")
    if get_user_by_email(email):
        raise AccountExists(_l("An account with this email address already exists."), "email")
    from lms.jobs.services import enqueue

    user = User(email=email, full_name=full_name[:200], role=role,
                password_hash="!created:" + secrets.token_hex(16))  # no password matches it
    db.session.add(user)
    db.session.flush()
    audit.record("account.created", actor=actor, target=f"user:{user.id}",
                 detail={"email": email, "role": role})
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    enqueue(RESET_MAIL_JOB, {"email": email, "locale": locale},
            dedupe_key=f"auth.reset:{digest}")
    _emit_registered(user)
    db.session.commit()
    return user


def _emit_registered(user: User) -> None:
    emit_after_commit(events.user_registered, user_id=user.id, role=user.role, locale=user.locale,
                      library_level=user.library_level, province_code=user.province_code,
                      regency_code=user.regency_code)


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


# --------------------------------------------------------------------------- API access tokens
# Personal access tokens for the JSON API (lms/api, docs/api.md). The token is 32 random bytes
# after a recognisable prefix (so secret scanners and people can tell what it is), shown once;
# only its SHA-256 is stored, like a login's token.

TOKEN_LAST_USED_EVERY = timedelta(minutes=1)  # `last_used_at` is written at most this often
MAX_LIVE_TOKENS = 20


def _clean_scopes(user: User, scopes) -> str:
    wanted = {str(s) for s in scopes or ()}
    if not wanted or not wanted <= set(TOKEN_SCOPES):
        raise ServiceError(_l("Choose at least one of the scopes read, write and admin."), "scopes")
    if "admin" in wanted and not user.is_admin:
        raise PermissionDenied(_l("Only administrators may create tokens with the admin scope."),
                               "scopes")
    return " ".join(s for s in TOKEN_SCOPES if s in wanted)


def create_api_token(user: User, name: str, scopes, *,
                     expires_at=None) -> tuple[PersonalAccessToken, str]:
    """Create a token for `user`; returns the row and the token itself (shown once, never
    stored). Audited `account.token_created`."""
    name = clean_name(name)[:100]
    if not name:
        raise ServiceError(_l("Give the token a name, e.g. the script or system that uses it."),
                           "name")
    scope_text = _clean_scopes(user, scopes)
    live = db.session.scalar(select(func.count()).select_from(PersonalAccessToken).where(
        PersonalAccessToken.user_id == user.id, PersonalAccessToken.revoked_at.is_(None))) or 0
    if live >= MAX_LIVE_TOKENS:
        raise ServiceError(_l("You have %(num)d tokens. Revoke one you no longer use first.",
                              num=live), "name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = PersonalAccessToken(user_id=user.id, name=name, scopes=scope_text,
                              token_hash=_token_hash(secret), created_at=clock.now(),
                              expires_at=expires_at)
    db.session.add(row)
    db.session.flush()
    audit.record("account.token_created", actor=user, target=f"user:{user.id}",
                 detail={"token": row.id, "name": name, "scopes": scope_text})
    db.session.commit()
    return row, secret


def revoke_api_token(user: User, token_id: int) -> PersonalAccessToken:
    """Revoke one of the user's own tokens (at once: the next request with it is refused).
    Audited `account.token_revoked`; revoking a revoked token changes nothing."""
    row = db.session.scalar(select(PersonalAccessToken).where(
        PersonalAccessToken.id == token_id, PersonalAccessToken.user_id == user.id))
    if row is None:
        raise ServiceError(_l("This token does not exist."), "token")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        audit.record("account.token_revoked", actor=user, target=f"user:{user.id}",
                     detail={"token": row.id, "name": row.name})
        db.session.commit()
    return row


def api_tokens(user: User) -> list[PersonalAccessToken]:
    """The user's tokens that are not revoked, newest first."""
    return list(db.session.scalars(select(PersonalAccessToken).where(
        PersonalAccessToken.user_id == user.id, PersonalAccessToken.revoked_at.is_(None))
        .order_by(PersonalAccessToken.created_at.desc(), PersonalAccessToken.id.desc())))


def user_for_api_token(secret: str) -> tuple[User, PersonalAccessToken] | None:
    """The active user and live token a bearer token names, or None (unknown, revoked, expired,
    deactivated account). Notes the use, at most once a minute per token."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = db.session.execute(
        select(PersonalAccessToken, User).join(User, User.id == PersonalAccessToken.user_id)
        .where(PersonalAccessToken.token_hash == _token_hash(secret))).first()
    if row is None:
        return None
    token, user = row
    now = clock.now()
    if not token.live_at(now) or not user.active:
        return None
    last = clock.aware(token.last_used_at)
    if last is None or now - last >= TOKEN_LAST_USED_EVERY:
        db.session.execute(update(PersonalAccessToken).where(PersonalAccessToken.id == token.id)
                           .values(last_used_at=now))
        db.session.commit()
        token.last_used_at = now
    return user, token
