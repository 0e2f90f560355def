"""Plugins from the `pelita.plugins` entry point group: loading, failures, disabling, admin page,
and learning events heard by a plugin when a learner completes a course."""

from __future__ import annotations

import importlib.metadata
import json
import logging
from types import SimpleNamespace

import pytest
from blinker import Signal
from flask import Blueprint
from sqlalchemy import select

import config
from lms import create_app, events
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.learning.services import enrol, mark_module_done
from lms.plugins import load_plugins
from lms.quizzes.base import QuestionType
from tests.conftest import CSRFClient
from tests.packs import import_folder, make_pack

_original_entry_points = importlib.metadata.entry_points


class FakeEntryPoint:
    """Stands in for an installed package's entry point."""

    group = "pelita.plugins"

    def __init__(self, name: str, obj=None, error: Exception | None = None) -> None:
        self.name = name
        self.value = f"fake_{name.replace('-', '_')}:plugin"
        self._obj, self._error = obj, error

    def load(self):
        if self._error is not None:
            raise self._error
        return self._obj


class Likert(QuestionType):
    name = "likert-test"
    auto_graded = False

    def validate(self, q):
        return []


class GoodPlugin:
    name = "good"
    version = "1.2.0"
    description = "Hears course completions."

    def __init__(self) -> None:
        self.heard: list[tuple[str, dict, bool]] = []
        self.connected: list[tuple[Signal, object]] = []

    def init_app(self, app):
        def on_completed(sender, **data):
            # Heard after the commit: no transaction is open and nothing waits to be written,
            # and the completion is in the database (a fresh connection sees it on PostgreSQL).
            idle = not db.session().in_transaction() and not (db.session.new or db.session.dirty)
            with db.engine.connect() as conn:
                stored = conn.scalar(select(Enrollment.completed_at).where(
                    Enrollment.user_id == data["user_id"],
                    Enrollment.course_id == data["course_id"])) is not None
            committed = idle and stored
            self.heard.append(("course-completed", data, committed))

        def on_issued(sender, **data):
            self.heard.append(("certificate-issued", data, True))

        for signal, fn in ((events.course_completed, on_completed),
                           (events.certificate_issued, on_issued)):
            signal.connect(fn, sender=app, weak=False)
            self.connected.append((signal, fn))
        app.extensions["pelita_question_types"].register(Likert)
        app.register_blueprint(Blueprint("good_pages", __name__, url_prefix="/p/good"))


class RaisingInit:
    name = "explodes"
    version = "0.1"
    description = "init_app raises."

    def __init__(self) -> None:
        self.handler_calls = 0

    def init_app(self, app):
        def handler(sender, **data):
            self.handler_calls += 1

        events.module_completed.connect(handler, sender=app, weak=False)
        raise RuntimeError("cannot reach the webhook store")


class RaisingHandler:
    name = "bad-handler"
    version = "0.2"
    description = "Its handler raises."

    def init_app(self, app):
        def handler(sender, **data):
            raise ValueError("handler exploded")

        events.module_completed.connect(handler, sender=app, weak=False)
        self.handler = handler


@pytest.fixture
def plugins():
    return SimpleNamespace(good=GoodPlugin(), explodes=RaisingInit(), bad=RaisingHandler(),
                           twin=SimpleNamespace(name="good", version="9", description="A twin.",
                                                init_app=lambda app: None),
                           off=SimpleNamespace(name="off", version="1", description="Disabled.",
                                               init_app=lambda app: pytest.fail("loaded")))


@pytest.fixture
def entry_points(monkeypatch, plugins):
    found = [
        FakeEntryPoint("good", plugins.good),
        importlib.metadata.EntryPoint(name="missing", value="pelita_no_such_plugin_pkg:plugin",
                                      group="pelita.plugins"),
        FakeEntryPoint("explodes", plugins.explodes),
        FakeEntryPoint("good-twin", plugins.twin),
        FakeEntryPoint("off", plugins.off),
        FakeEntryPoint("bad-handler", plugins.bad),
        FakeEntryPoint("no-contract", SimpleNamespace(name="no-contract")),
    ]

    def fake(**kwargs):
        if kwargs.get("group") == "pelita.plugins":
            return found
        return _original_entry_points(**kwargs)

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)
    return found


@pytest.fixture
def app(database_url, entry_points, plugins):
    """The suite's `app`, started with the fake plugins installed ("off" disabled)."""
    settings = config.TestConfig(database_url)
    settings.PELITA_DISABLED_PLUGINS = ["off"]
    app = create_app(settings)
    app.test_client_class = CSRFClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    for signal in events.ALL_SIGNALS:  # handlers held strongly by the fake plugins
        for receiver in list(signal.receivers_for(app)):
            signal.disconnect(receiver)


def _records(app):
    return {r.source.split(" = ")[0]: r for r in app.extensions["pelita_plugins"]}


def test_the_app_starts_and_records_every_plugin(app):
    r = _records(app)
    assert r["good"].status == "loaded" and r["good"].version == "1.2.0"
    assert r["good"].question_types == ["likert-test"]
    assert r["good"].blueprints == ["good_pages"]
    assert sorted(h.split(":")[0] for h in r["good"].event_handlers) == [
        "certificate-issued", "course-completed"]
    assert r["missing"].status == "failed" and "ModuleNotFoundError" in r["missing"].error
    assert r["explodes"].status == "failed"
    assert r["explodes"].error == "RuntimeError: cannot reach the webhook store"
    assert r["good-twin"].status == "refused"
    assert "good = fake_good:plugin" in r["good-twin"].error
    assert "good-twin = fake_good_twin:plugin" in r["good-twin"].error
    assert r["off"].status == "disabled"
    assert r["bad-handler"].status == "loaded"
    assert r["no-contract"].status == "failed" and "init_app" in r["no-contract"].error
    assert "likert-test" in app.extensions["pelita_question_types"]


def test_a_plugin_whose_init_app_fails_keeps_no_handlers(app, plugins, make_user, tmp_path):
    user = make_user()
    import_folder(make_pack(tmp_path, modules=2))
    course = db.session.scalar(select(Course))
    enrol(user, course)
    module = db.session.scalar(select(Module).order_by(Module.id))
    mark_module_done(user, course, module)
    assert plugins.explodes.handler_calls == 0


def test_completing_a_course_reaches_the_plugin_after_commit(app, plugins, make_user,
                                                             tmp_path, caplog):
    user = make_user()
    import_folder(make_pack(tmp_path, modules=2))
    course = db.session.scalar(select(Course))
    enrol(user, course)
    modules = db.session.scalars(select(Module).order_by(Module.id)).all()
    with caplog.at_level(logging.ERROR, logger="pelita.events"):
        assert mark_module_done(user, course, modules[0]) is False  # the raising handler ran
        assert plugins.good.heard == []
        assert mark_module_done(user, course, modules[1]) is True
    assert "handler exploded" in caplog.text
    assert [name for name, _, _ in plugins.good.heard] == ["course-completed", "certificate-issued"]
    (_, completed, committed), (_, issued, _) = plugins.good.heard
    assert committed, "the handler ran before the completion was committed"
    enrollment = db.session.scalar(select(Enrollment))
    assert completed == {
        "user_id": user.id, "course_id": course.id, "course_slug": "kursus-uji",
        "course_version_id": course.current_version_id,
        "completed_at": completed["completed_at"], "score": None,
    }
    assert completed["completed_at"].startswith(enrollment.completed_at.isoformat()[:19])
    assert set(issued) == set(events.EVENT_DATA["certificate-issued"])
    assert issued["user_id"] == user.id and issued["course_slug"] == "kursus-uji"
    assert issued["code"].startswith("PLT-") and issued["issued_by_id"] is None
    json.dumps(completed), json.dumps(issued)


def test_a_raising_handler_does_not_break_marking_a_module_done(app, logged_in, tmp_path):
    import_folder(make_pack(tmp_path, modules=2))
    logged_in.post("/courses/kursus-uji/enrol")
    course = db.session.scalar(select(Course))
    module = db.session.scalar(select(Module).order_by(Module.id))
    response = logged_in.post(f"/courses/kursus-uji/modules/{module.slug}/done")
    assert response.status_code in (200, 302, 303)
    db.session.expire_all()
    from lms.learning.progress import progress_for

    user_id = db.session.scalar(select(Enrollment.user_id))
    assert module.id in progress_for(user_id, [course])[course.id].done_module_ids


def test_admin_page_lists_each_plugin_with_its_status(client, auth, admin_user):
    auth.login(admin_user.email)
    page = client.get("/admin/plugins")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # In Bahasa Indonesia, the default: Dimuat = loaded, Gagal dimuat = failed, Ditolak = refused.
    for text in ("good", "1.2.0", "Hears course completions.", "Dimuat", "Gagal dimuat",
                 "ModuleNotFoundError", "RuntimeError: cannot reach the webhook store",
                 "Ditolak", "already taken", "Dinonaktifkan", "likert-test", "good_pages",
                 "dijalankan ulang", "PELITA_DISABLED_PLUGINS"):
        assert text in html, text
    nav = client.get("/").get_data(as_text=True)
    assert 'href="/admin/plugins"' in nav


def test_participants_may_not_open_the_plugins_page(app, logged_in):
    assert logged_in.get("/admin/plugins").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/admin/plugins")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_disabled_names_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PELITA_DISABLED_PLUGINS", " webhooks, ,likert ")
    assert config.TestConfig().PELITA_DISABLED_PLUGINS == ["webhooks", "likert"]


def test_a_plugin_disabled_by_its_own_name_is_not_initialised(monkeypatch, app):
    plugin = SimpleNamespace(name="renamed", version="1", description="",
                             init_app=lambda a: pytest.fail("initialised"))
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda **kw: [FakeEntryPoint("ep-name", plugin)])
    app.config["PELITA_DISABLED_PLUGINS"] = "renamed"
    [record] = load_plugins(app)
    assert record.status == "disabled" and record.name == "renamed"


def test_a_broken_installation_does_not_stop_the_app(monkeypatch, app):
    def broken(**kwargs):
        raise OSError("metadata unreadable")

    monkeypatch.setattr(importlib.metadata, "entry_points", broken)
    [record] = load_plugins(app)
    assert record.status == "failed" and "metadata unreadable" in record.error


def test_the_page_says_when_nothing_is_installed(monkeypatch, app, client, auth, admin_user):
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kw: [])
    app.config["PELITA_DISABLED_PLUGINS"] = []
    load_plugins(app)
    auth.login(admin_user.email)
    html = client.get("/admin/plugins").get_data(as_text=True)
    assert "Belum ada plugin yang terpasang." in html
    assert "Tidak ada plugin yang dinonaktifkan." in html
    assert "<table" not in html
