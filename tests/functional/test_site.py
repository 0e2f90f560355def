"""Site-wide behaviour: start-up, language, error pages, CSRF, security headers, rate limits."""

from __future__ import annotations

import logging
import re

from lms.extensions import COOKIE_LANG
from tests.helpers.pages import login


def test_the_test_app_starts_without_a_warning(app, caplog):
    """The suite's app (every shipped plugin installed, tables created after create_app) logs
    no warning while it starts: no "plugin states not read ... no such table: plugin_states"."""
    logged = [f"{r.name}: {r.getMessage()}" for r in caplog.get_records("setup")
              if r.levelno >= logging.WARNING]
    assert logged == []
    assert app.extensions["pelita_plugin_states_read"] is True


def test_home_renders_in_indonesian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="id"' in response.text


def test_language_switch_is_remembered(client):
    assert "Masuk" in client.get("/login").text
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert client.get_cookie(COOKIE_LANG).value == "en"
    page = client.get("/login").text
    assert 'lang="en"' in page and "Log in" in page
    # A fresh session (e.g. the browser restarted) still finds the remembered cookie.
    with client.session_transaction() as sess:
        sess.clear()
    assert 'lang="en"' in client.get("/").text


def test_logged_in_users_language_is_saved_on_their_profile(app, client, auth, participant):
    auth.login(participant.email)
    client.post("/language", data={"lang": "en"})
    other_device = app.test_client()
    other_device.post("/login", data={"email": participant.email, "password": "kata-sandi-kuat-42"})
    assert 'lang="en"' in other_device.get("/").text


def test_unknown_language_is_refused(client):
    assert client.post("/language", data={"lang": "xx"}).status_code == 400


def test_404_page_in_indonesian_then_english(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.text
    client.post("/language", data={"lang": "en"})
    assert "Page not found" in client.get("/tidak-ada").text


def test_403_page_in_the_users_language(logged_in):
    response = logged_in.get("/admin/users")
    assert response.status_code == 403
    assert "Akses ditolak" in response.text


def test_ids_too_large_for_the_database_are_not_found_not_server_errors(client, make_user):
    """An id in a URL or a form that no database column can hold (a typo, a scanner) is a 404
    or 400, never a 500 (SQLite: OverflowError; PostgreSQL: integer out of range)."""
    big = "99999999999999999999999"
    login(client, make_user("trainer"))
    for url in (f"/cohorts/{big}", f"/cohorts/{big}/grading", "/cohorts/2147483648",
                f"/quizzes/grading/{big}", f"/quizzes/grading?cohort={big}"):
        assert client.get(url, follow_redirects=True).status_code == 404, url
    assert client.post(f"/cohorts/{big}/members/1/remove").status_code == 404
    assert client.post("/notifications/read", data={"id": big}).status_code == 400


def test_500_page_never_shows_a_stack_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Traceback" not in response.text and "secret internal detail" not in response.text
    assert "Terjadi kesalahan" in response.text


def test_post_without_csrf_token_is_refused_in_the_users_language(client, participant):
    response = client.post("/login", data={"email": participant.email,
                                           "password": "kata-sandi-kuat-42"}, csrf=False)
    assert response.status_code == 400
    assert "tidak ada yang tersimpan" in response.text.lower()
    forged = client.post("/login", data={"email": participant.email, "password": "kata-sandi-kuat-42",
                                         "csrf_token": "forged.token.value"}, csrf=False)
    assert forged.status_code == 400
    assert participant.full_name not in client.get("/").text


def test_forged_csrf_on_register_writes_nothing(client):
    from sqlalchemy import func, select

    from lms.auth.models import User
    from lms.extensions import db

    client.post("/register", data={"full_name": "A", "email": "a@contoh.id",
                                   "csrf_token": "x"}, csrf=False)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_security_headers_and_no_inline_script(client):
    response = client.get("/register")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    scripts = re.findall(r"<script([^>]*)>", response.text)
    assert scripts and all("src=" in attrs for attrs in scripts)
    assert "http://" not in response.text.replace("http://localhost", "")  # no CDN


def test_links_and_the_language_switch_follow_the_site_root_and_the_page(app, client):
    """Menus and links are built once and kept (lms/templating.py): a site served under a
    prefix (behind a proxy's /pelita) and at the root gets each its own links, and the language
    switch returns to the page it was pressed on, query included, escaped."""
    under = client.get("/courses/?q=a<b", base_url="http://localhost/pelita/").text
    assert 'href="/pelita/courses/"' in under and 'action="/pelita/language"' in under
    assert 'name="next" value="/courses/?q=a&lt;b"' in under
    root = client.get("/login").text
    assert 'href="/courses/"' in root and "/pelita/" not in root
    assert 'name="next" value="/login"' in root
    # Kept fragments and URLs are right only while no `url_defaults` changes a URL by request
    # state (templating.memo_url_for stops keeping URLs if one appears; the fragments cannot).
    assert not any(app.url_default_functions.values())


def test_a_visitors_own_values_in_links_are_never_kept(app, client):
    """Long values a visitor sends (a login's `next`, a search) are built into links for each
    page, not kept per process: a crawler sending thousands of 2 KB `next` values gets correct
    links and does not fill the server's memory (short ones are kept, in a bounded table)."""
    memo = app.jinja_env.globals["url_for"]
    built = next(c.cell_contents for c in memo.__closure__
                 if isinstance(c.cell_contents, dict))
    client.get("/login")
    kept = len(built)
    padding = "x" * 2000
    for n in range(50):
        page = client.get(f"/login?next=/courses/kursus-{n}-{padding}").text
        assert f"kursus-{n}-{padding}" in page
    assert len(built) == kept


def test_static_assets_are_served_locally_with_long_cache(client):
    html = client.get("/").text
    css = re.search(r'href="(/static/css/pelita.css\?v=[0-9a-f]+)"', html).group(1)
    with client.get(css) as response:
        assert response.status_code == 200
        assert response.cache_control.max_age == 31536000


def test_session_cookie_is_httponly_and_samesite(client, participant):
    response = client.post("/login", data={"email": participant.email, "password": "kata-sandi-kuat-42"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_is_rate_limited_with_a_translated_429(limited_app):
    from lms.auth.services import create_user

    participant = create_user(email="peserta@contoh.id", full_name="Peserta",
                              password="kata-sandi-kuat-42", role="participant")
    client = limited_app.test_client()
    statuses = [client.post("/login", data={"email": participant.email, "password": "salah-salah"}).status_code
                for _ in range(6)]
    assert statuses[:5] == [422] * 5  # LOGIN_ACCOUNT_RATE_LIMIT: 5 failed logins a minute
    assert statuses[5] == 429
    response = client.post("/login", data={"email": participant.email, "password": "kata-sandi-kuat-42"})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.text
    assert client.get("/login").status_code == 200  # reading the form is never limited
