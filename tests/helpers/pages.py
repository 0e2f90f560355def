"""Using the site the way the functional tests need: log in, read pages in English, hidden
values, field errors, links sent by email."""

from __future__ import annotations

import re

from tests.fixtures import PARTICIPANT_PASSWORD, AuthActions


def english(client):
    """Switch the pages to English, as a person would (the site's default is Indonesian):
    tests read English text so they do not depend on the Indonesian catalogue."""
    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 302
    return client


def login(client, who, password: str = PARTICIPANT_PASSWORD, *, remember: bool = False,
          in_english: bool = True):
    """Log `who` (a user, or an email address) in through the form, and read the pages in
    English unless `in_english=False`. Whoever was logged in on this client logs out first.
    Returns the client; fails the test if the login is refused.

    For tests about the login form itself, use the `auth` fixture, which returns the response.
    """
    email = getattr(who, "email", who)
    with client.session_transaction() as session:
        someone = "_user_id" in session
    auth = AuthActions(client)
    if someone:
        auth.logout()
    response = auth.login(email, password, remember=remember)
    assert response.status_code == 302, f"{email} could not log in"
    if in_english:
        english(client)
    return client


def hidden(html: str, name: str) -> str:
    """The value of the (hidden) input `name` in a page."""
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def field_error(html: str, field_id: str) -> str:
    """The error text shown under a field, tied to it by aria-describedby (`<id>-error`)."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""


def emailed_link(message, path: str) -> str:
    """The site-relative link starting with `path` (e.g. "/reset/") in an email's text."""
    match = re.search(rf"http://localhost({re.escape(path)}\S+)", message.get_content())
    assert match, f"no {path} link in the email"
    return match.group(1)
