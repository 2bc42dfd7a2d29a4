"""The load harness: many chats' questions pushed through the real Telegram bot
(build_application, HTTP, the real pipeline and corpus) against the fake Bot API, checked and
timed. tests/test_load.py runs it small; `python -m benchmarks.load` runs it at full size.

Checked: every question answered exactly once, in its own chat, in order within each chat, with
the chat's own state ("mer" pages that chat's previous answer): each chat's messages must equal,
in order, what a fresh ConversationService gives for that chat's messages alone. Measured:
throughput, update → reply time (push to the arrival of the reply's last message, so it counts
the wait in the queue), and the event loop's worst stall.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.settings import DEFAULT_CORPUS, Settings
from bot.telegram.app import build_application
from bot.telegram.replies import SERVICES
from tests.support.fake_bot_api import TOKEN, FakeBotApi, running

ROOT = Path(__file__).resolve().parents[2]
FIRST_CHAT = 1000
MORE_SHARE = 0.3  # share of messages that are a typed "mer" after a question
SETTLE = 0.5      # seconds to wait after the last expected reply, for duplicates to show


@dataclass
class Plan:
    """One chat's messages, and the HTML messages the bot must send back for each."""

    chat_id: int
    texts: list[str]
    replies: list[list[str]] = field(default_factory=list)
    pushed: list[float] = field(default_factory=list)


def questions() -> list[str]:
    """The answerable questions of the gold file, the traffic of the load run."""
    lines = (DEFAULT_CORPUS / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [row["question"] for row in map(json.loads, lines) if row["answerable"]]


def make_plans(chats: int, per_chat: int, seed: int) -> list[Plan]:
    """Each chat a random sequence of questions with a "mer" now and then (fixed seed)."""
    pool, rng = questions(), random.Random(seed)
    plans = []
    for n in range(chats):
        texts: list[str] = []
        for _ in range(per_chat):
            follow = texts and texts[-1] != "mer" and rng.random() < MORE_SHARE
            texts.append("mer" if follow else rng.choice(pool))
        plans.append(Plan(FIRST_CHAT + n, texts))
    return plans


def expect(plans: list[Plan], app, pipeline: Pipeline) -> None:
    """Fill in each plan's replies: the chat's messages alone, in order, through a fresh service
    and the bot's own renderer."""
    service, render = ConversationService(pipeline), app.bot_data[SERVICES].render
    for plan in plans:
        plan.replies = [render(service.handle(plan.chat_id, text)) for text in plan.texts]


def verify(plans: list[Plan], sent: list[dict]) -> list[str]:
    """What went wrong: a chat whose messages differ from its expected replies in order."""
    known = {plan.chat_id for plan in plans}
    problems = [f"a message went to chat {m['chat']['id']}, which asked nothing"
                for m in sent if m["chat"]["id"] not in known]
    by_chat: dict[int, list[str]] = {}
    for message in sent:
        by_chat.setdefault(message["chat"]["id"], []).append(message["html"])
    for plan in plans:
        want = [html for reply in plan.replies for html in reply]
        got = by_chat.get(plan.chat_id, [])
        if got != want:
            first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                         min(len(got), len(want)))
            problems.append(f"chat {plan.chat_id}: {len(got)} messages, expected {len(want)};"
                            f" first difference at message {first + 1}")
    return problems


def push_all(fake: FakeBotApi, plans: list[Plan]) -> None:
    """Every message of every chat at once, round by round across the chats."""
    for step in range(len(plans[0].texts)):
        for plan in plans:
            fake.message(plan.chat_id, plan.texts[step])
            plan.pushed.append(time.monotonic())


async def push_paced(fake: FakeBotApi, plans: list[Plan]) -> None:
    """Each chat sends its next message once the reply to its previous one has arrived."""
    received = {plan.chat_id: 0 for plan in plans}
    seen, waiting = 0, list(plans)
    while waiting:
        with fake.lock:
            new, seen = fake.sent[seen:], len(fake.sent)
        for message in new:
            received[message["chat"]["id"]] += 1
        for plan in waiting:
            step = len(plan.pushed)
            if received[plan.chat_id] >= sum(len(r) for r in plan.replies[:step]):
                fake.message(plan.chat_id, plan.texts[step])
                plan.pushed.append(time.monotonic())
        waiting = [plan for plan in waiting if len(plan.pushed) < len(plan.texts)]
        await asyncio.sleep(0.002)


def reply_times(plans: list[Plan], sent: list[dict]) -> list[float]:
    """Seconds from each update's push to the arrival of the last message of its reply."""
    arrived: dict[int, list[float]] = {}
    for message in sent:
        arrived.setdefault(message["chat"]["id"], []).append(message["at"])
    times = []
    for plan in plans:
        position = 0
        for pushed, reply in zip(plan.pushed, plan.replies):
            position += len(reply)
            times.append(arrived[plan.chat_id][position - 1] - pushed)
    return times


async def loop_stalls(stop: asyncio.Event, interval: float = 0.005) -> float:
    """The longest the event loop was late to wake a sleeping task, in seconds."""
    loop, worst = asyncio.get_running_loop(), 0.0
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(interval)
        worst = max(worst, loop.time() - before - interval)
    return worst


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@asynccontextmanager
async def bot_in_process(settings: Settings, pipeline: Pipeline) -> AsyncIterator[dict]:
    """The bot on this event loop (what the tests use); the fake shares this process's GIL."""
    async with running(build_application(settings, ConversationService(pipeline)),
                       poll_timeout=1.0):
        yield {}


@asynccontextmanager
async def bot_process(fake: FakeBotApi, settings: Settings,
                      root: Path | None = None) -> AsyncIterator[dict]:
    """`python -m bot telegram`, the real entry point, in its own process (of the checkout at
    `root`, default this one); SIGTERM at the end, which answers every update taken before it
    exits. Yields a dict that gets "cpu_s": the CPU time the bot used from start-up done to
    the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITATBOT_", "TELEGRAM_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url,
               PYTHONPATH=str(root or ROOT), CITATBOT_FEEDBACK_DB=str(settings.feedback_db),
               CITATBOT_MAX_CONCURRENT_UPDATES=str(settings.max_concurrent_updates))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "telegram", cwd=settings.feedback_db.parent, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    usage: dict = {}
    try:
        await fake.wait_for(lambda: fake.called("getUpdates"), timeout=60)
        started = cpu_seconds(process.pid)
        yield usage
        usage["cpu_s"] = cpu_seconds(process.pid) - started
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, err = await process.communicate()
        if process.returncode or TOKEN in err.decode():
            raise RuntimeError(f"the bot process failed ({process.returncode}):\n{err.decode()}")


async def run_load(pipeline: Pipeline, *, chats: int, per_chat: int, latency: float = 0.0,
                   concurrency: int | None = None, seed: int = 7, separate: bool = False,
                   paced: bool = False, timeout: float = 600.0) -> dict:
    """Push every message of every chat at once (or, `paced`, each chat's next message once its
    previous reply arrived), wait for the replies, check and time them.

    `separate` runs the bot as its own process, so the fake's threads do not compete with it
    for the GIL; the event loop's stalls are then measured only in process.
    """
    fake = FakeBotApi()
    fake.latency = latency
    fake.start()
    worst_stall = None
    try:
        with tempfile.TemporaryDirectory() as work:
            extra = {"max_concurrent_updates": concurrency} if concurrency else {}
            settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN,
                                TELEGRAM_BASE_URL=fake.base_url,
                                feedback_db=Path(work) / "feedback.sqlite3", **extra)
            plans = make_plans(chats, per_chat, seed)
            expect(plans, build_application(settings, ConversationService(pipeline)), pipeline)
            total = sum(len(reply) for plan in plans for reply in plan.replies)
            stop = asyncio.Event()
            bot = bot_process(fake, settings) if separate else bot_in_process(settings, pipeline)
            async with bot as usage:
                stalls = None if separate else asyncio.create_task(loop_stalls(stop))
                start = time.monotonic()
                if paced:
                    await push_paced(fake, plans)
                else:
                    push_all(fake, plans)
                await fake.wait_for(lambda: len(fake.sent) >= total, timeout=timeout)
                seconds = max(m["at"] for m in fake.sent) - start
                stop.set()
                await fake.settle(SETTLE)
                worst_stall = await stalls if stalls else None
            sent = list(fake.sent)
            sends_at_once = fake.most_in_flight["sendMessage"]
        cpu = usage.get("cpu_s")
    finally:
        fake.stop()
    times = reply_times(plans, sent)
    updates = chats * per_chat
    return {
        "chats": chats, "updates": updates, "messages_sent": len(sent),
        "more": sum(t == "mer" for plan in plans for t in plan.texts),
        "latency_ms": latency * 1000, "concurrency": settings.max_concurrent_updates,
        "bot": "own process" if separate else "in process",
        "arrivals": "paced" if paced else "all at once",
        "seconds": seconds, "throughput": updates / seconds,
        "p50_ms": 1000 * statistics.median(times), "p95_ms": 1000 * percentile(times, 0.95),
        "max_ms": 1000 * max(times),
        "bot_cpu_ms_per_update": None if cpu is None else 1000 * cpu / updates,
        "loop_stall_ms": None if worst_stall is None else 1000 * worst_stall,
        "most_sends_at_once": sends_at_once,
        "problems": verify(plans, sent),
    }
