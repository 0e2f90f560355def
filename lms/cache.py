"""A small bounded, thread-safe LRU for values that never go stale: everything derived from an
immutable content version (`lms.courses.queries.outline`, `module_content`, ...), keyed by the
version id. A version's rows are never changed after import, so there is nothing to invalidate;
the bound only keeps memory in check (the least recently used entries go first). Each process
(gunicorn worker) has its own copy. No Flask, no database."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

_ALL: list[LRU] = []


class LRU(Generic[V]):
    """`get_or_load(key, load)`: the cached value, or `load()` stored under `key`."""

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size = name, size
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        _ALL.append(self)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
                self.hits += 1
            return value

    def put(self, key: Hashable, value: V) -> V:
        with self._lock:
            self.misses += 1
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def get_or_load(self, key: Hashable, load: Callable[[], V]) -> V:
        value = self.get(key)
        return value if value is not None else self.put(key, load())

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)


def clear_all() -> None:
    """Empty every cache (tests that reuse database ids between apps)."""
    for cache in _ALL:
        cache.clear()
