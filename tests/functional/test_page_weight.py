"""Light pages for a village phone on 3G: responses compressed by the app, pages without secrets
revalidated with an ETag (a 304 instead of the page), the module page inside its budget, and a
logout that clears what the browser cached."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest
from sqlalchemy import select

from lms.courses.models import Course, Module, ModuleVersion
from lms.extensions import db
from tests.helpers.packs import import_folder
from tests.helpers.pages import login
from tests.helpers.quizzes import enrol

COURSES = Path(__file__).resolve().parents[2] / "courses"
# Issue 17: a module page with its CSS and JS, before images.
BUDGET_RAW = 100 * 1024
BUDGET_COMPRESSED = 30 * 1024


@pytest.fixture
def course(app):
    import_folder(COURSES / "literasi-tik")
    return db.session.scalar(select(Course).where(Course.slug == "literasi-tik"))


@pytest.fixture
def reader(client, participant, course):
    enrol(participant, course)
    login(client, participant, in_english=False)
    return client


def module_url(course) -> str:
    first = db.session.scalar(
        select(Module.slug).join(ModuleVersion, ModuleVersion.module_id == Module.id)
        .where(ModuleVersion.version_id == course.current_version_id)
        .order_by(ModuleVersion.position))
    return f"/courses/{course.slug}/modules/{first}"


def test_pages_and_assets_are_sent_compressed_to_browsers_that_accept_it(reader, course):
    plain = reader.get(module_url(course))
    packed = reader.get(module_url(course), headers={"Accept-Encoding": "gzip, br"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert brotli.decompress(packed.get_data()).decode().startswith("<!doctype html>")
    assert len(packed.get_data()) < len(plain.get_data()) / 2.5

    css = re.search(r'href="(/static/css/pelita\.css[^"]*)"', plain.text).group(1)
    with reader.get(css.replace("&amp;", "&"), headers={"Accept-Encoding": "gzip, br"}) as gz:
        assert gz.headers["Content-Encoding"] == "br"
        assert b"body" in brotli.decompress(gz.get_data())
        assert gz.headers["Cache-Control"].startswith("public, max-age=31536000")


def _assets(html: str) -> list[str]:
    urls = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    urls += re.findall(r'<script[^>]* src="([^"]+)"', html)
    return [u.replace("&amp;", "&") for u in urls]


def test_the_module_page_with_its_css_and_js_fits_the_3g_budget(reader, course):
    page = reader.get(module_url(course))
    raw = len(page.get_data())
    packed = len(gzip.compress(page.get_data()))
    assets = _assets(page.text)
    assert assets, "the page links its stylesheet"
    for url in assets:
        with reader.get(url) as asset:
            data = asset.get_data()
        raw += len(data)
        packed += len(gzip.compress(data))
    assert raw <= BUDGET_RAW, f"module page with CSS/JS: {raw} bytes uncompressed"
    assert packed <= BUDGET_COMPRESSED, f"module page with CSS/JS: {packed} bytes gzipped"


def test_a_reloaded_module_page_costs_a_304_and_still_counts_the_visit(reader, course):
    first = reader.get(module_url(course), headers={"Accept-Encoding": "br"})
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    again = reader.get(module_url(course), headers={"Accept-Encoding": "br",
                                                     "If-None-Match": etag})
    assert again.status_code == 304, (etag, again.headers, again.get_data()[:300])
    assert again.get_data() == b""
    # The same page without compression has its own validator and revalidates too.
    plain = reader.get(module_url(course))
    assert reader.get(module_url(course), headers={
        "If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_a_changed_page_or_another_session_gets_the_full_page(app, client, reader, course,
                                                              make_user):
    first = reader.get(module_url(course))
    etag = first.headers["ETag"]
    reader.post(first.request.path + "/done", data={})  # the page now says "done"
    assert reader.get(module_url(course), headers={"If-None-Match": etag}).status_code == 200

    other = app.test_client()
    someone = make_user("participant", email="lain@contoh.id")
    enrol(someone, course)
    login(other, someone, in_english=False)
    page = other.get(module_url(course))
    assert other.get(module_url(course), headers={
        "If-None-Match": etag}).status_code == 200, "never another session's copy"
    assert page.headers["ETag"] != etag


def test_pages_with_personal_data_are_never_stored(reader):
    for url in ("/profile", "/"):
        response = reader.get(url)
        assert response.headers["Cache-Control"] == "no-store", url
        assert "ETag" not in response.headers, url


def test_logging_out_clears_the_sites_cache_in_the_browser(reader):
    response = reader.post("/logout", data={})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache"'


def test_the_etag_ignores_csrf_tokens_however_the_form_writes_them(app):
    """Tokens carry the second they were made, so without this an unchanged page would get a
    new ETag every second and never a 304."""
    from flask import session

    from lms.security import page_etag

    def page(token: str) -> bytes:
        return (f'<form><input type="hidden" name="csrf_token" value="{token}"></form>'
                f'<form><input id="csrf_token" name="csrf_token" type="hidden" value="{token}">'
                f'</form><p>Modul 1</p>').encode()

    with app.test_request_context("/"):
        session["csrf_token"] = "rahasia-sesi"
        assert page_etag(page("a.1.x")) == page_etag(page("a.2.y"))
        assert page_etag(page("a.1.x")) != page_etag(page("a.1.x").replace(b"Modul 1",
                                                                              b"Modul 2"))
        session["csrf_token"] = "sesi-lain"
        other = page_etag(page("a.1.x"))
    with app.test_request_context("/"):
        session["csrf_token"] = "rahasia-sesi"
        assert page_etag(page("a.1.x")) != other
