"""Find course packs in folders, in installed packages' entry points and in pack sources.

A pack source is a plugin's callable returning pack folders (`lms.plugins.register_pack_source`).
This module knows no Flask: the application installs a provider (`set_pack_source_provider`)
that returns the sources of the app in the current context, or pass `pack_sources` yourself.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import logging
import os
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

from .problems import Problem

ENTRY_POINT_GROUP = "pelita.courses"

log = logging.getLogger("pelita.content")

PackSourceFn = Callable[[], Iterable[str | os.PathLike[str]]]
_provider: Callable[[], Iterable[tuple[str, PackSourceFn]]] | None = None


def set_pack_source_provider(
    provider: Callable[[], Iterable[tuple[str, PackSourceFn]]] | None,
) -> None:
    """Install the function giving the current pack sources as (name, callable) pairs."""
    global _provider
    _provider = provider


def _default_sources() -> list[tuple[str, PackSourceFn]]:
    return list(_provider()) if _provider is not None else []


def _add_folder(base: Path, label: str, found: list[tuple[Path, str]], problems: list[Problem],
                missing: str) -> None:
    """A folder holding course.toml is one pack; otherwise each such subfolder is one."""
    if not base.is_dir():
        problems.append(Problem(str(base), None, missing))
        return
    if (base / "course.toml").is_file():
        found.append((base, label.format(path=base)))
        return
    for child in sorted(base.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and (child / "course.toml").is_file():
            found.append((child, label.format(path=child)))


def _slug_of(folder: Path) -> str | None:
    try:
        data = tomllib.loads((folder / "course.toml").read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # validation of the pack reports this properly
    slug = data.get("slug")
    return slug if isinstance(slug, str) else None


def discover_packs(
    directories: Iterable[str | os.PathLike[str]],
    entry_point_group: str | None = ENTRY_POINT_GROUP,
    pack_sources: Iterable[tuple[str, PackSourceFn]] | None = None,
) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Return ([(pack folder, source description)], problems) from folders, pack sources and
    entry points.

    Every immediate subfolder with a course.toml counts as a pack (a directory that itself
    holds course.toml is taken as one pack); the folders a pack source returns are read the
    same way; so is the package folder of each `entry_point_group` entry point (its value
    names a module). `pack_sources=None` asks the installed provider (the current app's
    plugins); pass `()` for none.
    """
    found: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for directory in directories:
        _add_folder(Path(directory), "folder {path}", found, problems,
                    "course folder not found — create it or remove it from the configured course folders")

    for name, source in (_default_sources() if pack_sources is None else list(pack_sources)):
        try:
            folders = [Path(folder) for folder in source()]
        except Exception as exc:  # a plugin's fault: reported, the other packs still load
            log.exception("pack source %r failed", name)
            problems.append(Problem(f"pack source {name}", None,
                                    f"the pack source failed ({type(exc).__name__}: {exc}) — "
                                    "fix or disable the plugin that provides it"))
            continue
        for folder in folders:
            _add_folder(folder, f"pack source {name} ({{path}})", found, problems,
                        f"folder returned by pack source {name} not found")

    if entry_point_group:
        for entry_point in importlib.metadata.entry_points(group=entry_point_group):
            label = f"entry point {entry_point.name} = {entry_point.value}"
            dist = getattr(entry_point, "dist", None)
            if dist is not None and getattr(dist, "name", None):
                label += f" (package {dist.name})"
            try:
                folder = importlib.resources.files(entry_point.module)
            except (ImportError, TypeError, ValueError) as exc:
                problems.append(
                    Problem(
                        label,
                        None,
                        f"cannot import module `{entry_point.module}` ({exc}) — install the package or fix the entry point",
                    )
                )
                continue
            if not isinstance(folder, Path):
                problems.append(
                    Problem(
                        label,
                        None,
                        "package is not a folder on disk (zipped?) — install it unzipped",
                    )
                )
                continue
            if not (folder / "course.toml").is_file():
                problems.append(
                    Problem(
                        label,
                        None,
                        f"{folder} has no course.toml — put the pack files in the package folder",
                    )
                )
                continue
            found.append((folder, label))

    by_slug: dict[str, tuple[Path, str]] = {}
    for folder, label in found:
        slug = _slug_of(folder)
        if slug is None:
            continue
        if slug in by_slug:
            problems.append(
                Problem(
                    label,
                    None,
                    f"course slug `{slug}` is also used by {by_slug[slug][1]} — rename one of them or remove the duplicate",
                )
            )
        else:
            by_slug[slug] = (folder, label)
    return found, problems
