"""Long polling by one process at a time, the newest, and its offset confirmed before it exits.

Telegram lets one getUpdates wait at a time per bot: another one coming in ends it with 409
Conflict. Two processes with one token used to stop each other: the old one got the 409 and
stopped, and PTB's last getUpdates at its stop ended the new one's poll, which stopped it too.
Here the newest process wins:

* A 409 after this process's getUpdates has been answered means that another process started
  polling since: this one hands over. It answers the updates it took, skips PTB's last
  getUpdates (it would end the winner's poll) and exits cleanly, saying so in one line. Its
  offset needs no confirming: the poll that was ended had confirmed every update taken.
* A 409 before any answer means this process is the newcomer and the old one is still polling
  (its next poll ended ours): poll on; the old one hands over at the 409 our next poll gives it.

At any other stop (SIGTERM) PTB's last getUpdates confirms the offset of the updates taken,
once, and a failure is only logged: a restart while getUpdates fails (500, a dropped
connection, a timeout) handed every recent update to the next process again. Here that call is
tried until it goes, for up to CONFIRM_DEADLINE seconds, and a failure still leaves the handled
updates' ids in bot.telegram.handled, where the next process finds them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.telegram.delivery import send_with_retry

log = logging.getLogger(__name__)

POLLING = "citatbot_polling"  # bot_data key of this process's Polling
CONFIRM_DEADLINE = 10.0  # seconds a stopping process tries to confirm the updates it handled


@dataclass(slots=True)
class Polling:
    """What this process knows of its long polling."""

    answered: bool = False  # a getUpdates of ours was answered: a later 409 means a newer poller
    taken_over: bool = False  # a newer process polls now; we stop without a last getUpdates


def watch_polling(app: Application, confirm_deadline: float = CONFIRM_DEADLINE) -> Polling:
    """Note when `app`'s getUpdates is answered, and make the last one, at stop, confirm the
    offset patiently, or not be made at all once another process took over."""
    polling = Polling()
    post: Callable[..., Awaitable[Any]] = app.bot._post

    async def _post(endpoint: str, *args: Any, **kwargs: Any) -> Any:
        if endpoint != "getUpdates":
            return await post(endpoint, *args, **kwargs)
        if app.updater is None or app.updater.running:
            result = await post(endpoint, *args, **kwargs)
            polling.answered = True
            return result
        if polling.taken_over:  # PTB's last getUpdates would end the winner's poll
            return []
        try:
            return await send_with_retry(lambda: post(endpoint, *args, **kwargs),
                                         deadline=confirm_deadline, what="Confirming updates")
        except TelegramError as exc:
            log.warning("The updates handled could not be confirmed to Telegram (%s); the "
                        "next start skips them by their ids", exc)
            return []

    object.__setattr__(app.bot, "_post", _post)
    app.bot_data[POLLING] = polling
    return polling


def on_conflict(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A 409 from getUpdates: hand over to a newer process, or poll on as the newer one."""
    polling: Polling | None = context.application.bot_data.get(POLLING)
    if polling is not None and not polling.answered:
        log.warning("Another process polls with this token; polling on, as the newest")
        return
    if polling is not None:
        polling.taken_over = True
    log.info("Another process took over polling; answering the updates taken, then stopping")
    context.application.stop_running()
