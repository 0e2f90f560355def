"""/admin/plugins shows no server paths, and plugin descriptions in the admin's language when the
plugin translates them (the shipped plugins do, in Indonesian)."""

from __future__ import annotations

import importlib.metadata
import sys
from types import SimpleNamespace

import config
from lms.plugin_loader import load_plugins
from lms.plugins import PluginError

SHIPPED = {
    "likert": ("Likert-scale self-assessment questions",
               "Pertanyaan penilaian diri berskala Likert"),
    "sertifikat-klasik": ("A classic portrait certificate design",
                          "Desain sertifikat klasik berorientasi potret"),
    "webhooks": ("Posts signed JSON webhooks", "Mengirim webhook JSON bertanda tangan"),
}


def _server_paths() -> list[str]:
    return [str(config.BASE_DIR), sys.prefix, "site-packages", "/LC_MESSAGES"]


def test_shipped_plugins_are_described_in_the_admins_language_without_server_paths(
        app, client, auth, admin_user):
    auth.login(admin_user.email)
    html = client.get("/admin/plugins").text  # Indonesian, the default
    for name, (english, indonesian) in SHIPPED.items():
        assert f'id="plugin-{name}"' in html, name
        assert indonesian in html and english not in html, name
    for path in _server_paths():
        assert path not in html, path
    assert "Terjemahan: Bahasa Indonesia" in html  # which languages, not which folder
    client.post("/language", data={"lang": "en"})
    html = client.get("/admin/plugins").text
    for name, (english, indonesian) in SHIPPED.items():
        assert english in html and indonesian not in html, name
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
    assert "translations folder not found: …/translations" in html
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
