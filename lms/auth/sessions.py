"""Logging in and out in a request: the server-side login (`services.start_session`) together
with Flask-Login's cookies. Every view that logs someone in or out goes through here.

Design: each login on a device is a `LoginSession` row whose random token is part of the
identity Flask-Login stores in the session cookie and in the remember-me cookie
(`User.get_id()` = `<id>:<session_version>:<token>`). The user loader accepts an identity only
while its row exists, has not expired and the session version matches. So:

* logout deletes this device's row: copies of its session or remember-me cookie stop working,
  other devices stay logged in;
* "log out of every device" deletes all the user's rows;
* a password change bumps the session version and deletes the other rows (this device is
  logged in again with the new version); deactivation does both for every device.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user, login_user, logout_user
from flask_login.utils import decode_cookie

from lms import clock
from lms.auth import services
from lms.auth.models import User


def log_in(user: User, *, remember: bool = False) -> None:
    """Start a new login for `user` on this device (a fresh session: no fixation)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    services.start_session(user, remembered=remember)
    login_user(user, remember=remember)
    # The idle clock starts now, in the cookie the login answers with: a copy of that cookie is
    # idled out like the original (views.end_idle_sessions).
    session["seen"] = clock.timestamp()


def log_out(*, everywhere: bool = False) -> None:
    """End this device's login on the server (or every login of the user) and clear the
    cookies; the chosen language survives."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    if user is not None:
        if everywhere:
            services.end_all_sessions(user)
        else:
            services.end_session(user)
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def came_from_remember_me() -> bool:
    """True when the current login is a "remember me" login *and* the browser holds that
    login's own signed remember-me cookie; any other cookie that merely has the name does not
    count."""
    if not current_user.is_authenticated or not current_user.login_remembered:
        return False
    name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    cookie = request.cookies.get(name)
    return bool(cookie) and decode_cookie(cookie) == current_user.get_id()
