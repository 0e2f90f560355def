"""The storage folder (`PELITA_UPLOAD_DIR`): writing to it all or nothing, and saying when it
cannot be written — to the user (the caller shows `StorageUnavailable`'s message), to the
administrator (`problem()`, shown on `/admin/` and the admin's Beranda) and in the log, once
per episode: an `ERROR` from the `pelita` logger, "Storage folder not writable (<path>): <error>",
then nothing until a write or a check succeeds again ("The storage folder is writable again").

What lives there: course zips waiting between their preview and the author's confirmation.
The instance folder also holds the credential signing key, created at deploy time (`flask lms
ensure-keys`) or on first use: if it cannot be created, `certificates.services.signing_key`
raises `StorageUnavailable` the same way (`unavailable()`), and a request that meets it is a 503
with its message (`lms/errors.py`), never a 500.
Course media, quiz evidence files and certificate PDFs live in the database, so a full or
read-only folder never touches them (a full database disk is the 503 of `lms/errors.py`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger("pelita")

_failing: set[str] = set()  # folders whose last write failed (logged once until they recover)
_lock = threading.Lock()


def upload_dir() -> Path:
    """The storage folder of waiting uploads (`PELITA_UPLOAD_DIR`, by default instance/uploads;
    created by the first write)."""
    from flask import current_app

    from config import INSTANCE_DIR

    return Path(current_app.config.get("AUTHORING_UPLOAD_DIR") or INSTANCE_DIR / "uploads")


class StorageUnavailable(Exception):
    """The storage folder cannot be written to (read-only, full, missing, wrong owner).

    `message`, when given, is what the person whose request met it is told (translatable);
    a caller that does not catch it gets the 503 page of `lms/errors.py` with it."""

    def __init__(self, folder: Path, error: OSError, message=None) -> None:
        super().__init__(f"{folder}: {error}")
        self.folder, self.error, self.message = folder, error, message


def _failed(folder: Path, error: OSError, message=None) -> StorageUnavailable:
    with _lock:
        first = str(folder) not in _failing
        _failing.add(str(folder))
    if first:
        log.error("Storage folder not writable (%s): %s", folder, error)
    return StorageUnavailable(folder, error, message)


def unavailable(folder: Path, error: OSError, message=None) -> StorageUnavailable:
    """For code that writes into a storage folder itself: the exception to raise, logged once
    per episode like the writes here."""
    return _failed(Path(folder), error, message)


def writable_again(folder: Path) -> None:
    """A write into `folder` succeeded: ends its episode (logged if one was open)."""
    _worked(Path(folder))


def _worked(folder: Path) -> None:
    with _lock:
        recovered = str(folder) in _failing
        _failing.discard(str(folder))
    if recovered:
        log.info("The storage folder is writable again (%s)", folder)


def write_files(folder: Path, files: Iterable[tuple[str, bytes]]) -> None:
    """Write every file into `folder` (created if missing) or none: each goes to a temporary
    name and is renamed into place once complete; on a failure every file written so far is
    removed. Raises `StorageUnavailable` (logged once per episode)."""
    folder = Path(folder)
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
            written.append(Path(tmp))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            written[-1] = Path(tmp).rename(folder / name)
    except OSError as err:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        raise _failed(folder, err) from err
    _worked(folder)


def problem(folder: Path) -> str | None:
    """None when a file can be written to `folder` now (a probe file, removed at once); else
    the system's reason, for the administrator."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(fd)
        os.unlink(tmp)
    except OSError as err:
        _failed(folder, err)
        return f"{folder}: {err.strerror or err}"
    _worked(folder)
    return None
