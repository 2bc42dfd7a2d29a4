"""A per-chat sliding-window rate limit, so one chat cannot keep the bot busy for everyone, and
caps on the notices that say so. Both count in the StateStore, so they hold across replicas.

When the store cannot be reached the limit lets questions through and the notices stay quiet:
answering a few too many beats refusing everyone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

WINDOW = 60.0  # seconds
MAX_NOTICES = 120  # "not allowed" / "wait" notices a minute over all chats (Telegram allows ~30/s)

Verdict = Literal["ok", "limited", "silent"]


@dataclass(frozen=True, slots=True)
class Limit:
    """A rate-limit verdict, and whole seconds until the chat may ask again."""

    verdict: Verdict
    wait: int = 0


class RateLimiter:
    """At most `per_minute` questions a chat a minute; 0 turns the limit off."""

    def __init__(self, store: StateStore, per_minute: int, window: float = WINDOW) -> None:
        if per_minute < 0:
            raise ValueError(f"per_minute must be 0 or more, not {per_minute}")
        self.store, self.per_minute, self.window = store, per_minute, window

    async def check(self, chat_id: int) -> Limit:
        """"ok" counts the question; "limited" asks for a polite note; "silent" once noted."""
        if not self.per_minute:
            return Limit("ok")
        try:
            hit = await self.store.hit(f"rate:{chat_id}", self.per_minute, self.window)
            if hit.allowed:
                return Limit("ok")
            told = await self.store.claim(f"told:{chat_id}", self.window)
        except StoreUnavailable as exc:
            log.warning("The state store is unreachable (%s): chat %s is not rate limited",
                        exc, chat_id)
            return Limit("ok")
        return Limit("limited" if told else "silent", max(1, int(hit.wait + 0.999)))


class Cooldown:
    """Lets a notice through at most once per `seconds` for each chat, and at most `total` a
    minute over all chats, so a flood of messages that are refused (not allowed, rate limited),
    even from many chats at once, never makes the bot flood back."""

    def __init__(self, store: StateStore, seconds: float = WINDOW,
                 total: int = MAX_NOTICES) -> None:
        self.store, self.seconds, self.total = store, seconds, total

    async def ready(self, chat_id: int) -> bool:
        """True (and counted) when the chat was not told anything in the last `seconds` and
        fewer than `total` notices went out in the last minute."""
        key = f"notice:{chat_id}"
        try:
            if not await self.store.claim(key, self.seconds):
                return False
            if (await self.store.hit("notices", self.total, WINDOW)).allowed:
                return True
            await self.store.delete(key)  # refused, not told: it may be told once there is room
        except StoreUnavailable as exc:
            log.warning("The state store is unreachable (%s): notice to chat %s skipped",
                        exc, chat_id)
        return False
