"""Where what is per chat and must outlive one update lives: conversation state, button memory,
rate-limit windows, notice cooldowns and processed update ids.

`StateStore` is the role; `MemoryStore` (this module) keeps it in the process, the default, and
`bot.redis_store.RedisStore` in Redis (`CITATBOT_REDIS_URL`), so that webhook replicas share it.
Values are JSON: they refer to the index version and to passage ids and offsets, never to copies
of text (bot.state_codec). Every key has a time to live.

Errors: a store that cannot be reached raises `StoreUnavailable`; a lock not taken in time,
`LockBusy`. Both are for the caller to turn into "try later", never shown to a user.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from retrieval.lru import LRU

MAX_KEYS = 100_000  # the memory store forgets the least recently used keys beyond this


class StoreUnavailable(Exception):
    """The shared store did not answer (Redis down or restarting)."""


class LockBusy(Exception):
    """A lock held elsewhere was not released within the wait."""


@dataclass(frozen=True, slots=True)
class Window:
    """The outcome of one hit on a sliding window: counted or not, and seconds until room."""

    allowed: bool
    wait: float


class StateStore(Protocol):
    """The shared state's operations; each is one round trip to a remote store."""

    async def get(self, key: str) -> Any | None:
        """The JSON value at `key`, or None when absent or expired."""

    async def set(self, key: str, value: Any, ttl: float) -> None:
        """Store a JSON value for `ttl` seconds."""

    async def claim(self, key: str, ttl: float) -> bool:
        """Set `key` for `ttl` seconds only when it is absent (SET NX); True when this call set it."""

    async def delete(self, key: str) -> None:
        """Forget `key`."""

    async def hit(self, key: str, limit: int, window: float) -> Window:
        """Count one event in a sliding window of `window` seconds if fewer than `limit` are in it."""

    def lock(self, key: str, timeout: float, wait: float) -> Any:
        """An async context manager holding `key` exclusively; it expires after `timeout` seconds
        (a dead holder's lock frees itself); LockBusy when not taken within `wait` seconds."""

    async def close(self) -> None:
        """Release connections."""


class MemoryStore:
    """The store in this process: one bot, nothing to install. Bounded, with TTLs."""

    round_trips = 0  # nothing leaves the process

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = MAX_KEYS) -> None:
        self.clock = clock
        self._values: LRU[str, tuple[float, str]] = LRU(max_keys)  # key → (expires, JSON)
        self._windows: LRU[str, deque[float]] = LRU(max_keys)
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: Counter[str] = Counter()

    async def get(self, key: str) -> Any | None:
        item = self._values.peek(key)
        if item is None or item[0] <= self.clock():
            return None
        return json.loads(item[1])

    async def set(self, key: str, value: Any, ttl: float) -> None:
        self._values.put(key, (self.clock() + ttl, json.dumps(value)))

    async def claim(self, key: str, ttl: float) -> bool:
        if await self.get(key) is not None:
            return False
        await self.set(key, 1, ttl)
        return True

    async def delete(self, key: str) -> None:
        self._values.put(key, (0.0, "null"))

    async def hit(self, key: str, limit: int, window: float) -> Window:
        now = self.clock()
        times = self._windows.get(key, deque)
        while times and times[0] <= now - window:
            times.popleft()
        if len(times) < limit:
            times.append(now)
            return Window(True, 0.0)
        return Window(False, times[0] + window - now)

    @asynccontextmanager
    async def lock(self, key: str, timeout: float, wait: float) -> AsyncIterator[None]:
        """A FIFO asyncio.Lock per key: in one process nobody dies holding it, so no expiry."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] += 1
        try:
            try:
                await asyncio.wait_for(lock.acquire(), wait)
            except TimeoutError:
                raise LockBusy(key) from None
            try:
                yield
            finally:
                lock.release()
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle keys, so memory follows the busy ones
                del self._waiting[key], self._locks[key]

    async def close(self) -> None:
        """Nothing to release."""


def open_store(redis_url: str | None, prefix: str = "citatbot:") -> StateStore:
    """Redis when a URL is given (imported only then), else the in-process store."""
    if not redis_url:
        return MemoryStore()
    from bot.redis_store import RedisStore

    return RedisStore.from_url(redis_url, prefix=prefix)
