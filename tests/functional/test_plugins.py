"""Plugins from the `pelita.plugins` entry point group: loading, failures, disabling, admin page,
learning events heard by a plugin when a learner completes a course, and every hook of the
plugin API (blueprints, CLI, translations, certificate designs, pack sources, job handlers,
settings), plus enabling and disabling a plugin from /admin/plugins across a restart."""

from __future__ import annotations

import importlib.metadata
import json
import logging
from types import SimpleNamespace

import click
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from blinker import Signal
from flask import Blueprint, render_template
from flask_babel import gettext
from sqlalchemy import select

import config
from lms import create_app, events
from lms import plugins as api
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.learning.services import enrol, mark_module_done
from lms.plugin_loader import load_plugins
from lms.quizzes.base import QuestionType
from tests.fixtures import CSRFClient
from tests.helpers.packs import import_folder, make_pack

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


def _write_plugin_files(root):
    """A plugin's own files: a page template, a static file, a compiled Indonesian catalogue, a
    certificate design and a folder with one course pack."""
    (root / "templates" / "hooks").mkdir(parents=True)
    (root / "templates" / "hooks" / "index.html").write_text(
        '{% extends "base.html" %}{% block content %}<p id="hello">{{ hello }}</p>'
        '<p id="app-string">{{ _("Plugins") }}</p>{% endblock %}', "utf-8")
    (root / "static").mkdir()
    (root / "static" / "hooks.css").write_text("#hello { color: teal; }\n", "utf-8")
    catalog = Catalog(locale="id", domain="messages")
    catalog.add("Hello from the hooks plugin", "Halo dari plugin hooks")
    catalog.add("Plugins", "TIMPA")  # the app's own translation must win
    (root / "translations" / "id" / "LC_MESSAGES").mkdir(parents=True)
    with open(root / "translations" / "id" / "LC_MESSAGES" / "messages.mo", "wb") as fh:
        write_mo(fh, catalog)
    (root / "design").mkdir()
    (root / "design" / "certificate.html").write_text(
        "<html><head><style>{% include 'certificate.css' %}</style></head><body>"
        "<h1>{{ d.holder_name }}</h1><p>{{ d.code }}</p><img src=\"{{ qr_src }}\" alt=\"QR\">"
        "</body></html>", "utf-8")
    (root / "design" / "certificate.css").write_text("@page { size: A5; }\n", "utf-8")
    make_pack(root / "packs", "kursus-sumber", modules=1)


@click.group(help="The hooks plugin's commands.")
def hooks_cli():
    pass


@hooks_cli.command("greet")
@click.option("--name", required=True)
def hooks_greet(name):
    """Remember a name in the plugin's settings."""
    api.plugin_settings("hooks").save("greeted", name)
    click.echo(f"greeted {name}")


def hooks_job(payload):
    """A job handler of the hooks plugin."""


class HooksPlugin:
    """Uses every hook of the plugin API."""

    name = "hooks"
    version = "2.0"
    description = "Uses every hook."

    def __init__(self, root) -> None:
        self.root = root
        self.pack_source_calls = 0

    def packs(self):
        self.pack_source_calls += 1
        return [self.root / "packs"]

    def init_app(self, app):
        bp = Blueprint("hooks_pages", __name__, template_folder=str(self.root / "templates"),
                       static_folder=str(self.root / "static"), static_url_path="/static")

        @bp.route("/")
        def index():
            return render_template("hooks/index.html", hello=gettext("Hello from the hooks plugin"))

        api.register_blueprint(app, "hooks", bp)
        api.register_cli(app, "hooks", hooks_cli)
        api.register_translations(app, self.root / "translations")
        api.register_certificate_template(app, "hooks-design", self.root / "design")
        api.register_pack_source(app, "hooks-packs", self.packs)
        api.register_job_handler(app, "hooks.ping", hooks_job)


def _failing(name, init):
    return SimpleNamespace(name=name, version="1", description="", init_app=init)


def _wrong_prefix(app):
    api.register_blueprint(app, "wrong-prefix", Blueprint("wrong_pages", __name__,
                                                          url_prefix="/admin/x"))


def _half_then_raise(app, root):
    api.register_certificate_template(app, "half-design", root / "design")
    api.register_pack_source(app, "half-packs", lambda: [])
    raise RuntimeError("half done")


@pytest.fixture
def plugins(tmp_path):
    root = tmp_path / "hooks-plugin"
    root.mkdir()
    _write_plugin_files(root)
    yield SimpleNamespace(
        hooks=HooksPlugin(root),
        wrong=_failing("wrong-prefix", _wrong_prefix),
        cli_taken=_failing("demo", lambda app: api.register_cli(app, "demo", hooks_cli)),
        other_name=_failing("impostor", lambda app: api.register_cli(app, "hooks", hooks_cli)),
        half=_failing("half", lambda app: _half_then_raise(app, root)),
        good=GoodPlugin(), explodes=RaisingInit(), bad=RaisingHandler(),
        twin=SimpleNamespace(name="good", version="9", description="A twin.",
                             init_app=lambda app: None),
        off=SimpleNamespace(name="off", version="1", description="Disabled.",
                            init_app=lambda app: pytest.fail("loaded")))
    from lms.jobs.registry import registry

    registry.remove("hooks.ping")


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
        FakeEntryPoint("hooks", plugins.hooks),
        FakeEntryPoint("wrong-prefix", plugins.wrong),
        FakeEntryPoint("demo", plugins.cli_taken),
        FakeEntryPoint("impostor", plugins.other_name),
        FakeEntryPoint("half", plugins.half),
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
    assert response.status_code == 302  # the learner goes on as usual: no error page
    assert response.headers["Location"].endswith(f"/courses/kursus-uji/modules/{module.slug}")
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
    admin_home = client.get("/admin/").get_data(as_text=True)  # one Administration link
    assert 'href="/admin/plugins"' in admin_home


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


# --------------------------------------------------------------------------- the plugin API


def test_every_hook_is_recorded_for_the_admin_page(app, plugins):
    r = _records(app)["hooks"]
    assert r.status == "loaded", r.error
    assert r.blueprints == ["hooks_pages"] and r.blueprint_urls == {"hooks_pages": "/p/hooks/"}
    assert r.cli_commands == ["flask lms hooks greet"]
    assert r.certificate_templates == ["hooks-design"]
    assert r.pack_sources == ["hooks-packs"]
    assert r.translations == [str((plugins.hooks.root / "translations").resolve())]
    assert r.job_handlers == ["hooks.ping"]


def test_a_blueprint_is_mounted_under_p_with_its_templates_static_and_translations(
        app, client):
    page = client.get("/p/hooks/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # The plugin's catalogue translates its own msgid (Indonesian is the default language) ...
    assert '<p id="hello">Halo dari plugin hooks</p>' in html
    # ... and the application's catalogue still wins for the application's msgids.
    assert '<p id="app-string">Plugin</p>' in html
    static = client.get("/p/hooks/static/hooks.css")
    assert static.status_code == 200 and b"teal" in static.data
    static.close()
    client.set_cookie("pelita_lang", "en")
    assert '<p id="hello">Hello from the hooks plugin</p>' in client.get("/p/hooks/").text


def test_a_blueprint_with_another_prefix_is_refused_and_the_site_still_starts(app, client):
    r = _records(app)["wrong-prefix"]
    assert r.status == "failed"
    assert "/admin/x" in r.error and "/p/wrong-prefix/" in r.error
    assert "wrong_pages" not in app.blueprints
    assert client.get("/").status_code == 200


def test_register_blueprint_refuses_a_bad_or_foreign_name(app):
    with pytest.raises(api.PluginError, match="lowercase"):
        api.register_blueprint(app, "Bad Name", Blueprint("bad", __name__))
    with pytest.raises(api.PluginError, match="already used"):
        api.register_blueprint(app, "hooks", Blueprint("hooks_other", __name__))


def test_a_plugin_cli_command_runs_under_flask_lms(app, runner):
    result = runner.invoke(args=["lms", "hooks", "greet", "--name", "Budi"])
    assert result.exit_code == 0, result.output
    assert "greeted Budi" in result.output
    assert api.plugin_settings("hooks").get("greeted") == "Budi"
    listing = runner.invoke(args=["lms", "--help"]).output
    assert "hooks" in listing and "The hooks plugin's commands." in listing


def test_a_cli_name_already_taken_is_refused_naming_both(app):
    r = _records(app)["demo"]
    assert r.status == "failed"
    assert "`flask lms demo` already exists" in r.error and "'demo' is refused" in r.error
    # The built-in command is untouched.
    assert app.cli.commands["lms"].commands["demo"].callback.__name__ == "demo"


def test_a_plugin_may_register_only_under_its_own_name(app):
    r = _records(app)["impostor"]
    assert r.status == "failed"
    assert "'impostor' may register only under its own name, not 'hooks'" in r.error


def test_what_a_failing_plugin_registered_is_forgotten(app, plugins):
    r = _records(app)["half"]
    assert r.status == "failed" and r.error == "RuntimeError: half done"
    assert "half-design" not in api.certificate_templates(app)
    assert "half-packs" not in {s.name for s in api.pack_sources(app)}
    assert "hooks-design" in api.certificate_templates(app)


def test_register_translations_needs_a_folder(app, tmp_path):
    with pytest.raises(api.PluginError, match="not found"):
        api.register_translations(app, tmp_path / "nothing-here")


def test_a_certificate_template_needs_its_files_and_a_free_name(app, tmp_path, plugins):
    (tmp_path / "empty").mkdir()
    with pytest.raises(api.PluginError, match="lacks certificate.html, certificate.css"):
        api.register_certificate_template(app, "empty", tmp_path / "empty")
    with pytest.raises(api.PluginError, match="already registered by 'hooks'"):
        api.register_certificate_template(app, "hooks-design", plugins.hooks.root / "design")
    with pytest.raises(api.PluginError, match="built-in"):
        api.register_certificate_template(app, "default", plugins.hooks.root / "design")


def test_a_course_picks_the_plugin_design_and_the_fetcher_stays_locked(
        app, logged_in, participant, tmp_path, monkeypatch):
    from lms.certificates import pdf as pdfmod
    from lms.certificates import services as cert_services
    from lms.certificates.models import Certificate

    pack = make_pack(tmp_path / "own", "kursus-desain", modules=1)
    toml = pack / "course.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[certificate]\ntemplate = "hooks-design"\n',
                    "utf-8")
    design = app.extensions["pelita_certificate_templates"]["hooks-design"].folder
    (design / "certificate.css").write_text(
        '@page { size: A5; }\nbody { background: url("file:///etc/passwd"); }\n'
        'h1 { background: url("https://example.com/x.png"); }\n', "utf-8")
    seen = []
    real = pdfmod.make_fetcher

    def spy(*args):
        fetcher = real(*args)
        seen.append(fetcher)
        return fetcher

    monkeypatch.setattr(pdfmod, "make_fetcher", spy)
    import_folder(pack)
    logged_in.post("/courses/kursus-desain/enrol")
    logged_in.post("/courses/kursus-desain/modules/modul-1/done")
    cert = db.session.scalar(select(Certificate))
    response = logged_in.get(f"/certificates/{cert.code}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    (fetcher,) = seen
    assert set(fetcher.refused) == {"file:///etc/passwd", "https://example.com/x.png"}
    assert b"root:" not in response.data
    template = api.certificate_templates(app)["hooks-design"]
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).pdf_design == cert_services.current_design(template)


def test_the_design_version_includes_the_template(app, plugins):
    from lms.certificates.pdf import pdf_design_version

    static = app.static_folder
    design = plugins.hooks.root / "design"
    default = pdf_design_version(static)
    mine = pdf_design_version(static, template_dir=design, template_name="hooks-design")
    assert mine != default
    (design / "certificate.css").write_text("@page { size: A4; }\n", "utf-8")
    assert pdf_design_version(static, template_dir=design, template_name="hooks-design") != mine


def test_unknown_template_names_are_reported_for_validate_and_import(app, tmp_path):
    from lms.certificates.services import unknown_templates
    from lms.courses.services.importer import load_packs

    pack = make_pack(tmp_path / "x", "kursus-asing", modules=1)
    toml = pack / "course.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[certificate]\ntemplate = "tidak-ada"\n', "utf-8")
    packs, problems = load_packs([str(pack)])
    warnings = unknown_templates([p for p in packs if p.slug == "kursus-asing"])
    assert len(warnings) == 1 and "'tidak-ada' is not installed" in warnings[0]
    assert "hooks-design" in warnings[0]


def test_a_pack_source_feeds_flask_lms_import(app, runner, plugins, tmp_path):
    empty = tmp_path / "no-courses"
    empty.mkdir()
    result = runner.invoke(args=["lms", "import", str(empty)])
    assert result.exit_code == 0, result.output
    assert "kursus-sumber" in result.output
    assert db.session.scalar(select(Course).where(Course.slug == "kursus-sumber")) is not None
    assert plugins.hooks.pack_source_calls >= 1


def test_a_failing_pack_source_is_reported_by_name(app, runner, plugins, tmp_path, monkeypatch):
    def broken():
        raise OSError("shared drive offline")

    monkeypatch.setattr(plugins.hooks, "packs", broken)
    sources = app.extensions["pelita_pack_sources"]
    monkeypatch.setitem(sources, "hooks-packs", api.PackSource("hooks-packs", broken, "hooks"))
    empty = tmp_path / "no-courses"
    empty.mkdir()
    result = runner.invoke(args=["lms", "import", str(empty)])
    assert result.exit_code != 0
    assert "pack source hooks-packs" in result.output and "shared drive offline" in result.output
    assert db.session.scalar(select(Course)) is None


def test_pack_sources_are_not_used_outside_an_app(tmp_path):
    from lms.content import discover_packs

    found, problems = discover_packs([tmp_path], entry_point_group=None)
    assert found == [] and problems == []
    make_pack(tmp_path / "src", "kursus-x", modules=1)
    found, problems = discover_packs([], entry_point_group=None,
                                     pack_sources=[("mine", lambda: [tmp_path / "src"])])
    assert [label for _, label in found] == [f"pack source mine ({tmp_path / 'src' / 'kursus-x'})"]


def test_job_handlers_of_plugins_are_in_the_registry(app):
    from lms.jobs.registry import registry

    assert registry.get("hooks.ping") is hooks_job
    with pytest.raises(api.PluginError, match="already registered"):
        api.register_job_handler(app, "hooks.ping", lambda payload: None)


def test_plugin_settings_get_set_save_and_transactions(app):
    settings = api.plugin_settings("hooks")
    assert settings.get("url", "none") == "none"
    settings.set("url", "https://contoh.id/hook")
    assert settings.get("url") == "https://contoh.id/hook"
    db.session.rollback()  # set joined the caller's transaction, which did not commit
    assert settings.get("url") is None
    settings.set("url", "https://contoh.id/a")
    db.session.commit()
    settings.save("events", ["course-completed", "certificate-issued"])
    settings.save("url", "https://contoh.id/b")  # overwrites
    db.session.remove()
    assert api.plugin_settings("hooks").all() == {
        "events": ["course-completed", "certificate-issued"], "url": "https://contoh.id/b"}
    assert api.plugin_settings("other").get("url") is None  # each plugin has its own keys
    with pytest.raises(api.PluginError, match="not JSON"):
        settings.save("bad", object())
    with pytest.raises(api.PluginError, match="setting key"):
        settings.set("", 1)
    settings.delete("events")
    db.session.commit()
    assert settings.all() == {"url": "https://contoh.id/b"}


def test_admin_page_lists_what_each_plugin_registers(client, auth, admin_user, english_messages):
    auth.login(admin_user.email)
    client.set_cookie("pelita_lang", "en")
    html = client.get("/admin/plugins").get_data(as_text=True)
    # What it adds in plain words; the names themselves among the technical details.
    for text in ('<a href="/p/hooks/">/p/hooks/</a>', "Its own pages on the site",
                 "Commands for the server administrator", "<code>flask lms hooks greet</code>",
                 "Certificate designs a course can choose: hooks-design",
                 "A place to take course packs from", "<code>hooks-packs</code>",
                 "Its texts in ", "Work done in the background", "<code>hooks.ping</code>",
                 "Uses every hook.", "takes effect at the next start", "/admin/x", "half done"):
        assert text in html, text


def test_the_admin_page_runs_a_constant_number_of_queries(client, auth, admin_user,
                                                          count_queries):
    auth.login(admin_user.email)
    client.get("/admin/plugins")
    with count_queries() as queries:
        assert client.get("/admin/plugins").status_code == 200
    assert len(queries) <= 3, queries.statements


# --------------------------------------------------------------------------- enable / disable


def test_only_admins_may_switch_plugins(app, logged_in):
    assert logged_in.post("/admin/plugins/good/state", data={"enabled": "0"}).status_code == 403


def test_switching_needs_csrf_a_known_plugin_and_a_valid_value(client, auth, admin_user):
    auth.login(admin_user.email)
    assert client.post("/admin/plugins/good/state", data={"enabled": "0"},
                       csrf=False).status_code == 400
    assert client.post("/admin/plugins/nope/state", data={"enabled": "0"}).status_code == 404
    assert client.post("/admin/plugins/good/state", data={"enabled": "maybe"}).status_code == 400
    from lms.plugin_store import PluginState

    assert db.session.scalar(select(PluginState)) is None


def _fresh_app(url, entry_points):
    settings = config.TestConfig(url)
    settings.PELITA_DISABLED_PLUGINS = ["off"]
    new = create_app(settings)
    new.test_client_class = CSRFClient
    return new


def _disconnect(app):
    for signal in events.ALL_SIGNALS:
        for receiver in list(signal.receivers_for(app)):
            signal.disconnect(receiver)


def test_disable_and_enable_round_trip_across_restarts(database_url, entry_points, tmp_path):
    from lms.audit import AuditEvent
    from lms.auth import services as auth_services
    from lms.plugin_store import PluginState

    url = database_url if database_url.startswith("postgresql") else (
        f"sqlite:///{tmp_path / 'restart.sqlite3'}")
    apps = [_fresh_app(url, entry_points)]
    try:
        with apps[0].app_context():
            db.create_all()
            admin = auth_services.register_participant(
                full_name="Admin Uji", email="admin@contoh.id", password="kata-sandi-kuat-42",
                library_name="Perpustakaan", library_level="desa", province_code="32",
                regency_code="32.04", role="admin")
            admin_id = admin.id
        client = apps[0].test_client()
        client.set_cookie("pelita_lang", "en")
        client.post("/login", data={"email": "admin@contoh.id", "password": "kata-sandi-kuat-42"})
        response = client.post("/admin/plugins/good/state", data={"enabled": "0"})
        assert response.status_code == 302
        page = client.get("/admin/plugins").text
        assert "will be disabled at the next start of the site" in page  # the flash
        assert "Will be disabled at the next start." in page  # pending, still running
        assert _records(apps[0])["good"].status == "loaded"
        with apps[0].app_context():
            state = db.session.get(PluginState, "good")
            assert state.enabled is False and state.changed_by_id == admin_id
            event = db.session.scalar(select(AuditEvent).where(AuditEvent.scope == "plugin:good"))
            assert event.action == "plugin.disabled" and event.actor_id == admin_id

        apps.append(_fresh_app(url, entry_points))  # the next start
        record = _records(apps[1])["good"]
        assert record.status == "disabled" and record.disabled_by == "admin"
        assert "good_pages" not in apps[1].blueprints
        client = apps[1].test_client()
        client.set_cookie("pelita_lang", "en")
        client.post("/login", data={"email": "admin@contoh.id", "password": "kata-sandi-kuat-42"})
        page = client.get("/admin/plugins").text
        assert "by an administrator" in page and "Will be" not in page
        client.post("/admin/plugins/good/state", data={"enabled": "1"})
        assert "Will be enabled at the next start." in client.get("/admin/plugins").text

        apps.append(_fresh_app(url, entry_points))
        assert _records(apps[2])["good"].status == "loaded"
        assert "good_pages" in apps[2].blueprints
        with apps[2].app_context():
            actions = db.session.scalars(select(AuditEvent.action).where(
                AuditEvent.scope == "plugin:good").order_by(AuditEvent.id)).all()
            assert actions == ["plugin.disabled", "plugin.enabled"]
    finally:
        with apps[-1].app_context():
            db.session.remove()
            db.drop_all()
        for each in apps:
            with each.app_context():
                db.engine.dispose()
            _disconnect(each)


def test_the_setting_wins_over_the_admin_choice(database_url, entry_points, tmp_path):
    """An operator's PELITA_DISABLED_PLUGINS cannot be undone from the admin page."""
    app = _fresh_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", entry_points)
    try:
        record = _records(app)["off"]
        assert record.status == "disabled" and record.disabled_by == "setting"
    finally:
        with app.app_context():
            db.engine.dispose()
        _disconnect(app)


def test_a_database_that_is_down_does_not_stop_the_start(entry_points, caplog):
    settings = config.TestConfig("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    settings.SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"connect_timeout": 2}}
    settings.PELITA_DISABLED_PLUGINS = ["off"]
    with caplog.at_level(logging.WARNING, logger="pelita.plugins"):
        app = create_app(settings)
    try:
        assert "plugin states not read" in caplog.text
        assert _records(app)["good"].status == "loaded"
        assert app.extensions["pelita_plugin_states_read"] is False
    finally:
        with app.app_context():
            db.engine.dispose()
        _disconnect(app)


def test_a_database_without_the_plugin_tables_is_a_warning_at_start(entry_points, tmp_path,
                                                                   caplog):
    """In production a missing plugin_states table means the migrations have not run: worth a
    warning. Only a configuration that creates its tables after the app (the suite's) is quiet."""
    settings = config.TestConfig(f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}")
    settings.TABLES_CREATED_AFTER_START = False
    settings.PELITA_DISABLED_PLUGINS = ["off"]
    with caplog.at_level(logging.WARNING, logger="pelita.plugins"):
        app = create_app(settings)
    try:
        [warning] = [r for r in caplog.records if "plugin states not read" in r.getMessage()]
        assert warning.levelno == logging.WARNING and "plugin_states" in warning.getMessage()
        assert app.extensions["pelita_plugin_states_read"] is False
    finally:
        with app.app_context():
            db.engine.dispose()
        _disconnect(app)


def test_an_app_whose_tables_come_later_reads_no_states_quietly(entry_points, tmp_path, caplog):
    settings = config.TestConfig(f"sqlite:///{tmp_path / 'later.sqlite3'}")
    assert settings.TABLES_CREATED_AFTER_START
    settings.PELITA_DISABLED_PLUGINS = ["off"]
    with caplog.at_level(logging.DEBUG, logger="pelita.plugins"):
        app = create_app(settings)
    try:
        assert not [r for r in caplog.records if "plugin states" in r.getMessage()]
        assert app.extensions["pelita_plugin_states_read"] is True
        assert _records(app)["good"].status == "loaded"
    finally:
        with app.app_context():
            db.engine.dispose()
        _disconnect(app)


def test_the_page_works_before_the_plugin_tables_exist(app, client, auth, admin_user):
    from lms.plugin_store import PluginSetting, PluginState

    auth.login(admin_user.email)
    db.session.commit()  # end the test's own transaction: it would block DROP TABLE on PostgreSQL
    PluginState.__table__.drop(db.engine)
    try:
        html = client.get("/admin/plugins").get_data(as_text=True)
        assert "PELITA_DISABLED_PLUGINS" in html and 'action="/admin/plugins/good/state"' not in html
    finally:
        PluginState.__table__.create(db.engine)
    assert PluginSetting.__table__ is not None
