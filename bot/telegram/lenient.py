"""Updates read one at a time, so one the library cannot read is skipped, not retried forever.

python-telegram-bot parses a whole getUpdates batch at once: a single update it cannot read
fails the batch, the offset never moves past it, and polling asks for the same batch again and
again (5,234 getUpdates in 10 s), logging the raw batch, users' text included, at CRITICAL.
Here each update of a batch is tried on its own first; one that cannot be read is replaced by
an empty update with its id (which the gate drops, having no chat), and only that id is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import ExtBot

log = logging.getLogger(__name__)


def read_updates_one_by_one(bot: ExtBot) -> None:
    """Make `bot`'s getUpdates skip, confirm and log by id an update it cannot read."""
    post: Callable[..., Awaitable[Any]] = bot._post

    async def _post(endpoint: str, *args: Any, **kwargs: Any) -> Any:
        result = await post(endpoint, *args, **kwargs)
        if endpoint != "getUpdates" or not isinstance(result, list):
            return result
        return [readable(item, bot) for item in result]

    object.__setattr__(bot, "_post", _post)


def readable(item: Any, bot: ExtBot) -> Any:
    """The update as it came when the library can read it, else just its id."""
    try:
        Update.de_json(item, bot)
        return item
    except Exception:  # noqa: BLE001 - any way an update cannot be read is the same to us
        update_id = item.get("update_id") if isinstance(item, dict) else None
        log.warning("Skipped update %s: it could not be read", update_id)
        return {"update_id": update_id}
