"""The shipped plugins keep to the plugin API: no plugin under plugins/ imports anything of
Pelita but `lms.plugins` (docs/plugins.md, "The API")."""

from __future__ import annotations

from pathlib import Path

from tools.plugin_imports import internal_imports, plugin_sources, violations

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_plugin_imports_only_the_plugin_api():
    sources = list(plugin_sources(ROOT / "plugins"))
    packages = {path.relative_to(ROOT / "plugins").parts[1] for path in sources}
    assert {"pelita_likert", "pelita_webhooks", "pelita_sertifikat_klasik"} <= packages
    assert not any("tests" in path.relative_to(ROOT / "plugins").parts for path in sources)
    problems = violations(ROOT / "plugins")
    assert problems == [], "\n".join(problems)


def test_the_check_finds_every_form_of_import_with_its_line():
    source = """\
import json
import lms
import lms.audit as audit
from lms import plugins, clock
from lms.extensions import db
from lms.plugins import access, plugin_settings
from lms.plugins.x import y
from . import sibling
from pelita_webhooks import store


def late():
    from lms.jobs.models import Job
    import importlib
    importlib.import_module("lms.quizzes.models")
    importlib.import_module("lms.plugins")
    __import__("lms.events")
"""
    assert internal_imports(source) == [
        (2, "lms"), (3, "lms.audit"), (4, "lms.clock"), (5, "lms.extensions"),
        (13, "lms.jobs.models"), (15, "lms.quizzes.models"), (17, "lms.events")]


def test_a_plugin_that_imports_an_internal_module_is_named_with_file_and_line(tmp_path):
    package = tmp_path / "plugins" / "pelita-bad" / "pelita_bad"
    package.mkdir(parents=True)
    (package.parent / "pyproject.toml").write_text("[project]\nname = 'pelita-bad'\n")
    (package / "__init__.py").write_text("from lms.plugins import access\n")
    (package / "views.py").write_text("import flask\n\nfrom lms.extensions import db\n")
    (package.parent / "tests").mkdir()
    (package.parent / "tests" / "test_bad.py").write_text("from lms.extensions import db\n")
    assert violations(tmp_path / "plugins") == [
        "plugins/pelita-bad/pelita_bad/views.py:3 imports lms.extensions "
        "(a plugin imports only lms.plugins)"]
