"""`lms.plugins` is exactly the documented, versioned plugin API: every name of `__all__` is
listed in docs/plugins.md ("The API"), nothing else is public, and the certificate design
context it names is the one designs are rendered with."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import lms.plugins
from lms import events
from lms.certificates import pdf

DOC = (Path(__file__).resolve().parents[2] / "docs" / "plugins.md").read_text("utf-8")


def _api_section() -> str:
    start = DOC.index("## The API: `lms.plugins`")
    return DOC[start:DOC.index("\n## ", start + 1)]


def test_the_module_exports_exactly_its_all():
    public = {name for name in vars(lms.plugins) if not name.startswith("_")}
    assert public == set(lms.plugins.__all__)
    assert len(lms.plugins.__all__) == len(set(lms.plugins.__all__))
    for name in lms.plugins.__all__:
        assert getattr(lms.plugins, name) is not None, name


def test_nothing_internal_leaks():
    leaked = {"db", "load_plugins", "plugin_records", "redact_paths", "PluginRecord", "Job",
              "QuizAttempt", "QuestionResponse", "emit_after_commit", "send", "writer_hooks",
              "course_version_imported", "registry", "audit"}
    assert leaked.isdisjoint(lms.plugins.__all__)


def test_every_name_is_documented_in_the_api_section():
    section = _api_section()
    missing = [name for name in lms.plugins.__all__
               if not re.search(rf"`{re.escape(name)}[`(]", section)]
    assert missing == []


def test_the_version_is_stated_and_documented():
    assert re.fullmatch(r"\d+\.\d+", lms.plugins.API_VERSION)
    assert f"## The API: `lms.plugins` (version {lms.plugins.API_VERSION})" in DOC
    assert f"`\"{lms.plugins.API_VERSION}\"`" in _api_section()


def test_every_learning_event_is_exported_by_name():
    assert lms.plugins.ALL_SIGNALS == events.ALL_SIGNALS
    for signal in events.ALL_SIGNALS:
        assert getattr(lms.plugins, signal.name.replace("-", "_")) is signal


def test_the_design_context_is_what_a_design_is_rendered_with(monkeypatch, tmp_path):
    seen: dict = {}

    class Template:
        def render(self, **context):
            seen.update(context)
            return ""

    class Environment:
        def get_template(self, name):
            return Template()

    monkeypatch.setattr(pdf, "_environment", lambda template_dir=None: Environment())
    data = pdf.CertificateData(
        holder_name="Siti", course_title_id="Kursus", course_title_en="Course", hours=4,
        completed_on=date(2026, 11, 26), place="Jakarta", code="PLT-AAAA-BBBB-C",
        issuer_name="Perpustakaan Nasional", signatory_name="Budi", signatory_role="Kepala")
    pdf.render_certificate_html(data, static_dir=tmp_path, verify_url="https://contoh.id/v")
    assert sorted(seen) == sorted(lms.plugins.DESIGN_CONTEXT)
    assert lms.plugins.CertificateData is pdf.CertificateData
