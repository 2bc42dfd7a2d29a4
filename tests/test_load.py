"""The load harness of tests/support/load.py (benchmarks/load.py runs it at full size) at a size
that keeps the suite fast, and the allowlist and rate limit under a flood: the real bot over
HTTP against the fake Bot API."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.telegram.app import build_application
from tests.support.fake_bot_api import FakeBotApi, running
from tests.support.corpus import UMEA
from tests.support.load import make_plans, run_load



async def test_200_questions_from_20_chats_answered_once_in_order(pipeline: Pipeline) -> None:
    result = await run_load(pipeline, chats=20, per_chat=10, timeout=60)
    assert result["problems"] == []
    assert result["messages_sent"] == 200 and result["more"] > 0


async def test_chats_are_answered_concurrently_and_each_in_order(pipeline: Pipeline) -> None:
    """Every Bot API call takes 0.2 s: one update at a time, no two answers would ever be on
    their way at once (the fake counts them, so no clock on a slow machine decides this)."""
    result = await run_load(pipeline, chats=20, per_chat=3, latency=0.2, timeout=60)
    assert result["problems"] == []
    assert result["most_sends_at_once"] > 1


def test_conversation_state_stays_per_chat_across_worker_threads(pipeline: Pipeline) -> None:
    """Eight threads, forty chats, each chat's messages in order in one thread at a time (as the
    bot runs them): every chat gets what it gets when it is the only one."""
    plans = make_plans(40, 8, seed=3)
    sequential = ConversationService(pipeline)
    alone = {p.chat_id: [sequential.handle(p.chat_id, t) for t in p.texts] for p in plans}
    shared = ConversationService(pipeline)
    with ThreadPoolExecutor(8) as pool:
        together = dict(zip(alone, pool.map(
            lambda p: [shared.handle(p.chat_id, t) for t in p.texts], plans)))
    assert together == alone


async def test_allowlist_and_rate_limit_hold_under_a_flood(bot_settings, fake, pipeline,
                                                           monkeypatch) -> None:
    allowed, strangers = range(1, 11), range(11, 21)
    monkeypatch.setenv("CITATBOT_ALLOWED_CHATS", ",".join(map(str, allowed)))
    monkeypatch.setenv("CITATBOT_RATE_LIMIT_PER_MINUTE", "3")
    app = build_application(Settings(_env_file=None), ConversationService(pipeline))
    async with running(app):
        for _ in range(8):
            for chat in (*allowed, *strangers):
                fake.message(chat, UMEA)
        await fake.wait_for(lambda: len(fake.sent) >= 4 * len(allowed) + len(strangers))
        await fake.settle(0.5)
    for chat in allowed:
        replies = [m["text"] for m in fake.sent_to(chat)]
        assert len(replies) == 4, chat
        assert all("miljard" in r for r in replies[:3]) and "Vänta" in replies[3]
    for chat in strangers:
        assert [("inte öppen" in m["text"]) for m in fake.sent_to(chat)] == [True], chat


async def test_a_flooding_chat_delays_only_itself(bot_settings, fake, pipeline,
                                                  monkeypatch) -> None:
    """Updates waiting for their own chat hold no working slot: with 4 slots and 20 queued
    questions from one chat, another chat is answered while the first of them is still being
    worked on (held slots would make it wait for 17 of them, and this wait time out)."""
    monkeypatch.setenv("CITATBOT_MAX_CONCURRENT_UPDATES", "4")
    monkeypatch.setenv("CITATBOT_RATE_LIMIT_PER_MINUTE", "0")
    waited: list[bool] = []

    class FloodWaits(ConversationService):
        def handle(self, chat_id: object, text: str, state=None):
            if chat_id == 1 and not waited:  # the flood's first question, in a worker thread
                waited.append(sent_within(fake, 2, seconds=10))
            return super().handle(chat_id, text, state)

    async with running(build_application(Settings(_env_file=None), FloodWaits(pipeline))):
        for _ in range(20):
            fake.message(1, UMEA)
        fake.message(2, "Hur många lex Sarah-anmälningar har utretts i Växjö?")
        await fake.wait_sent(1, 20)
    assert waited == [True]
    assert [m["chat"]["id"] for m in fake.sent] == [2] + [1] * 20


def sent_within(fake: FakeBotApi, chat_id: int, seconds: float) -> bool:
    """Whether a message reaches the chat within `seconds` (waited for in a worker thread)."""
    deadline = time.monotonic() + seconds
    while not fake.sent_to(chat_id):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.mark.parametrize("seconds", [0.0, 0.8], ids=["fast", "slow"])
async def test_typing_is_shown_only_while_an_answer_is_slow(bot_settings, fake, pipeline,
                                                            seconds: float) -> None:
    class Slow(ConversationService):
        def handle(self, chat_id: object, text: str, state=None):
            time.sleep(seconds)
            return super().handle(chat_id, text, state)

    async with running(build_application(bot_settings, Slow(pipeline))):
        fake.message(1, UMEA)
        await fake.wait_sent(1)
    assert len(fake.called("sendChatAction")) == (1 if seconds else 0)
