"""Updates handled concurrently across chats and strictly one after another within a chat.

PTB's Application creates one task per update, in the order getUpdates returned them, and each
task passes the processor's semaphore (a FIFO asyncio.Semaphore) and then `do_process_update`
without awaiting anything else first. A per-chat asyncio.Lock (also FIFO) taken there therefore
lets a chat's updates run in the order they arrived, while other chats' updates run meanwhile.

Thread safety: handlers run the CPU work (the pipeline) in worker threads, but never two for one
chat at a time, so a chat's ConversationService state is only ever touched by one thread.
Different chats touch different states; the shared OrderedDict of states is changed only by
single C-level calls (pop, setitem, popitem), which the GIL makes atomic.

A chat that floods the bot can hold up to `max_concurrent_updates` slots while its updates wait
for each other; the rate limit answers each of them in microseconds, so other chats wait little.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_key(update: object) -> int | None:
    """The chat an update belongs to; None for updates without one (they need no order)."""
    chat = update.effective_chat if isinstance(update, Update) else None
    return chat.id if chat is not None else None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` updates at once, never two of the same chat."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the update's handlers once every earlier update of its chat is done."""
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # forget idle chats, so memory follows the busy ones
                del self._users[key], self._locks[key]

    @property
    def busy_chats(self) -> int:
        """How many chats have an update running or waiting."""
        return len(self._locks)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: Application.stop has waited for every update already."""
