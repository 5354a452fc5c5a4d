"""Failed logins per client address, counted in the ``limits`` library's storage (memory, or Redis for every node).

The app counts only failures and checks the limit before it looks at a
password (``app.services.authentication``); no route carries a limit, so no
per-request hook is needed: a page that is not a login never touches the
storage. Redis down: with ``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED`` the worker
counts in its own memory meanwhile (logged) rather than not at all; the
per-username lock in the database holds in any case.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from limits import RateLimitItem
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, RateLimiter

T = TypeVar("T")
logger = logging.getLogger(__name__)


class StorageDown(Exception):
    """The limit's storage did not answer and there is no fallback: the caller decides what that means."""


class AddressLimiter:
    """One per app (its storage is per instance), built from the app's ``RATELIMIT_*`` settings."""

    def __init__(self, storage_uri: str, key_prefix: str, *, enabled: bool = True, fallback: bool = False) -> None:
        self.enabled = enabled
        self.key_prefix = key_prefix
        self._limiter: RateLimiter = FixedWindowRateLimiter(storage_from_string(storage_uri))
        self._fallback: RateLimiter | None = FixedWindowRateLimiter(MemoryStorage()) if fallback else None

    @classmethod
    def from_config(cls, config: dict) -> AddressLimiter:
        return cls(config["RATELIMIT_STORAGE_URI"], config.get("RATELIMIT_KEY_PREFIX") or "ledger",
                   enabled=config.get("RATELIMIT_ENABLED", True),
                   fallback=config.get("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", False))

    def _run(self, call: Callable[[RateLimiter], T]) -> T:
        try:
            return call(self._limiter)
        except Exception as error:
            if self._fallback is None:
                raise StorageDown(str(error)) from error
            logger.exception("login rate limit storage unavailable; counting in this worker's memory meanwhile")
            return call(self._fallback)

    def hit(self, item: RateLimitItem, *key: str) -> None:
        """Count one failure of ``key`` against ``item``."""
        self._run(lambda limiter: limiter.hit(item, self.key_prefix, *key))

    def retry_after(self, item: RateLimitItem, *key: str) -> int | None:
        """Seconds until ``key`` may try again under ``item``; None while it is within the limit."""

        def ask(limiter: RateLimiter) -> int | None:
            if limiter.test(item, self.key_prefix, *key):
                return None
            reset_at = limiter.get_window_stats(item, self.key_prefix, *key).reset_time
            return max(1, math.ceil(reset_at - time.time()))

        return self._run(ask)
