"""Reading the test database directly."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.extensions import db


def count(model, *where) -> int:
    """How many rows of `model` match `where` (all of them without a condition)."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))
