"""The tutorial of docs/plugins.md works as written: its package is built from the page's own
code blocks, imports nothing of Pelita but `lms.plugins`, loads through an entry point, and the
page's test passes."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import textwrap
from pathlib import Path

import pytest

import config
from lms import create_app, events
from lms.extensions import db
from tests.fixtures import CSRFClient
from tools.plugin_imports import internal_imports

DOC = (Path(__file__).resolve().parents[2] / "docs" / "plugins.md").read_text("utf-8")
_original_entry_points = importlib.metadata.entry_points


def _blocks(language: str) -> list[str]:
    tutorial = DOC[DOC.index("## Tutorial: a plugin from nothing"):]
    found = re.findall(rf"^( *)```{language}\n(.*?)^\1```", tutorial, flags=re.M | re.S)
    return [textwrap.dedent(body) for _indent, body in found]


def _block(language: str, marker: str) -> str:
    matching = [b for b in _blocks(language) if marker in b]
    assert len(matching) == 1, f"one {language} block with {marker!r} in the tutorial"
    return matching[0]


@pytest.fixture
def tutorial(tmp_path_factory, monkeypatch):
    """The tutorial's package on sys.path, and its test's source."""
    root = tmp_path_factory.mktemp("pelita-hello")
    package = root / "pelita_hello"
    (package / "templates" / "hello").mkdir(parents=True)
    (package / "__init__.py").write_text(_block("python", "class HelloPlugin"), "utf-8")
    (package / "templates" / "hello" / "index.html").write_text(
        _block("html", "{% extends"), "utf-8")
    assert 'hello = "pelita_hello:plugin"' in _block("toml", "[project.entry-points")
    monkeypatch.syspath_prepend(str(root))
    yield package, _block("python", "def test_a_completion_is_counted")
    sys.modules.pop("pelita_hello", None)


@pytest.fixture
def app(database_url, tutorial, monkeypatch):
    """The suite's app with the tutorial's plugin as the one installed plugin."""
    import pelita_hello

    entry = importlib.metadata.EntryPoint(name="hello", value="pelita_hello:plugin",
                                          group="pelita.plugins")
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kw: (
        [entry] if kw.get("group") == "pelita.plugins" else _original_entry_points(**kw)))
    app = create_app(config.TestConfig(database_url))
    app.test_client_class = CSRFClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    for signal in events.ALL_SIGNALS:
        for receiver in list(signal.receivers_for(app)):
            signal.disconnect(receiver)
    assert pelita_hello.plugin.name == "hello"


def test_the_tutorial_plugin_uses_only_the_plugin_api(tutorial):
    package, test_source = tutorial
    assert internal_imports((package / "__init__.py").read_text("utf-8")) == []
    assert re.search(r"^from lms\.plugins import", test_source, flags=re.M)


def test_the_tutorial_plugin_loads_and_its_test_passes(app, tutorial, logged_in, runner,
                                                      tmp_path, client, auth, trainer_user):
    _package, test_source = tutorial
    record = next(r for r in app.extensions["pelita_plugins"] if r.name == "hello")
    assert record.status == "loaded", record.error
    assert record.blueprint_urls == {"hello": "/p/hello/"}
    assert record.cli_commands == ["flask lms hello count"]
    assert record.event_handlers == ["course-completed: pelita_hello.on_course_completed"]

    namespace: dict = {}
    exec(compile(test_source, "docs/plugins.md (tutorial test)", "exec"), namespace)  # noqa: S102
    namespace["test_a_completion_is_counted"](app, logged_in, runner, tmp_path)

    auth.logout()
    auth.login(trainer_user.email)
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get("/p/hello/")
    assert page.status_code == 200 and "Completions so far: 1" in page.get_data(as_text=True)
