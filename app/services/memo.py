"""Small per-process LRU caches for figures keyed by a scope stamp (``app.services.stamps``).

A key holds the stamp of what the figure was read from, so a write in that scope
makes a new key and the old entry is never read again (it ages out): nothing is
invalidated by hand, and a worker never serves a figure older than the stamp it
has just read. Stamps only grow (the audit tables refuse UPDATE and DELETE); a
test that empties the database calls ``forget_all``.

Per process on purpose: each gunicorn worker keeps its own, and what it keeps is
cheap to recompute (one COUNT, one serialised decision). A shared cache (Redis)
would save little and cost a round trip per read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

_MISSING = object()
_ALL: list[StampedLru] = []


class StampedLru:
    """A bounded, thread-safe mapping that forgets its least recently used entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def forget_all() -> None:
    """Empty every cache of this process (tests that empty the database, where stamps restart at 0)."""
    for cache in _ALL:
        cache.clear()
