"""Browser tests: a real server in a thread, driven by Debian's Chromium through Playwright.

Never downloads a browser. Without /usr/bin/chromium the tests skip with the reason, unless
PELITA_REQUIRE_BROWSER is set (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from config import TestConfig
from lms import create_app
from lms.extensions import db

CHROMIUM = os.environ.get("PELITA_CHROMIUM", "/usr/bin/chromium")
WCAG = {"runOnly": {"type": "tag",
                    "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
        "resultTypes": ["violations"]}


def axe_violations(page) -> list[str]:
    """The WCAG 2.2 A/AA violations axe-core finds on the page, one line each (empty: none)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — "
            f"{[n['target'] for n in v['nodes']][:3]}" for v in results.response["violations"]]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium_path():
    if not Path(CHROMIUM).exists():
        if os.environ.get("PELITA_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests required but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium to run browser tests")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(tmp_path):
    """The real app with CSRF and an on-disk SQLite database, served on a free local port."""
    config = TestConfig(f"sqlite:///{tmp_path / 'e2e.sqlite3'}")
    app = create_app(config)
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    server.app = app
    yield server
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def axe():
    """`axe(page)`: the WCAG 2.2 A/AA violations on the page (see `axe_violations`)."""
    return axe_violations


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
