"""Reading pages the way the functional tests need: log in (in English), hidden values, errors."""

from __future__ import annotations

import re

from tests.conftest import PARTICIPANT_PASSWORD


def login_english(client, email: str, password: str = PARTICIPANT_PASSWORD):
    """Log in through the form and switch the pages to English (tests read English text)."""
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 302
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
