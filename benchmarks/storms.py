"""`make bench`, storms part: 100 chats ask at once while Telegram refuses or loses the bot's
messages for seconds on end, the bot running as its own process (`python -m bot telegram`)
against the fake Bot API; every chat's reply is checked (issue 17.6 and 17.6b).

Storms: 8 s of 429 flood control (retry_after 1 s) on every sendMessage; 12 s of 502 from
Telegram; 12 s of Telegram out of reach (connections refused, after a second of 429 that holds
the replies back until the bot has taken the updates); and a flaky link that drops one
sendMessage in ten without an answer, before Telegram handled it, and one in ten after.
Writes benchmarks/results/storms.{md,json}.

    python -m benchmarks.storms [--chats 100] [--bot-root PATH]

`--bot-root` runs the bot of another checkout (e.g. an older commit, exported with
`git archive`) against the same storms, for a before/after comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.telegram.app import build_application
from tests.support.fake_bot_api import TOKEN, Delay, Drop, FakeBotApi
from tests.support.load import bot_process, expect, make_plans

HERE = Path(__file__).resolve().parent
WAIT = 75.0  # seconds for every reply: past the default send timeout of 60
STORMS = {
    "8 s of 429 (retry_after 1 s)": lambda fake: fake.refuse_for("sendMessage", 429, 8,
                                                                  retry_after=1),
    "12 s of 502": lambda fake: fake.refuse_for("sendMessage", 502, 12),
    "12 s unreachable (refused)": lambda fake: out_of_reach(fake, 12),
    "1 in 10 dropped before, 1 in 10 after": lambda fake: drops(fake, 0.1, 0.1),
}


def out_of_reach(fake: FakeBotApi, seconds: float) -> None:
    """Telegram out of reach while the bot has replies to send: a second of 429 holds the
    sends back until the bot has taken the updates, then connections are refused."""
    fake.refuse_for("sendMessage", 429, 1, retry_after=1)
    threading.Timer(0.5, fake.unreachable_for, [seconds]).start()


def drops(fake: FakeBotApi, before: float, after: float, calls: int = 2000) -> None:
    """Drop sendMessage calls at random (fixed seed): `before` of them unhandled, `after`
    handled (Telegram sent the message, the answer was lost)."""
    rng = random.Random(7)
    for _ in range(calls):
        roll = rng.random()
        fake.faults["sendMessage"].append(Drop(False) if roll < before else Drop(True)
                                          if roll < before + after else Delay(0))


async def weather(storm: str, pipeline: Pipeline, chats: int, bot_root: Path | None) -> dict:
    """One storm: every chat asks once as it begins; how many replies arrived once, twice,
    not at all (or as an apology), and when the last one came."""
    fake = FakeBotApi().start()
    try:
        with tempfile.TemporaryDirectory() as work:
            settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN,
                                TELEGRAM_BASE_URL=fake.base_url,
                                feedback_db=Path(work) / "feedback.sqlite3")
            plans = make_plans(chats, 1, seed=11)
            expect(plans, build_application(settings, ConversationService(pipeline)), pipeline)
            async with bot_process(fake, settings, root=bot_root):
                STORMS[storm](fake)
                start = time.monotonic()
                for plan in plans:
                    fake.message(plan.chat_id, plan.texts[0])
                want = sum(len(plan.replies[0]) for plan in plans)
                with contextlib.suppress(AssertionError):  # some lost: wait the send timeout
                    await fake.wait_for(lambda: len(fake.sent) >= want, timeout=WAIT)
                await fake.settle(3.0)  # for duplicates to show
            sent = list(fake.sent)
    finally:
        fake.stop()
    by_chat: dict[int, list[str]] = {}
    for message in sent:
        by_chat.setdefault(message["chat"]["id"], []).append(message["html"])
    outcome = Counter()
    for plan in plans:
        want, got = plan.replies[0], by_chat.get(plan.chat_id, [])
        outcome["once" if got == want else "twice" if got == want * 2
                else "lost" if not any(g in want for g in got) else "other"] += 1
    last = max((m["at"] for m in sent), default=start) - start
    return {"storm": storm, "chats": chats, **{k: outcome[k] for k in
                                                ("once", "twice", "lost", "other")},
            "last_reply_s": last}


def markdown(runs: list[dict], machine: str, bot: str) -> str:
    lines = ["# citatbot storms", "",
             f"`python -m benchmarks.storms` on {machine}, bot: {bot}. {runs[0]['chats']} chats "
             "ask once as the storm breaks on sendMessage. Once: the chat got its "
             "reply exactly once; twice: the same reply two times; lost: no reply (or only "
             "the apology); last reply: seconds from the questions to the last message.", "",
             "| storm | once | twice | lost | other | last reply s |",
             "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['storm']} | {r['once']} | {r['twice']} | {r['lost']} | {r['other']} "
              f"| {r['last_reply_s']:.1f} |" for r in runs]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.storms")
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--bot-root", type=Path, default=None,
                        help="run the bot of this checkout (default: this one)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    machine = f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    pipeline = Pipeline.from_settings(Settings(_env_file=None))
    runs = []
    for storm in STORMS:
        print(storm, "…", flush=True)
        runs.append(asyncio.run(weather(storm, pipeline, args.chats, args.bot_root)))
    bot = str(args.bot_root) if args.bot_root else "this checkout"
    report = markdown(runs, machine, bot)
    name = "storms" if args.bot_root is None else "storms_other"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{name}.md").write_text(report, encoding="utf-8")
    (args.out / f"{name}.json").write_text(
        json.dumps({"machine": machine, "bot": bot, "runs": runs}, indent=2), encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
