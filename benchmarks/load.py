"""`make bench`, load part: thousands of questions from hundreds of chats through the real
Telegram bot and the fake Bot API of tests/support/fake_bot_api.py, all pushed at once (or
paced), taken as fast as the bot takes them; the harness that checks and times them is
tests/support/load.py. Writes benchmarks/results/load.{md,json}.

    python -m benchmarks.load [--chats 200] [--per-chat 10] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
from pathlib import Path

from bot.pipeline import Pipeline
from bot.settings import Settings
from tests.support.load import run_load

HERE = Path(__file__).resolve().parent


def markdown(runs: list[dict], machine: str) -> str:
    """The report: one row per run, then any problem found."""
    lines = [
        "# citatbot load run", "",
        f"`python -m benchmarks.load` on {machine}. Every message of every chat is pushed to the "
        "fake Bot API at once, or paced: each chat sends its next message when the reply to "
        "the previous one has arrived (every user asking again as soon as answered). Update → "
        "reply is the time from the push to the arrival of the reply's last message (it "
        "includes the wait in the queue). Fake latency: how long the "
        "fake takes to answer each Bot API call, like a round trip to Telegram. Loop stall: the "
        "longest the event loop was late (measured only with the bot in process, where the "
        "fake's threads share its GIL: the stall grows and shrinks with sys.setswitchinterval, "
        "so it is the GIL, not a handler). Bot CPU: the bot process's user+system CPU time "
        "per update (own process only).", "",
        "| bot | arrivals | chats | updates (mer) | fake latency ms | concurrent | seconds "
        "| updates/s | p50 ms | p95 ms | max ms | bot CPU ms/update | loop stall ms "
        "| exactly once, in order |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        ok = "yes" if not r["problems"] else f"NO: {len(r['problems'])} problems"
        stall = "–" if r["loop_stall_ms"] is None else f"{r['loop_stall_ms']:.1f}"
        cpu = r["bot_cpu_ms_per_update"]
        cpu = "–" if cpu is None else f"{cpu:.1f}"
        lines.append(f"| {r['bot']} | {r['arrivals']} | {r['chats']} | {r['updates']:,} ({r['more']}) "
                     f"| {r['latency_ms']:.0f} | {r['concurrency']} | {r['seconds']:.2f} | {r['throughput']:.0f} "
                     f"| {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['max_ms']:.0f} "
                     f"| {cpu} | {stall} | {ok} |")
    for r in runs:
        lines += [f"- {problem}" for problem in r["problems"][:20]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the load at full size (and a paced comparison) and write the report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--per-chat", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05,
                        help="seconds per Bot API call in the paced runs (default 0.05)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    machine = f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    pipeline = Pipeline.from_settings(Settings(_env_file=None))
    small = max(1, args.chats // 10)
    configs = [  # the bot in its own process, as deployed; then in process, to time its loop
        {"separate": True}, {"separate": True, "latency": args.latency},
        {"separate": True, "latency": args.latency, "paced": True},
        {"separate": True, "latency": args.latency, "paced": True, "chats": small},
        {"separate": True, "latency": args.latency, "concurrency": 1, "chats": small},
        {"separate": False}]
    runs = []
    for config in configs:
        chats = config.pop("chats", args.chats)
        print(f"{chats} chats × {args.per_chat}, {config} …", flush=True)
        runs.append(asyncio.run(run_load(pipeline, chats=chats, per_chat=args.per_chat,
                                         **config)))
    args.out.mkdir(parents=True, exist_ok=True)
    report = markdown(runs, machine)
    (args.out / "load.md").write_text(report, encoding="utf-8")
    (args.out / "load.json").write_text(json.dumps({"machine": machine, "runs": runs}, indent=2),
                                        encoding="utf-8")
    print(report)
    return 1 if any(r["problems"] for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
