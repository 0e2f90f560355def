"""Course packs as zip files: a safe reader and a deterministic writer (no Flask, no database).

`read_zip` never writes to disk and refuses, before decompressing anything it does not have to:
files that are not zips, encrypted entries, absolute paths, `..`, symbolic links and other
special files, duplicate names, more than `MAX_ENTRIES` entries, more than `MAX_TOTAL_BYTES`
uncompressed, any file over the pack loader's own limits (512 KB text, 5 MB media) and entries
that expand suspiciously (compression-ratio bombs). Sizes are checked against the declared sizes
*and* while reading, so a zip that lies about its sizes is refused too.

A zip holds one pack, either at its root (`course.toml`, `modules/...`) or inside one top folder
(`literasi-tik/course.toml`, as `write_zip` and most zip tools produce). Files every zip tool
adds but the loader ignores (`__MACOSX/`, `.DS_Store`, other dot-files, `__pycache__`) are
skipped and listed in `ZipContents.skipped`.

`content_problems` then holds what the zip brings to the same rules as the editor's uploads:
media by the media uploader's allow-list and content check, no web pages or SVG anywhere.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

from lms.authoring.mediafiles import MediaRefused, check_media_file
from lms.content import MAX_MEDIA_BYTES, MAX_TEXT_BYTES
from lms.content.loader import TEXT_SUFFIXES

MAX_ENTRIES = 2000
MAX_TOTAL_BYTES = 60 * 1024 * 1024
# An entry may expand at most this many times (text packs compress 3-10x; a bomb 1000x),
# checked only for entries large enough to matter.
MAX_RATIO = 100
RATIO_MIN_BYTES = 1024 * 1024
PACK_FOLDERS = ("modules", "quizzes", "media")
MAX_PATH_CHARS = 400  # the database keeps paths of at most 500 characters
MAX_NAME_CHARS = 200
# A fixed timestamp keeps exports of the same files byte-identical.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)

_DRIVE = re.compile(r"^[A-Za-z]:")
# Documents a browser would run scripts in: refused anywhere in a pack (media/ has its own
# allow-list, which leaves them out too).
ACTIVE_SUFFIXES = (".html", ".htm", ".xhtml", ".svg", ".svgz")
MEDIA_PROBLEMS = {
    "empty": "the media file is empty",
    "too_large": f"the media file is over the {MAX_MEDIA_BYTES}-byte limit",
    "name": "a media file needs a name with an extension such as .png or .pdf",
    "type": "not an allowed media type — course media may be PNG, JPEG, GIF, WebP or PDF files",
    "mismatch": "the file's content is not what its extension says",
}


@dataclass
class ZipProblem:
    """Why a zip was refused: a stable `code` (views translate it), the entry (if any) and
    an English message for logs and the command line."""

    code: str
    entry: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.entry}: {self.message}" if self.entry else self.message


class ZipRefused(Exception):
    def __init__(self, problems: list[ZipProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class ZipContents:
    files: dict[str, bytes]  # pack-relative POSIX path -> bytes
    top: str | None  # the single top folder the pack was in, if any
    skipped: list[str] = field(default_factory=list)


def file_limit(path: str, *, max_text_bytes: int = MAX_TEXT_BYTES,
               max_media_bytes: int = MAX_MEDIA_BYTES) -> int:
    """The loader's limit for a pack-relative path (text outside media/, else media)."""
    text = path.endswith(TEXT_SUFFIXES) and not path.startswith("media/")
    return max_text_bytes if text else max_media_bytes


def _ignored(parts: list[str]) -> bool:
    return (parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts)
            or "__pycache__" in parts or parts[-1].endswith(".pyc"))


def _unsafe(name: str) -> str | None:
    """Why an entry name is unsafe, or None."""
    if "\0" in name:
        return "the name contains a NUL character"
    if "\\" in name:
        return "the name uses backslashes — create the zip with a tool that writes / separators"
    if name.startswith("/") or _DRIVE.match(name):
        return "absolute path — a pack's files must have relative paths"
    parts = name.rstrip("/").split("/")
    if len(name) > MAX_PATH_CHARS or any(len(p) > MAX_NAME_CHARS for p in parts):
        return f"the path is too long (at most {MAX_PATH_CHARS} characters, {MAX_NAME_CHARS} per name)"
    if ".." in parts:
        return "the path leaves the pack folder through `..`"
    if any(p in ("", ".") for p in parts):
        return "the path has an empty or `.` part"
    return None


def _kind(info: zipfile.ZipInfo) -> str:
    """'file', 'dir', 'symlink' or 'special' from the entry's Unix mode (absent = file/dir)."""
    mode = info.external_attr >> 16
    if info.is_dir() or stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISLNK(mode):
        return "symlink"
    if mode and stat.S_IFMT(mode) and not stat.S_ISREG(mode):
        return "special"
    return "file"


def read_zip(source: bytes | BinaryIO, *, max_entries: int = MAX_ENTRIES,
             max_total_bytes: int = MAX_TOTAL_BYTES, max_text_bytes: int = MAX_TEXT_BYTES,
             max_media_bytes: int = MAX_MEDIA_BYTES, max_ratio: int = MAX_RATIO) -> ZipContents:
    """The pack files in a zip, or `ZipRefused` listing every reason (nothing is written)."""
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ZipRefused([ZipProblem("not_zip", None,
                                     "this is not a zip file (or it is damaged)")]) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > max_entries:
            raise ZipRefused([ZipProblem(
                "too_many", None, f"the zip has {len(infos)} entries; at most {max_entries} "
                                  "are accepted")])
        problems: list[ZipProblem] = []
        entries: list[tuple[zipfile.ZipInfo, list[str]]] = []
        skipped: list[str] = []
        seen: set[str] = set()
        declared_total = 0
        for info in infos:
            name = info.filename
            why = _unsafe(name)
            if why:
                problems.append(ZipProblem("unsafe_path", name, why))
                continue
            kind = _kind(info)
            if kind == "dir":
                continue
            parts = name.split("/")
            if _ignored(parts):
                skipped.append(name)
                continue
            if kind == "symlink":
                problems.append(ZipProblem("symlink", name, "symbolic links are not accepted — "
                                                            "put the file itself in the zip"))
                continue
            if kind == "special":
                problems.append(ZipProblem("special", name, "not a regular file"))
                continue
            if info.flag_bits & 0x1:
                problems.append(ZipProblem("encrypted", name, "the file is encrypted — make the "
                                                              "zip without a password"))
                continue
            if name in seen:
                problems.append(ZipProblem("duplicate", name, "the zip holds this path twice"))
                continue
            seen.add(name)
            if (info.file_size >= RATIO_MIN_BYTES
                    and info.file_size > max_ratio * max(info.compress_size, 1)):
                problems.append(ZipProblem(
                    "bomb", name, f"the file expands {info.file_size // max(info.compress_size, 1)}"
                                  " times — this looks like a zip bomb"))
                continue
            declared_total += info.file_size
            entries.append((info, parts))
        if declared_total > max_total_bytes:
            problems.append(ZipProblem(
                "too_large", None, f"the files add up to {declared_total} bytes uncompressed; "
                                   f"at most {max_total_bytes} are accepted"))
        if problems:
            raise ZipRefused(problems)

        top = _single_top(parts for _info, parts in entries)
        files: dict[str, bytes] = {}
        total = 0
        for info, parts in entries:
            rel = "/".join(parts[1:] if top else parts)
            limit = file_limit(rel, max_text_bytes=max_text_bytes,
                               max_media_bytes=max_media_bytes)
            if info.file_size > limit:
                problems.append(ZipProblem(
                    "file_too_large", info.filename,
                    f"file is {info.file_size} bytes, over the {limit}-byte limit — make it "
                    "smaller or split it"))
                continue
            try:
                with archive.open(info) as handle:
                    data = handle.read(limit + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
                    ValueError) as err:
                problems.append(ZipProblem("damaged", info.filename,
                                           f"the file cannot be unpacked ({err})"))
                continue
            total += len(data)
            if len(data) > limit or len(data) != info.file_size:
                problems.append(ZipProblem(
                    "lying_size", info.filename,
                    "the file is larger than the zip says — the zip is damaged or forged"))
                continue
            if total > max_total_bytes:
                problems.append(ZipProblem(
                    "too_large", None, f"the files add up to more than {max_total_bytes} bytes"))
                break
            files[rel] = data
        folders = {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
        problems.extend(ZipProblem("file_and_folder", path, "a file and a folder have this name")
                        for path in sorted(folders & set(files)))
        if problems:
            raise ZipRefused(problems)
        return ZipContents(files=files, top=top, skipped=skipped)


def content_problems(contents: ZipContents) -> list[ZipProblem]:
    """What a safe zip may still not bring into a course: media/ files are held to the module
    media uploader's allow-list and content check (the same `mediafiles.check_media_file`),
    and web pages or SVG images are refused anywhere. Each problem names its zip entry."""
    problems: list[ZipProblem] = []
    for rel, data in sorted(contents.files.items()):
        entry = f"{contents.top}/{rel}" if contents.top else rel
        if rel.startswith("media/"):
            try:
                check_media_file(rel.rsplit("/", 1)[-1], data)
            except MediaRefused as err:
                problems.append(ZipProblem(f"media_{err.reason}", entry,
                                           MEDIA_PROBLEMS[err.reason]))
        elif rel.lower().endswith(ACTIVE_SUFFIXES):
            problems.append(ZipProblem("active_content", entry,
                                       "web pages and SVG images are not accepted in a pack: "
                                       "they could run scripts in the learners' browsers"))
    return problems


def _single_top(all_parts) -> str | None:
    """The one folder every file is in (not a pack folder such as modules/), else None."""
    tops: set[str] = set()
    for parts in all_parts:
        if len(parts) == 1:
            return None
        tops.add(parts[0])
        if len(tops) > 1:
            return None
    if len(tops) == 1 and next(iter(tops)) not in PACK_FOLDERS:
        return next(iter(tops))
    return None


def write_zip(files: Mapping[str, bytes], top: str) -> bytes:
    """A zip of the pack under the folder `top`, every file stored byte for byte; the same
    files always give the same zip bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{path}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.create_system = 3  # Unix, so the mode above is read back
            archive.writestr(info, files[path])
    return buffer.getvalue()
