"""Pelita: e-learning for the TPBIS library facilitator programme.

The application factory lives in `lms/app.py`; `from lms import create_app` still works, but
importing a pure package (`lms.content`, `lms.quizzes.rules`, `lms.clock`, ...) loads no Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lms.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from lms.app import create_app

        return create_app
    raise AttributeError(f"module 'lms' has no attribute {name!r}")
