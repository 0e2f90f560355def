"""Domain errors raised by services and turned into messages by views and the CLI."""

from __future__ import annotations


class ServiceError(Exception):
    """A user-visible failure of a service call; `field` names the form field at fault."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message  # usually a lazy_gettext string, translated when shown
        self.field = field


class PermissionDenied(ServiceError):
    """The acting user may not do this."""
