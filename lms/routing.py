"""URL converters shared by every blueprint."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest id a database column holds (PostgreSQL `integer`); larger numbers match no row.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` that refuses numbers no id column can hold (404), instead of passing them to
    the database, where they raise (SQLite OverflowError, PostgreSQL "out of range")."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_or_none(value: int | None) -> int | None:
    """An id from a query string or form if a database column can hold it, else None."""
    return value if value is not None and 0 < value <= MAX_ID else None


def download(data: bytes, filename: str, mimetype: str = "text/csv"):
    """A file to save (CSV, XLSX exports): an attachment, never kept in a cache — exports hold
    personal data and are read on shared computers."""
    from flask import Response

    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})
