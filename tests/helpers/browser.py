"""Browser tests' shared steps (Playwright pages)."""

from __future__ import annotations


def log_in(page, email: str, password: str) -> None:
    """Log in through the form, as a person would, in the default (Indonesian) interface."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
