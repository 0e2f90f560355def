"""Find course packs in folders and in installed packages' entry points."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import os
import tomllib
from collections.abc import Iterable
from pathlib import Path

from .problems import Problem

ENTRY_POINT_GROUP = "pelita.courses"


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
) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Return ([(pack folder, source description)], problems) from folders and entry points.

    Every immediate subfolder with a course.toml counts as a pack (a directory that itself
    holds course.toml is taken as one pack); so does the package folder of each
    `entry_point_group` entry point (its value names a module).
    """
    found: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for directory in directories:
        base = Path(directory)
        if not base.is_dir():
            problems.append(
                Problem(
                    str(base),
                    None,
                    "course folder not found — create it or remove it from the configured course folders",
                )
            )
            continue
        if (base / "course.toml").is_file():
            found.append((base, f"folder {base}"))
            continue
        for child in sorted(base.iterdir()):
            if (
                child.is_dir()
                and not child.name.startswith(".")
                and (child / "course.toml").is_file()
            ):
                found.append((child, f"folder {child}"))

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
