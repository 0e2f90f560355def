"""Which imports of Pelita a plugin's source makes beyond its API, `lms.plugins`.

    python -m tools.plugin_imports            # every plugin under plugins/; exit 1 if any

Reads the Python files with `ast` (nothing is imported): `import lms.x`, `from lms.x import y`,
`from lms import x` (x other than `plugins`), and `importlib.import_module("lms.x")` /
`__import__("lms.x")` with a literal name, at any depth (inside functions too). Used by
tests/unit/test_plugin_imports.py; the import-linter contract in .importlinter checks the same
for the installed shipped plugins.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

API = "lms.plugins"
ROOT = Path(__file__).resolve().parents[1]


def _internal(module: str) -> bool:
    return (module == "lms" or module.startswith("lms.")) and not (
        module == API or module.startswith(API + "."))


def internal_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of `lms` other than `lms.plugins` in `source`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if _internal(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "lms":
                found += [(node.lineno, f"lms.{alias.name}") for alias in node.names
                          if _internal(f"lms.{alias.name}")]
            elif _internal(node.module):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (name in ("import_module", "__import__") and isinstance(first, ast.Constant)
                    and isinstance(first.value, str) and _internal(first.value)):
                found.append((node.lineno, first.value))
    return sorted(found)


def plugin_sources(plugins_dir: Path = ROOT / "plugins") -> Iterator[Path]:
    """The Python files of every plugin package under `plugins_dir` (not their tests)."""
    for project in sorted(p for p in plugins_dir.iterdir() if (p / "pyproject.toml").is_file()):
        for package in sorted(p for p in project.iterdir()
                              if p.is_dir() and (p / "__init__.py").is_file()):
            yield from sorted(package.rglob("*.py"))


def violations(plugins_dir: Path = ROOT / "plugins") -> list[str]:
    """`file:line imports module` for every internal import of every plugin."""
    out = []
    for path in plugin_sources(plugins_dir):
        for line, module in internal_imports(path.read_text(encoding="utf-8")):
            where = path.relative_to(plugins_dir.parent) if path.is_relative_to(
                plugins_dir.parent) else path
            out.append(f"{where}:{line} imports {module} (a plugin imports only {API})")
    return out


def main() -> int:
    found = violations()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
