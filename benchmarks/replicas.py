"""`make bench`, replicas part: 2,000 updates from 200 chats ("mer" among them) through 1, 2
and 3 real `citatbot telegram` webhook replicas behind a round-robin balancer, sharing the
machine's Redis (under a key prefix of the run's own), the fake Bot API delivering by webhook
as Telegram does; then a run with one of three replicas SIGKILLed a quarter of the way in.
Checks every reply exactly once, in order per chat; writes benchmarks/results/replicas.{md,json}.

    python -m benchmarks.replicas [--chats 200] [--per-chat 10] [--replicas 1 2 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import re
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.telegram.app import build_application
from tests.support.fake_bot_api import TOKEN, FakeBotApi
from tests.support.load import expect, make_plans, percentile, reply_times, verify
from tests.support.replicas import replicas_running
from tests.support.servers import REDIS_URL
from tests.test_replicas import duplicates_and_losses, forget

HERE = Path(__file__).resolve().parent


def drive(fake: FakeBotApi, replicas, plans, total: int, kill: bool) -> tuple[float, int]:
    """Push every update at once (SIGKILL a replica a quarter of the way in); wait until every
    update got its 2xx. Seconds from the first push to the last reply; deliveries refused."""
    start = time.monotonic()
    for step in range(len(plans[0].texts)):
        for plan in plans:
            fake.message(plan.chat_id, plan.texts[step])
            plan.pushed.append(time.monotonic())
    if kill:
        while len(fake.sent) < total // 4:
            time.sleep(0.01)
        replicas.kill(1)
    deadline = time.monotonic() + 600
    while fake.delivery.pending() and time.monotonic() < deadline:
        time.sleep(0.02)
    seconds = max(m["at"] for m in fake.sent) - start
    time.sleep(0.5)  # room for a duplicate to show
    return seconds, sum(fake.delivery.refused.values())


def run(pipeline: Pipeline, count: int, chats: int, per_chat: int, kill: bool = False) -> dict:
    """One run; the figures and what went wrong."""
    prefix = f"citatbot-bench-{secrets.token_hex(4)}:"
    plans = make_plans(chats, per_chat, seed=7)
    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN)
    expect(plans, build_application(settings, ConversationService(pipeline)), pipeline)
    total = sum(len(reply) for plan in plans for reply in plan.replies)
    fake = FakeBotApi().start()
    try:
        with tempfile.TemporaryDirectory() as work:
            with replicas_running(fake, count, REDIS_URL, Path(work),
                                  CITATBOT_REDIS_PREFIX=prefix, CITATBOT_CHAT_LOCK_TIMEOUT="3",
                                  CITATBOT_CHAT_LOCK_WAIT="1") as replicas:
                seconds, redelivered = drive(fake, replicas, plans, total, kill)
            logs = [replicas.log(i) for i in range(count)]
    finally:
        fake.stop()
    asyncio.run(forget(REDIS_URL, prefix))
    sent = list(fake.sent)
    handled = trips = 0
    for log in logs:
        if match := re.search(r"Handled (\d+) updates; (\d+) state store round trips", log):
            handled, trips = handled + int(match[1]), trips + int(match[2])
    figures = duplicates_and_losses(plans, sent)
    result = {"replicas": count, "updates": chats * per_chat, "chats": chats,
              "messages_expected": total, "killed": 1 if kill else 0, **figures,
              "redelivered": redelivered, "seconds": seconds,
              "throughput": chats * per_chat / seconds,
              "round_trips_per_update": trips / handled if handled else None,
              "problems": verify(plans, sent)}
    if not kill:
        times = reply_times(plans, sent)
        result |= {"p50_ms": 1000 * statistics.median(times),
                   "p95_ms": 1000 * percentile(times, 0.95)}
    return result


def markdown(runs: list[dict], machine: str) -> str:
    lines = ["# citatbot webhook replicas", "",
             f"`python -m benchmarks.replicas` on {machine}: every update of every chat pushed "
             "to the fake Bot API at once, delivered by webhook (40 connections, one update per "
             "chat at a time, again after a non-2xx) through a round-robin balancer to the "
             "replicas, which share one Redis. Update → reply: push to the arrival of the "
             "reply's last message, queue included. Round trips: Redis commands per handled "
             "update (counted by the replicas' client; a replica SIGKILLed does not report).", "",
             "| replicas | killed | updates | seconds | updates/s | p50 / p95 ms | Redis round "
             "trips / update | lost | duplicated | redelivered | problems |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        p = f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f}" if "p50_ms" in r else "—"
        rt = f"{r['round_trips_per_update']:.1f}" if r["round_trips_per_update"] else "—"
        lines.append(f"| {r['replicas']} | {r['killed']} | {r['updates']} | {r['seconds']:.1f} "
                     f"| {r['throughput']:.0f} | {p} | {rt} | {r['lost']} | {r['duplicated']} "
                     f"| {r['redelivered']} | {len(r['problems'])} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--per-chat", type=int, default=10)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    pipeline = Pipeline.from_settings(Settings(_env_file=None))
    runs = [run(pipeline, n, args.chats, args.per_chat) for n in args.replicas]
    runs.append(run(pipeline, 3, args.chats, args.per_chat, kill=True))
    machine = f"{platform.machine()}, {__import__('os').cpu_count()} cores"
    (HERE / "results" / "replicas.json").write_text(json.dumps(runs, indent=1))
    (HERE / "results" / "replicas.md").write_text(markdown(runs, machine))
    print(markdown(runs, machine))


if __name__ == "__main__":
    main()
