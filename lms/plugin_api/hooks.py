"""The hooks a plugin calls from its `init_app(app)`; a plugin imports them from `lms.plugins`.

Each hook registers one thing on `app` and notes it on the plugin's record, so /admin/plugins
shows what every plugin added. A hook refuses what would break the site (a blueprint outside
`/p/<plugin>/`, a CLI name, question type or certificate template taken by someone else) by
raising `PluginError`; raised from `init_app`, that marks the plugin as failed and the site
still starts.

    register_blueprint(app, "webhooks", bp)              # pages under /p/webhooks/
    register_cli(app, "webhooks", click_group)           # flask lms webhooks ...
    register_translations(app, Path(__file__).parent / "translations")
    register_question_type(app, Likert)                  # type = "likert" in quiz files
    register_certificate_template(app, "klasik", Path(__file__).parent / "klasik")
    register_pack_source(app, "shared-drive", lambda: [Path("/srv/packs/a")])
    register_job_handler(app, "webhooks.deliver", deliver)

docs/plugins.md describes every hook with an example.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import Blueprint, Flask
from flask.cli import with_appcontext

log = logging.getLogger("pelita.plugins")

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
CURRENT = "pelita_plugin_current"  # app.extensions key: the record of the plugin being loaded
TEMPLATES = "pelita_certificate_templates"  # name -> CertificateTemplate
PACK_SOURCES = "pelita_pack_sources"  # name -> PackSource
TRANSLATIONS = "pelita_plugin_translations"  # [directory]
DEFAULT_TEMPLATE = "default"


class PluginError(ValueError):
    """A hook refused a registration (bad name, taken name, wrong URL prefix, missing files)."""


def _record(app: Flask) -> Any:
    """The PluginRecord of the plugin whose init_app is running (None outside plugin loading)."""
    return app.extensions.get(CURRENT)


def _note(app: Flask, attribute: str, value: Any) -> None:
    record = _record(app)
    if record is not None:
        getattr(record, attribute).append(value)


def _check_name(what: str, name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise PluginError(f"{what} {name!r} must be lowercase letters, digits, '-' or '_' "
                          "(at most 80 characters, starting with a letter or digit)")
    return name


def _check_owner(app: Flask, plugin_name: str) -> None:
    record = _record(app)
    if record is not None and record.name != plugin_name:
        raise PluginError(f"the plugin {record.name!r} may register only under its own name, "
                          f"not {plugin_name!r}")


def _owner(app: Flask) -> str:
    record = _record(app)
    return record.name if record is not None else "(the application)"


# --------------------------------------------------------------------------- blueprints


def register_blueprint(app: Flask, plugin_name: str, blueprint: Blueprint) -> str:
    """Mount `blueprint` at `/p/<plugin_name>/` and return that prefix.

    The blueprint's own `template_folder` and `static_folder` work as in any Flask blueprint
    (`url_for("<bp>.static", filename=...)` gives `/p/<plugin_name>/static/...`). A blueprint
    created with another `url_prefix` is refused.
    """
    _check_name("plugin name", plugin_name)
    _check_owner(app, plugin_name)
    prefix = f"/p/{plugin_name}"
    own = (blueprint.url_prefix or "").rstrip("/")
    if own and own != prefix:
        raise PluginError(f"the blueprint {blueprint.name!r} of {plugin_name!r} asks for the URL "
                          f"prefix {blueprint.url_prefix!r}; plugin pages live under {prefix}/")
    for rule in app.url_map.iter_rules():
        if rule.rule == prefix or rule.rule.startswith(prefix + "/"):
            other = rule.endpoint.rpartition(".")[0] or rule.endpoint
            if other != blueprint.name:
                raise PluginError(f"{prefix}/ is already used by {other!r}; "
                                  f"{blueprint.name!r} of {plugin_name!r} is refused")
    app.register_blueprint(blueprint, url_prefix=prefix)
    record = _record(app)
    if record is not None:
        record.blueprint_urls[blueprint.name] = prefix + "/"
    return prefix + "/"


# --------------------------------------------------------------------------- CLI


def _lms_group(app: Flask) -> click.Group:
    group = app.cli.commands.get("lms")
    if not isinstance(group, click.Group):
        raise PluginError("the `flask lms` command group does not exist yet")
    return group


def _with_app(command: click.Command) -> None:
    """Give every command of a plugin an application context, as `app.cli` commands have."""
    if command.callback is not None and not getattr(command.callback, "_pelita_app", False):
        command.callback = with_appcontext(command.callback)
        command.callback._pelita_app = True  # type: ignore[attr-defined]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_app(sub)


def register_cli(app: Flask, plugin_name: str, command: click.Command) -> str:
    """Add a click command or group as `flask lms <plugin_name> ...`; returns that command line."""
    _check_name("plugin name", plugin_name)
    _check_owner(app, plugin_name)
    if not isinstance(command, click.Command):
        raise PluginError(f"register_cli needs a click command or group, not {command!r}")
    group = _lms_group(app)
    existing = group.commands.get(plugin_name)
    if existing is not None and existing is not command:
        raise PluginError(f"`flask lms {plugin_name}` already exists "
                          f"({existing.help or existing.name!r}); {_owner(app)!r} is refused")
    _with_app(command)
    group.add_command(command, name=plugin_name)
    line = f"flask lms {plugin_name}"
    if isinstance(command, click.Group) and command.commands:
        for sub in sorted(command.commands):
            _note(app, "cli_commands", f"{line} {sub}")
    else:
        _note(app, "cli_commands", line)
    return line


# --------------------------------------------------------------------------- translations


def register_translations(app: Flask, directory: str | Path) -> None:
    """Add a folder of compiled catalogues (`<dir>/<locale>/LC_MESSAGES/messages.mo`).

    The plugin's msgids are found alongside the application's; when both translate the same
    msgid, the application's translation wins.
    """
    path = Path(directory).resolve()
    if not path.is_dir():
        raise PluginError(f"translations folder not found: {path}")
    babel = app.extensions.get("babel")
    if babel is None:
        raise PluginError("Flask-Babel is not initialised")
    plugin_dirs: list[str] = app.extensions.setdefault(TRANSLATIONS, [])
    if str(path) in plugin_dirs:
        return
    # Catalogues are merged in order and later ones win: plugins go before the app's own.
    babel.translation_directories.insert(len(plugin_dirs), str(path))
    plugin_dirs.append(str(path))
    # Flask-Babel caches merged catalogues per locale on the (process-wide) domain object.
    domain = vars(babel.instance).get("domain_instance")  # created on first translation
    if domain is not None:
        domain.cache.clear()
    _note(app, "translations", str(path))


# --------------------------------------------------------------------------- question types


def register_question_type(app: Flask, qtype: Any) -> Any:
    """Add a question type (a `QuestionType` subclass or instance) to the app's quiz engine;
    returns the registered instance. A name already taken raises `PluginError`."""
    from lms.quizzes.registry import DuplicateQuestionType

    registry = app.extensions.get("pelita_question_types")
    if registry is None:
        raise PluginError("the question-type registry does not exist yet")
    try:
        return registry.register(qtype)
    except (DuplicateQuestionType, TypeError, ValueError) as exc:
        raise PluginError(str(exc)) from None


# --------------------------------------------------------------------------- certificate designs


@dataclass(frozen=True)
class CertificateTemplate:
    """A certificate design: `folder` holds certificate.html (Jinja), certificate.css and assets."""

    name: str
    folder: Path | None  # None: the built-in design (lms/certificates/templates_pdf)
    owner: str = "Pelita"


def register_certificate_template(app: Flask, name: str, folder: str | Path) -> None:
    """Offer a certificate design under `name`; a course picks it with `[certificate] template`.

    The folder needs certificate.html and certificate.css; the HTML is rendered with the same
    context as the built-in design (see docs/plugins.md) plus `asset(path)`, the URL of a file in
    the folder. Only files in this folder and in lms/static can be used by the PDF.
    """
    _check_name("certificate template", name)
    path = Path(folder).resolve()
    missing = [f for f in ("certificate.html", "certificate.css") if not (path / f).is_file()]
    if missing:
        raise PluginError(f"certificate template {name!r}: {path} lacks {', '.join(missing)}")
    templates: dict[str, CertificateTemplate] = app.extensions.setdefault(TEMPLATES, {})
    if name == DEFAULT_TEMPLATE or name in templates:
        other = templates[name].owner if name in templates else "Pelita (the built-in design)"
        raise PluginError(f"certificate template {name!r} is already registered by {other!r}; "
                          f"{_owner(app)!r} is refused")
    templates[name] = CertificateTemplate(name=name, folder=path, owner=_owner(app))
    _note(app, "certificate_templates", name)


def certificate_templates(app: Flask) -> dict[str, CertificateTemplate]:
    """Every design by name, the built-in "default" first."""
    return {DEFAULT_TEMPLATE: CertificateTemplate(DEFAULT_TEMPLATE, None),
            **app.extensions.get(TEMPLATES, {})}


# --------------------------------------------------------------------------- pack sources


@dataclass(frozen=True)
class PackSource:
    name: str
    function: Callable[[], Iterable[str | Path]]
    owner: str = ""


def register_pack_source(app: Flask, name: str, function: Callable[[], Iterable[str | Path]]
                         ) -> None:
    """Add a callable returning course pack folders; `flask lms import` and discovery use them
    next to COURSE_DIRS and the `pelita.courses` entry points. It runs inside an app context."""
    _check_name("pack source", name)
    if not callable(function):
        raise PluginError(f"pack source {name!r} needs a callable, not {function!r}")
    sources: dict[str, PackSource] = app.extensions.setdefault(PACK_SOURCES, {})
    if name in sources:
        raise PluginError(f"pack source {name!r} is already registered by "
                          f"{sources[name].owner!r}; {_owner(app)!r} is refused")
    sources[name] = PackSource(name=name, function=function, owner=_owner(app))
    _note(app, "pack_sources", name)


def pack_sources(app: Flask) -> list[PackSource]:
    return list(app.extensions.get(PACK_SOURCES, {}).values())


def _current_pack_sources() -> list[tuple[str, Callable[[], Iterable[str | Path]]]]:
    """The pack sources of the app in the current context (for lms.content.discovery)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return []
    return [(source.name, source.function) for source in pack_sources(current_app)]


def _install_pack_source_provider() -> None:
    from lms.content.discovery import set_pack_source_provider

    set_pack_source_provider(_current_pack_sources)


_install_pack_source_provider()


# --------------------------------------------------------------------------- job handlers


def register_job_handler(app: Flask, name: str, function: Callable[[dict], None]) -> None:
    """`lms.jobs.registry.registry.handler(name)(function)`, noted on the plugin's record.

    Job handlers are process-wide (the worker runs them); name them `<plugin>.<what>`.
    """
    from lms.jobs.registry import DuplicateJobHandler, registry

    try:
        registry.handler(name)(function)
    except DuplicateJobHandler as exc:
        raise PluginError(str(exc)) from None
    record = _record(app)
    if record is not None and name not in record.job_handlers:
        record.job_handlers.append(name)
