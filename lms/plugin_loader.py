"""Plugins: installed packages that extend Pelita through the `pelita.plugins` entry point group.

A plugin is one object (a module, a class instance...) with `name`, `version`, `description` and
`init_app(app)`. `load_plugins(app)` runs once in `create_app`, after the blueprints, question
types and CLI exist, and never stops the app from starting: a plugin that fails to import, lacks
the contract, or whose `init_app` raises is recorded as `failed` with its error; one claiming a
name already taken is `refused` with a message naming both; one listed in
`PELITA_DISABLED_PLUGINS`, or switched off by an admin on /admin/plugins (a `PluginState` row,
read here at start-up), is `disabled` and not even imported. The records are kept in
`app.extensions["pelita_plugins"]` for the admin page (/admin/plugins).

Plugins themselves import only `lms.plugins` (the API, implemented in `lms.plugin_api`); this
module is the host side: the app factory and the admin page use it.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from lms import events
from lms.jobs.registry import registry as job_registry
from lms.plugin_api.hooks import CURRENT, PACK_SOURCES, TEMPLATES, TRANSLATIONS

log = logging.getLogger("pelita.plugins")

ENTRY_POINT_GROUP = "pelita.plugins"

LOADED, FAILED, DISABLED, REFUSED = "loaded", "failed", "disabled", "refused"


@dataclass
class PluginRecord:
    """What the admin page shows about one installed plugin."""

    name: str
    source: str  # the entry point, e.g. "pelita-webhooks = pelita_webhooks:plugin"
    status: str  # loaded | failed | disabled | refused
    version: str = ""
    description: str = ""
    error: str = ""
    question_types: list[str] = field(default_factory=list)
    blueprints: list[str] = field(default_factory=list)
    event_handlers: list[str] = field(default_factory=list)  # "event-name: handler"
    blueprint_urls: dict[str, str] = field(default_factory=dict)  # blueprint name -> /p/<name>/
    cli_commands: list[str] = field(default_factory=list)  # "flask lms webhooks send"
    certificate_templates: list[str] = field(default_factory=list)
    pack_sources: list[str] = field(default_factory=list)
    translations: list[str] = field(default_factory=list)  # folders
    job_handlers: list[str] = field(default_factory=list)
    disabled_by: str = ""  # "setting" (PELITA_DISABLED_PLUGINS) | "admin" (/admin/plugins)
    distribution: str = ""  # the installed package that provides it, e.g. "pelita-webhooks"
    refused_for: str = ""  # refused: the entry point of the plugin that holds the name

    @property
    def enabled(self) -> bool:
        """Whether the plugin runs in this process (it may still have failed to load)."""
        return self.status != DISABLED


def disabled_names(app: Flask) -> set[str]:
    value = app.config.get("PELITA_DISABLED_PLUGINS") or ()
    if isinstance(value, str):
        value = value.split(",")
    return {name.strip() for name in value if name and name.strip()}


def _source(ep: Any) -> str:
    return f"{ep.name} = {ep.value}"


def _distribution(ep: Any) -> str:
    dist = getattr(ep, "dist", None)
    return str(getattr(dist, "name", "") or "")


def _receivers() -> dict[str, set[int]]:
    return {signal.name: set(signal.receivers) for signal in events.ALL_SIGNALS}


def _receiver(signal, receiver_id: int) -> Any:
    receiver = signal.receivers.get(receiver_id)
    return receiver() if isinstance(receiver, weakref.ref) else receiver


def _describe(receiver_id: int, signal) -> str:
    receiver = _receiver(signal, receiver_id)
    name = getattr(receiver, "__qualname__", None) or repr(receiver)
    module = getattr(receiver, "__module__", "")
    return f"{signal.name}: {module}.{name}" if module else f"{signal.name}: {name}"


def _question_type_names(app: Flask) -> list[str]:
    registry = app.extensions.get("pelita_question_types")
    return registry.names() if registry is not None else []


def _check_contract(obj: Any) -> str:
    name = getattr(obj, "name", None)
    if not isinstance(name, str) or not name.strip():
        return "the plugin object has no `name` (a non-empty string)"
    if not callable(getattr(obj, "init_app", None)):
        return "the plugin object has no callable `init_app(app)`"
    return ""


def admin_states(app: Flask) -> dict[str, bool] | None:
    """{plugin name: enabled} as admins left them on /admin/plugins, or None if unreadable.

    Read once at start-up. A database that is down or not migrated yet (no `plugin_states`
    table) must not stop the site: that is logged and only PELITA_DISABLED_PLUGINS counts.
    Where the tables are created after the app (`TABLES_CREATED_AFTER_START`, the test suite's
    configuration), a missing table holds no choice yet: {} and nothing logged.
    """
    from sqlalchemy import inspect, select

    from lms.extensions import db
    from lms.plugin_store import PluginState

    try:
        with app.app_context():
            if app.config.get("TABLES_CREATED_AFTER_START") and not inspect(db.engine).has_table(
                    PluginState.__tablename__):
                return {}
            try:
                rows = db.session.execute(select(PluginState.name, PluginState.enabled)).all()
                return {name: bool(enabled) for name, enabled in rows}
            finally:
                db.session.rollback()
                db.session.remove()
    except Exception as exc:  # no table yet, database down, ...
        log.warning("plugin states not read (%s: %s); only PELITA_DISABLED_PLUGINS applies",
                    type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
        return None


def load_plugins(app: Flask) -> list[PluginRecord]:
    """Load every `pelita.plugins` entry point into `app`; never raises for a plugin's fault."""
    records: list[PluginRecord] = []
    app.extensions["pelita_plugins"] = records
    disabled = disabled_names(app)
    taken: dict[str, PluginRecord] = {}
    try:
        found = list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    except Exception as exc:  # a broken installation must not take the site down
        log.exception("could not list plugins")
        records.append(PluginRecord(name="?", source=ENTRY_POINT_GROUP, status=FAILED,
                                    error=f"{type(exc).__name__}: {exc}"))
        return records
    states = admin_states(app) if found else {}
    app.extensions["pelita_plugin_states_read"] = states is not None
    by_admin = {name for name, enabled in (states or {}).items() if not enabled}
    for ep in found:
        if ep.name in disabled or ep.name in by_admin:
            why = "setting" if ep.name in disabled else "admin"
            records.append(PluginRecord(name=ep.name, source=_source(ep), status=DISABLED,
                                        disabled_by=why))
            log.info("plugin %r is disabled (%s)", ep.name,
                     "PELITA_DISABLED_PLUGINS" if why == "setting" else "by an admin")
            continue
        jobs_before = set(job_registry.names())
        try:
            obj = ep.load()
        except Exception as exc:
            records.append(_failed(ep.name, ep, exc, "could not be imported"))
            continue
        problem = _check_contract(obj)
        if problem:
            records.append(PluginRecord(name=ep.name, source=_source(ep), status=FAILED,
                                        error=problem))
            log.error("plugin %s: %s", _source(ep), problem)
            continue
        record = PluginRecord(name=obj.name.strip(), source=_source(ep), status=LOADED,
                              version=str(getattr(obj, "version", "") or ""),
                              description=str(getattr(obj, "description", "") or ""),
                              distribution=_distribution(ep))
        records.append(record)
        if record.name in disabled or record.name in by_admin:
            record.status = DISABLED
            record.disabled_by = "setting" if record.name in disabled else "admin"
            continue
        if record.name in taken:
            other = taken[record.name]
            record.status = REFUSED
            record.refused_for = other.source
            record.error = (f"The name {record.name!r} is already taken by the plugin "
                            f"{other.source!r}; {record.source!r} is refused.")
            log.error("plugin refused: %s", record.error)
            continue
        _init(app, obj, record)
        if record.status == LOADED:
            taken[record.name] = record
            # Job handlers registered when the plugin's module was imported.
            for name in sorted(set(job_registry.names()) - jobs_before):
                if name not in record.job_handlers:
                    record.job_handlers.append(name)
    return records


def _failed(name: str, ep: Any, exc: BaseException, what: str) -> PluginRecord:
    log.error("plugin %s %s", _source(ep), what, exc_info=exc)
    return PluginRecord(name=name, source=_source(ep), status=FAILED,
                        error=f"{type(exc).__name__}: {exc}")


def _init(app: Flask, obj: Any, record: PluginRecord) -> None:
    """Run `init_app` and note what it registered; on failure, disconnect its event handlers."""
    types_before = _question_type_names(app)
    blueprints_before = set(app.blueprints)
    receivers_before = _receivers()
    app.extensions[CURRENT] = record
    try:
        obj.init_app(app)
    except Exception as exc:
        record.status = FAILED
        record.error = f"{type(exc).__name__}: {exc}"
        log.exception("plugin %r (%s) failed in init_app", record.name, record.source)
        for signal in events.ALL_SIGNALS:
            for receiver_id in set(signal.receivers) - receivers_before[signal.name]:
                receiver = _receiver(signal, receiver_id)
                if receiver is not None:
                    signal.disconnect(receiver)
        _undo(app, record)
        return
    finally:
        app.extensions.pop(CURRENT, None)
    record.question_types = [n for n in _question_type_names(app) if n not in types_before]
    record.blueprints = [n for n in app.blueprints if n not in blueprints_before]
    for signal in events.ALL_SIGNALS:
        for receiver_id in set(signal.receivers) - receivers_before[signal.name]:
            record.event_handlers.append(_describe(receiver_id, signal))
    log.info("plugin %r %s loaded", record.name, record.version)


def _undo(app: Flask, record: PluginRecord) -> None:
    """Forget what a failed plugin registered where that can be undone: its certificate
    designs, pack sources, translations and CLI commands (routes stay, Flask cannot remove
    them; they are listed with the failed plugin)."""
    for name in record.certificate_templates:
        app.extensions.get(TEMPLATES, {}).pop(name, None)
    for name in record.pack_sources:
        app.extensions.get(PACK_SOURCES, {}).pop(name, None)
    babel = app.extensions.get("babel")
    for folder in record.translations:
        if folder in app.extensions.get(TRANSLATIONS, []):
            app.extensions[TRANSLATIONS].remove(folder)
            if babel is not None and folder in babel.translation_directories:
                babel.translation_directories.remove(folder)
    group = app.cli.commands.get("lms")
    for line in record.cli_commands:
        name = line.split()[2] if len(line.split()) > 2 else ""
        if group is not None and hasattr(group, "commands"):
            group.commands.pop(name, None)


def plugin_records(app: Flask) -> list[PluginRecord]:
    return app.extensions.get("pelita_plugins", [])


def translation_languages(folder: str | Path) -> list[str]:
    """The locales a translations folder has a catalogue for (`<folder>/<locale>/LC_MESSAGES`)."""
    path = Path(folder)
    try:
        return sorted(p.name for p in path.iterdir() if (p / "LC_MESSAGES").is_dir())
    except OSError:
        return []


# Absolute paths on the server: under a known root (the project, Python's installation, the
# temporary folder, a home folder...), or any path of three or more folders. URL paths such as
# "/p/webhooks/" or "/admin/x" have fewer and stay.
_PATH_CHARS = r"[^\s'\"<>:,;()\[\]]"
_WINDOWS_PATH = re.compile(rf"\b[A-Za-z]:\\(?:{_PATH_CHARS}+\\)*{_PATH_CHARS}*")
_DEEP_PATH = re.compile(rf"(?<![\w.:/])/(?:{_PATH_CHARS}+/){{2,}}{_PATH_CHARS}+")


def _known_roots() -> list[str]:
    import site
    import sys
    import tempfile

    from config import BASE_DIR, INSTANCE_DIR

    roots = {str(BASE_DIR), str(INSTANCE_DIR), sys.prefix, sys.base_prefix, sys.exec_prefix,
             tempfile.gettempdir(), str(Path.home())}
    with contextlib.suppress(Exception):
        roots.update(site.getsitepackages())
    return sorted((r for r in roots if r and r not in ("/", ".")), key=len, reverse=True)


def redact_paths(text: str) -> str:
    """`text` (a plugin's error) with every server path replaced by `…/<last part>`, so the
    admin page does not show how the server's folders are laid out; the log keeps the full
    message."""
    if not text:
        return text

    def last_part(match: re.Match) -> str:
        path = match.group(0).rstrip("/\\")
        sep = "\\" if "\\" in path and "/" not in path else "/"
        return "…" + sep + re.split(r"[/\\]", path)[-1]

    for root in _known_roots():
        text = re.sub(re.escape(root) + rf"(?:[/\\]{_PATH_CHARS}*)*", last_part, text)
    text = _WINDOWS_PATH.sub(last_part, text)
    return _DEEP_PATH.sub(last_part, text)
