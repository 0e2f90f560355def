"""Job handlers by name. Pure Python: no Flask, no database.

    @job_handler("certificates.render")
    def render_certificate(payload: dict) -> None: ...

A handler receives the job's JSON payload and returns nothing; raising means "failed, try again
later" (with backoff), raising `PermanentJobError` means "failed, do not retry". A handler may run
more than once for the same job (a retry, or a worker that died mid-job), so it must be
idempotent: check the state it is about to change.
"""

from __future__ import annotations

from collections.abc import Callable

Handler = Callable[[dict], None]


class DuplicateJobHandler(ValueError):
    """Two different functions registered under one job name."""


class UnknownJobKind(LookupError):
    """No handler is registered under this name."""


class PermanentJobError(Exception):
    """Raised by a handler when retrying cannot help (bad payload, object gone): fail now."""


def _qualified(fn: Callable) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


class JobRegistry:
    """Name → handler. The module-level `registry` is the one the app and workers use."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def handler(self, name: str) -> Callable[[Handler], Handler]:
        """Decorator registering `fn` under `name`; a name taken by another function raises."""
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise ValueError(f"a job name is a non-empty string of at most 100 characters: {name!r}")

        def register(fn: Handler) -> Handler:
            existing = self._handlers.get(name)
            # The same function registered again (a module imported twice) is not a conflict.
            if existing is not None and _qualified(existing) != _qualified(fn):
                raise DuplicateJobHandler(
                    f"job name {name!r} is already registered to {_qualified(existing)}; "
                    f"cannot register {_qualified(fn)} under the same name")
            self._handlers[name] = fn
            return fn

        return register

    def get(self, name: str) -> Handler:
        try:
            return self._handlers[name]
        except KeyError:
            raise UnknownJobKind(
                f"no job handler is registered under {name!r} "
                f"(known: {', '.join(sorted(self._handlers)) or 'none'})") from None

    def remove(self, name: str) -> None:
        """Forget a handler (tests register temporary ones)."""
        self._handlers.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._handlers

    def names(self) -> list[str]:
        return sorted(self._handlers)


registry = JobRegistry()
job_handler = registry.handler
