"""Updates handled concurrently across chats and strictly one after another within a chat.

PTB's Application creates one task per update, in the order getUpdates returned them, and each
task passes the processor's semaphore (a FIFO asyncio.Semaphore) and then `do_process_update`
without awaiting anything else first. A per-chat asyncio.Lock (also FIFO) taken there therefore
lets a chat's updates run in the order they arrived, while other chats' updates run meanwhile.

PTB's own semaphore only bounds the updates held in memory (MAX_PENDING); the number handled at
once is bounded by a second semaphore taken after the chat's lock. So updates waiting for their
chat hold no working slot: a chat that floods the bot delays only itself, not the others.

With a record of answered updates (bot.telegram.handled), an update found there, one answered
before a restart and handed over again, is skipped, and each update answered is added to it.

Thread safety: handlers run the CPU work (the pipeline) in worker threads, but never two for one
chat at a time, so a chat's ConversationService state is only ever touched by one thread.
Different chats touch different states; the shared OrderedDict of states is changed only by
single C-level calls (pop, setitem, popitem), which the GIL makes atomic.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.telegram.handled import HandledUpdates

log = logging.getLogger(__name__)

MAX_PENDING = 10_000  # updates taken but not yet answered; getUpdates waits beyond this


def chat_key(update: object) -> int | None:
    """The chat an update belongs to; None for updates without one (they need no order)."""
    chat = update.effective_chat if isinstance(update, Update) else None
    return chat.id if chat is not None else None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Up to `working` updates at once, never two of the same chat."""

    def __init__(self, working: int, pending: int = MAX_PENDING,
                 handled: HandledUpdates | None = None) -> None:
        if not 1 <= working <= pending:
            raise ValueError(f"working must lie in [1, {pending}], not {working}")
        super().__init__(pending)
        self.working, self.handled = working, handled
        self._slots = asyncio.Semaphore(working)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the update's handlers once every earlier update of its chat is done; skip an
        update answered before (a restart was handed it again), record one answered now."""
        update_id = update.update_id if isinstance(update, Update) else None
        if self.handled and update_id is not None and await self.handled.seen(update_id):
            coroutine.close()  # type: ignore[attr-defined]  # never run: it was answered
            log.info("Update %s was answered before the restart; skipped", update_id)
            return
        await self._in_order(update, coroutine)
        if self.handled and update_id is not None:
            await self.handled.record(update_id)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock, self._slots:
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
        """Close the record of answered updates: Application.stop has waited for every update."""
        if self.handled:
            self.handled.close()
