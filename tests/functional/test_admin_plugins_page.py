"""/admin/plugins shows no server paths, and plugin descriptions in the admin's language when the
plugin translates them (the shipped plugins do, in Indonesian)."""

from __future__ import annotations

import importlib.metadata
import re
import sys
from types import SimpleNamespace

import config
from lms.plugin_loader import load_plugins
from lms.plugins import PluginError

SHIPPED = {
    "likert": ("Likert-scale self-assessment questions",
               "Pertanyaan penilaian diri berskala Likert",
               "Jenis pertanyaan baru: Skala Likert"),
    "sertifikat-klasik": ("A classic portrait certificate design",
                          "Desain sertifikat klasik berorientasi potret",
                          "Desain sertifikat yang dapat dipilih kursus: klasik"),
    "webhooks": ("Posts signed JSON webhooks", "Mengirim webhook JSON bertanda tangan",
                 "Bekerja saat sesuatu terjadi di situs"),
}


def _server_paths() -> list[str]:
    return [str(config.BASE_DIR), sys.prefix, "site-packages", "/LC_MESSAGES"]


def _plugin(html: str, name: str) -> tuple[str, str]:
    """The plain part of a plugin's section and its folded technical details."""
    match = re.search(rf'<section[^>]*id="plugin-{re.escape(name)}".*?</section>', html, re.S)
    assert match, name
    section = match.group(0)
    plain, _sep, rest = section.partition("<details")
    return plain, rest.partition("</details>")[0]


def test_shipped_plugins_are_described_in_plain_indonesian_with_details_folded(
        app, client, auth, admin_user):
    auth.login(admin_user.email)
    html = client.get("/admin/plugins").text  # Indonesian, the default
    for name, (english, indonesian, adds) in SHIPPED.items():
        plain, details = _plugin(html, name)
        # What it is, what it adds and whether it works, in Indonesian, on the page ...
        assert indonesian in plain and adds in plain, name
        assert "Berjalan: dimulai bersama situs." in plain, name
        assert "Nonaktifkan" in plain, name  # the one button to switch it
        # ... the entry point, package, version and English description folded away.
        assert english not in plain and "pelita_" not in plain, name
        assert english in details, name
        assert f"{name} = " in details and "pelita_" in details, name
        assert "Detail teknis" in html
    for path in _server_paths():
        assert path not in html, path
    assert "Teksnya dalam Bahasa Indonesia" in html  # which languages, not which folder
    client.post("/language", data={"lang": "en"})
    html = client.get("/admin/plugins").text
    for name, (english, indonesian, _adds) in SHIPPED.items():
        plain, _details = _plugin(html, name)
        assert english in plain and indonesian not in html, name
    for path in _server_paths():
        assert path not in html, path


class _EntryPoint:
    group = "pelita.plugins"

    def __init__(self, name, obj):
        self.name, self.value, self._obj = name, f"fake_{name}:plugin", obj

    def load(self):
        return self._obj


def test_errors_on_the_page_name_files_without_their_folders(app, client, auth, admin_user,
                                                            monkeypatch, tmp_path):
    missing = tmp_path / "pelita_broken" / "translations"

    def init_app(a):
        raise PluginError(f"translations folder not found: {missing}")

    broken = SimpleNamespace(name="broken", version="1", description="Breaks.", init_app=init_app)
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda **kw: [_EntryPoint("broken", broken)])
    load_plugins(app)
    auth.login(admin_user.email)
    html = client.get("/admin/plugins").text
    plain, details = _plugin(html, "broken")
    assert "Tidak berjalan" in plain  # in plain words; the error itself is folded away
    assert "translations folder not found: …/translations" in details
    assert str(tmp_path) not in html


def test_redact_paths_keeps_urls_and_module_names():
    from lms.plugin_loader import redact_paths

    home = "/home/pustakawan/pelita/.venv/lib/python3.11/site-packages/pelita_x/design"
    assert redact_paths(f"certificate template 'x': {home} lacks certificate.css") == (
        "certificate template 'x': …/design lacks certificate.css")
    assert redact_paths(f"No such file: '{config.BASE_DIR}/plugins/x/a.toml'") == (
        "No such file: '…/a.toml'")
    kept = "the blueprint 'x' asks for the URL prefix '/admin/x'; plugin pages live under /p/x/"
    assert redact_paths(kept) == kept
    assert redact_paths("ModuleNotFoundError: No module named 'pelita_x.views'") == (
        "ModuleNotFoundError: No module named 'pelita_x.views'")
    assert redact_paths(r"C:\Users\admin\pelita\plugins\x.py broke") == "…\\x.py broke"
