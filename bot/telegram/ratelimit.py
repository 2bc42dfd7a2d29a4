"""A per-chat sliding-window rate limit, so one chat cannot keep the bot busy for everyone."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Literal

from retrieval.lru import LRU

WINDOW = 60.0  # seconds
MAX_CHATS = 10_000
MAX_NOTICES = 120  # "not allowed" / "wait" notices a minute over all chats (Telegram allows ~30/s)

Verdict = Literal["ok", "limited", "silent"]


class RateLimiter:
    """At most `per_minute` questions a chat a minute; 0 turns the limit off."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 0:
            raise ValueError(f"per_minute must be 0 or more, not {per_minute}")
        self.per_minute = per_minute
        self.clock = clock
        self._told: dict[int, float] = {}
        self._seen: LRU[int, deque[float]] = LRU(
            MAX_CHATS, on_evict=lambda chat, _: self._told.pop(chat, None))

    def check(self, chat_id: int) -> Verdict:
        """"ok" counts the question; "limited" asks for a polite note; "silent" once noted."""
        if not self.per_minute:
            return "ok"
        now = self.clock()
        times = self._seen.get(chat_id, deque)
        while times and times[0] <= now - WINDOW:
            times.popleft()
        if len(times) < self.per_minute:
            times.append(now)
            self._told.pop(chat_id, None)
            return "ok"
        if self._told.get(chat_id, -WINDOW) > now - WINDOW:
            return "silent"
        self._told[chat_id] = now
        return "limited"

    def wait_seconds(self, chat_id: int) -> int:
        """Whole seconds until the chat may ask again."""
        times = self._seen.peek(chat_id)
        if not times or not self.per_minute:
            return 0
        return max(1, int(times[0] + WINDOW - self.clock() + 0.999))


class Cooldown:
    """Lets a notice through at most once per `seconds` for each chat, and at most `total` a
    minute over all chats, so a flood of messages that are refused (not allowed, rate limited),
    even from many chats at once, never makes the bot flood back."""

    def __init__(self, seconds: float = WINDOW, clock: Callable[[], float] = time.monotonic,
                 max_chats: int = MAX_CHATS, total: int = MAX_NOTICES) -> None:
        self.seconds, self.clock, self.max_chats, self.total = seconds, clock, max_chats, total
        self._last: LRU[int, float] = LRU(max_chats)
        self._sent: deque[float] = deque()

    def ready(self, chat_id: int) -> bool:
        """True (and counted) when the chat was not told anything in the last `seconds` and
        fewer than `total` notices went out in the last minute."""
        now = self.clock()
        last = self._last.peek(chat_id)
        if last is not None and now - last < self.seconds:
            return False
        while self._sent and self._sent[0] <= now - WINDOW:
            self._sent.popleft()
        if len(self._sent) >= self.total:
            return False
        self._sent.append(now)
        self._last.put(chat_id, now)
        return True
