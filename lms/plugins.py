"""Plugins: installed packages that extend Pelita through the `pelita.plugins` entry point group.

A plugin is one object (a module, a class instance...) with `name`, `version`, `description` and
`init_app(app)`. `load_plugins(app)` runs once in `create_app`, after the blueprints, question
types and CLI exist, and never stops the app from starting: a plugin that fails to import, lacks
the contract, or whose `init_app` raises is recorded as `failed` with its error; one claiming a
name already taken is `refused` with a message naming both; one listed in
`PELITA_DISABLED_PLUGINS` is `disabled` and not even imported. The records are kept in
`app.extensions["pelita_plugins"]` for the admin page (/admin/plugins).
"""

from __future__ import annotations

import importlib.metadata
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from lms import events

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


def disabled_names(app: Flask) -> set[str]:
    value = app.config.get("PELITA_DISABLED_PLUGINS") or ()
    if isinstance(value, str):
        value = value.split(",")
    return {name.strip() for name in value if name and name.strip()}


def _source(ep: Any) -> str:
    return f"{ep.name} = {ep.value}"


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
    for ep in found:
        if ep.name in disabled:
            records.append(PluginRecord(name=ep.name, source=_source(ep), status=DISABLED))
            log.info("plugin %r is disabled (PELITA_DISABLED_PLUGINS)", ep.name)
            continue
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
                              description=str(getattr(obj, "description", "") or ""))
        records.append(record)
        if record.name in disabled:
            record.status = DISABLED
            continue
        if record.name in taken:
            other = taken[record.name]
            record.status = REFUSED
            record.error = (f"The name {record.name!r} is already taken by the plugin "
                            f"{other.source!r}; {record.source!r} is refused.")
            log.error("plugin refused: %s", record.error)
            continue
        _init(app, obj, record)
        if record.status == LOADED:
            taken[record.name] = record
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
        return
    record.question_types = [n for n in _question_type_names(app) if n not in types_before]
    record.blueprints = [n for n in app.blueprints if n not in blueprints_before]
    for signal in events.ALL_SIGNALS:
        for receiver_id in set(signal.receivers) - receivers_before[signal.name]:
            record.event_handlers.append(_describe(receiver_id, signal))
    log.info("plugin %r %s loaded", record.name, record.version)


def plugin_records(app: Flask) -> list[PluginRecord]:
    return app.extensions.get("pelita_plugins", [])
