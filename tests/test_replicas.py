"""Webhook replicas end to end: real `citatbot telegram` processes behind a round-robin
balancer, the fake Bot API delivering by webhook (again after anything but a 2xx, as Telegram
does), and a real Redis. The full-size runs (2,000 updates, 1-3 replicas) are
`python -m benchmarks.replicas`."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from pathlib import Path

import pytest

from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.replies import SERVICES
from tests.support.corpus import UMEA
from tests.support.fake_bot_api import TOKEN, FakeBotApi
from tests.support.load import expect, make_plans, verify
from tests.support.replicas import replicas_running
from tests.support.servers import OwnRedis, require_redis


def handled(replicas, index: int) -> int:
    """Updates a replica answered, from the line it logs when it stops."""
    match = re.search(r"Handled (\d+) updates", replicas.log(index))
    return int(match[1]) if match else -1


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_chats_mer_stycke_and_buttons_are_answered_by_another_replica(
        fake: FakeBotApi, tmp_path: Path, pipeline: Pipeline) -> None:
    """One chat's follow-ups and buttons reach either replica; and the rate limit (every update
    counts) holds across both: one deployment, to keep the suite short."""
    server = OwnRedis(tmp_path).start()
    try:
        with replicas_running(fake, 2, server.url, tmp_path,
                              CITATBOT_RATE_LIMIT_PER_MINUTE="5") as replicas:
            fake.message(5, UMEA)
            wait_until(lambda: fake.sent_to(5))
            fake.message(5, "mer")  # round robin: the other replica
            wait_until(lambda: len(fake.sent_to(5)) >= 2)
            fake.message(5, "stycke 1")
            wait_until(lambda: len(fake.sent_to(5)) >= 3)
            first = fake.sent_to(5)[0]
            paragraph = next(b["callback_data"] for row in first["reply_markup"]["inline_keyboard"]
                             for b in row if b["callback_data"].startswith("p:"))
            fake.press(first, paragraph)
            wait_until(lambda: len(fake.sent_to(5)) >= 4)
            second = fake.sent_to(5)[1]
            more = next(b["callback_data"] for row in second["reply_markup"]["inline_keyboard"]
                        for b in row if b["callback_data"].startswith("m:"))
            fake.press(second, more)
            wait_until(lambda: len(fake.sent_to(5)) >= 5)
            for _ in range(9):
                fake.message(9, UMEA)
            wait_until(lambda: fake.delivery.pending() == 0)
            time.sleep(0.3)
        service = ConversationService(pipeline)
        want_first = service.handle(5, UMEA)
        want_more = service.handle(5, "mer")
        want_paragraph = service.handle(5, "stycke 1")
        want_more2 = service.handle(5, "mer")
    finally:
        server.stop()
    texts = [m["text"] for m in fake.sent_to(5)]
    assert want_first.quotes[0].text in texts[0]
    assert want_more.quotes[0].text in texts[1]  # the state came from the other replica
    assert want_paragraph.paragraph.text.split("\n")[0][:60] in texts[2]
    assert want_first.quotes[0].passage.text.split("\n")[0][:60] in texts[3]
    assert want_more2.quotes[0].text in texts[4]
    assert handled(replicas, 0) >= 2 and handled(replicas, 1) >= 2  # both took part
    limited = [m["text"] for m in fake.sent_to(9)]
    assert len(limited) == 6  # five answers and one "wait", though two replicas took turns
    assert sum("miljard" in t for t in limited) == 5


def test_updates_from_many_chats_over_three_replicas_exactly_once_in_order(
        fake: FakeBotApi, tmp_path: Path, pipeline: Pipeline) -> None:
    """The small version of benchmarks/replicas.py: 80 updates from 20 chats ("mer" among
    them), on the machine's Redis under a key prefix of the test's own."""
    url, prefix = require_redis(), f"citatbot-test-{secrets.token_hex(4)}:"
    plans = make_plans(chats=20, per_chat=4, seed=3)
    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN)
    expect(plans, build_application(settings, ConversationService(pipeline)), pipeline)
    total = sum(len(reply) for plan in plans for reply in plan.replies)
    with replicas_running(fake, 3, url, tmp_path, CITATBOT_REDIS_PREFIX=prefix) as replicas:
        for step in range(4):
            for plan in plans:
                fake.message(plan.chat_id, plan.texts[step])
        wait_until(lambda: len(fake.sent) >= total, timeout=120)
        time.sleep(0.5)  # room for a duplicate to show
    assert verify(plans, fake.sent) == []
    assert all(handled(replicas, i) > 0 for i in range(3))
    asyncio.run(forget(url, prefix))


def test_a_sigkilled_replicas_updates_are_delivered_again_and_answered(
        fake: FakeBotApi, tmp_path: Path, pipeline: Pipeline) -> None:
    url, prefix = require_redis(), f"citatbot-test-{secrets.token_hex(4)}:"
    plans = make_plans(chats=16, per_chat=6, seed=5)
    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN)
    expect(plans, build_application(settings, ConversationService(pipeline)), pipeline)
    total = sum(len(reply) for plan in plans for reply in plan.replies)
    with replicas_running(fake, 2, url, tmp_path, CITATBOT_REDIS_PREFIX=prefix,
                          CITATBOT_CHAT_LOCK_TIMEOUT="2", CITATBOT_CHAT_LOCK_WAIT="1") as replicas:
        for step in range(6):
            for plan in plans:
                fake.message(plan.chat_id, plan.texts[step])
        wait_until(lambda: len(fake.sent) >= total // 4)
        replicas.kill(1)
        wait_until(lambda: fake.delivery.pending() == 0, timeout=120)
        time.sleep(0.5)
        refused = sum(fake.delivery.refused.values())
    report = duplicates_and_losses(plans, fake.sent)
    assert report["lost"] == 0, report
    assert report["duplicated"] <= 3, report  # only a reply sent in the kill's instant
    assert refused > 0  # some updates did reach the dead replica and came again
    asyncio.run(forget(url, prefix))


def test_a_redis_restart_mid_run_loses_no_update(fake: FakeBotApi, tmp_path: Path,
                                                 pipeline: Pipeline) -> None:
    """Redis restarted empty while the replicas work: they answer 503 meanwhile (one log line),
    Telegram delivers again, every question is answered; a "mer" may find its state gone."""
    server = OwnRedis(tmp_path).start()
    try:
        with replicas_running(fake, 2, server.url, tmp_path) as replicas:
            for n in range(80):
                fake.message(2000 + n % 20, UMEA)
            wait_until(lambda: len(fake.sent) >= 20)
            server.restart(down=0.5)
            wait_until(lambda: fake.delivery.pending() == 0, timeout=120)
            time.sleep(0.3)
        logs = replicas.log(0) + replicas.log(1)
    finally:
        server.stop()
    assert len(fake.sent) == 80 and all("miljard" in m["text"] for m in fake.sent)
    assert "state store is unreachable" in logs
    assert "Traceback" not in logs


def duplicates_and_losses(plans, sent) -> dict:
    """Each chat's replies against its expected ones: lost and duplicated messages."""
    by_chat: dict[int, list[str]] = {}
    for message in sent:
        by_chat.setdefault(message["chat"]["id"], []).append(message["html"])
    lost = duplicated = 0
    for plan in plans:
        want = [html for reply in plan.replies for html in reply]
        got = by_chat.get(plan.chat_id, [])
        lost += max(0, len(want) - len(got))
        duplicated += max(0, len(got) - len(want))
    return {"lost": lost, "duplicated": duplicated, "sent": len(sent)}


async def forget(url: str, prefix: str) -> None:
    """Remove the test's keys from the shared Redis."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    keys = [k async for k in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
