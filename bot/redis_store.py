"""The StateStore in Redis (redis-py's asyncio client), shared by every webhook replica.

Values are JSON strings with a TTL; sliding windows are sorted sets trimmed by one Lua script
that reads the server's clock, so replicas with drifting clocks still count one window; locks
are redis-py's `Lock` (a token under SET NX PX, released by a script only by its owner), which
expires by itself when its holder dies. Every command is one round trip, counted in
`round_trips` for the benchmark.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.lock import Lock
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError, RedisError
from redis.exceptions import TimeoutError as RedisTimeout

from bot.store import LockBusy, StoreUnavailable, Window

log = logging.getLogger(__name__)

LOCK_POLL = 0.01  # seconds between tries for a busy lock: a chat waits for its own update only
SOCKET_TIMEOUT = 2.0  # seconds: a Redis that does not answer is down, not slow
UNREACHABLE = (RedisConnectionError, RedisTimeout, OSError)

# KEYS[1] the window; ARGV limit, window in ms, a unique member. Returns {counted, wait ms}.
SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}
"""


class CountingRedis(aioredis.Redis):
    """redis.asyncio.Redis that counts the commands it sends (each one a round trip)."""

    round_trips = 0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        self.round_trips += 1
        return await super().execute_command(*args, **options)


class RedisStore:
    """The shared store: keys under `prefix`, so several bots (or tests) share one Redis."""

    def __init__(self, client: aioredis.Redis, prefix: str = "citatbot:") -> None:
        self.client = client
        self.prefix = prefix
        self._window = client.register_script(SLIDING_WINDOW)

    @classmethod
    def from_url(cls, url: str, prefix: str = "citatbot:") -> RedisStore:
        """A client that reconnects by itself (a restarted Redis is found again) and fails fast."""
        client = CountingRedis.from_url(
            url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
            retry_on_error=[RedisConnectionError, RedisTimeout], health_check_interval=30)
        return cls(client, prefix)

    @property
    def round_trips(self) -> int:
        """Commands sent so far (0 for a client that does not count)."""
        return getattr(self.client, "round_trips", 0)

    async def get(self, key: str) -> Any | None:
        async with _reachable():
            raw = await self.client.get(self.prefix + key)
        return None if raw is None else json.loads(raw)

    async def set(self, key: str, value: Any, ttl: float) -> None:
        async with _reachable():
            await self.client.set(self.prefix + key, json.dumps(value), px=_ms(ttl))

    async def claim(self, key: str, ttl: float) -> bool:
        async with _reachable():
            return bool(await self.client.set(self.prefix + key, 1, px=_ms(ttl), nx=True))

    async def delete(self, key: str) -> None:
        async with _reachable():
            await self.client.delete(self.prefix + key)

    async def hit(self, key: str, limit: int, window: float) -> Window:
        async with _reachable():
            counted, wait = await self._window(keys=[self.prefix + key],
                                               args=[limit, _ms(window), secrets.token_hex(8)])
        return Window(bool(counted), int(wait) / 1000)

    @asynccontextmanager
    async def lock(self, key: str, timeout: float, wait: float) -> AsyncIterator[None]:
        """redis-py's Lock: released by its owner only; expires after `timeout` if the owner died."""
        lock = Lock(self.client, self.prefix + key, timeout=timeout, sleep=LOCK_POLL,
                    blocking_timeout=wait)
        async with _reachable():
            taken = await lock.acquire()
        if not taken:
            raise LockBusy(key)
        try:
            yield
        finally:
            try:
                await lock.release()
            except (LockError, *UNREACHABLE) as exc:  # expired or Redis gone: it frees itself
                log.warning("Could not release the lock %s (%s); it expires by itself", key,
                            type(exc).__name__)

    async def close(self) -> None:
        await self.client.aclose()


@asynccontextmanager
async def _reachable() -> AsyncIterator[None]:
    """Redis's connection failures as StoreUnavailable, which callers know how to meet."""
    try:
        yield
    except UNREACHABLE as exc:
        raise StoreUnavailable(type(exc).__name__) from exc
    except RedisError as exc:  # e.g. LOADING while a restarted Redis reads its data
        if "LOADING" in str(exc) or "BUSY" in str(exc):
            raise StoreUnavailable(type(exc).__name__) from exc
        raise


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))
