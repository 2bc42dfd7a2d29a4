"""Issue 17.6, 17.6b and 17.25: a reply outlasts a storm of 429s and 5xx within
CITATBOT_SEND_TIMEOUT and arrives exactly once; a send that failed ambiguously (the connection
dropped, no answer in time) is sent once more; the log says the wait the bot really waits.
The real Application against the fake Bot API; storms long enough to matter go to
benchmarks/load.py, these are short (a deadline of seconds, pauses of a tenth)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from telegram.error import NetworkError, RetryAfter

from bot.conversation import ConversationService
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.delivery import send_with_retry
from tests.support.corpus import UMEA, verbatim_quotes
from tests.support.fake_bot_api import running


def short_deadline(monkeypatch: pytest.MonkeyPatch, seconds: float) -> Settings:
    """Settings whose send deadline (and so the pauses between tries) is short."""
    monkeypatch.setenv("CITATBOT_SEND_TIMEOUT", str(seconds))
    monkeypatch.setenv("CITATBOT_READ_TIMEOUT", "0.5")
    return Settings(_env_file=None)


async def test_a_storm_longer_than_five_tries_is_outlasted_and_delivered_once(
        bot_settings, fake, pipeline, monkeypatch) -> None:
    """Issue 17.6: at most five tries lost the reply; now tries go on until the deadline."""
    app = build_application(short_deadline(monkeypatch, 4), ConversationService(pipeline))
    fake.fail("sendMessage", 429, retry_after=1)
    fake.fail("sendMessage", 500, times=4)
    fake.fail("sendMessage", 502, times=4)
    async with running(app):
        fake.message(1, UMEA)
        [reply] = await fake.wait_sent(1)
        await fake.settle()
    assert verbatim_quotes(reply) and len(fake.sent_to(1)) == 1
    assert len(fake.called("sendMessage")) == 10


async def test_a_storm_past_the_deadline_gives_up_in_time(caplog) -> None:
    """Past CITATBOT_SEND_TIMEOUT the error is raised (the caller apologises and logs it)."""
    calls = []

    async def refused() -> None:
        calls.append(time.monotonic())
        raise NetworkError("Bad Gateway (502)")

    started = time.monotonic()
    with pytest.raises(NetworkError):
        await asyncio.wait_for(send_with_retry(refused, deadline=1.0), 5)
    assert time.monotonic() - started < 1.5 and len(calls) >= 5


async def test_flood_control_is_honoured_in_full_and_logged_as_waited(monkeypatch,
                                                                     caplog) -> None:
    """Issue 17.25: the log said 100 s while the bot waited 60. Now the wait logged is the
    wait made, and a wait that would end past the deadline is not begun."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    caplog.set_level(logging.INFO, "bot.telegram.delivery")
    errors = [RetryAfter(1)]

    async def flooded() -> str:
        if errors:
            raise errors.pop()
        return "ok"

    started = time.monotonic()
    assert await send_with_retry(flooded, deadline=5) == "ok"
    assert time.monotonic() - started >= 1.0
    assert "retrying in 1.0 s" in caplog.text

    async def long_flood() -> str:
        raise RetryAfter(100)

    caplog.clear()
    with pytest.raises(RetryAfter):
        await asyncio.wait_for(send_with_retry(long_flood, deadline=5), 3)
    assert "100 s" in caplog.text and "60" not in caplog.text
