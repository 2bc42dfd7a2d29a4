"""`make bench`: the bundled corpus, then synthetic corpora of growing size, each engine in its
own process; prints ratios and writes benchmarks/results/ (JSON, markdown, PNG plot).

At each size, ours-path is what users get (a question read and searched by the Retriever, as
Pipeline.answer does); ours-serve (BM25Scorer.top on term lists) is compared with rank-bm25 and
bm25s, which rank term lists too.

    python -m benchmarks.run [--sizes 10000 100000 1000000] [--queries 300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from importlib import metadata
from pathlib import Path

from benchmarks.bundled import bundled
from benchmarks.measure import run_child
from benchmarks.report import write_report
from benchmarks.workers import grams_path, index_path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SIZES = (10_000, 100_000, 1_000_000)
ENGINES = ("ours-build", "ours-serve", "ours-path", "rank-bm25", "bm25s")
SERVE_RUNS = 3  # citatbot's serving processes (ours-serve, ours-path) run this often; medians


def run_worker(engine: str, size: int, queries: int, work: Path,
               env: dict[str, str] | None = None) -> dict:
    """One engine at one size in a fresh process (with `env`, if given); its JSON plus the
    process's wall time."""
    cmd = [sys.executable, "-m", "benchmarks.workers", engine, str(size), str(queries), str(work)]
    child = run_child(cmd, cwd=str(HERE.parent), env=env)
    if child.returncode:
        raise RuntimeError(f"benchmark worker {engine} at {size} failed ({child.returncode})")
    return {**json.loads(child.stdout), "process_s": child.seconds}


def median_run(runs: list[dict]) -> dict:
    """The first run's fields, with every timing and memory figure the median over the runs."""
    keys = ("load_s", "key_s", "p50_ms", "p95_ms", "peak_mb", "process_s")
    return {**runs[0], **{k: statistics.median(r[k] for r in runs) for k in keys if k in runs[0]},
            "runs": len(runs)}


def repeated(row: dict, engine: str, size: int, queries: int, work: Path) -> dict:
    """The engine's run in `row` and SERVE_RUNS - 1 more, as medians."""
    runs = [row.pop(engine)]
    runs += [run_worker(engine, size, queries, work) for _ in range(SERVE_RUNS - 1)]
    return median_run(runs)


def scale(size: int, queries: int, work: Path) -> dict:
    """Every engine on one synthetic corpus; how many top-10 lists match rank-bm25's."""
    row = {}
    for engine in ENGINES:
        print(f"  {size:>9,} passages: {engine} …", flush=True)
        row[engine] = run_worker(engine, size, queries, work)
    serve = repeated(row, "ours-serve", size, queries, work)
    ours = {**row.pop("ours-build"), **serve, "serve_runs": serve.pop("runs")}
    row["path"] = repeated(row, "ours-path", size, queries, work)
    checked = list(zip(ours.pop("top_ids"), row["rank-bm25"].pop("top_ids")))
    row["agree"] = f"{sum(a == b for a, b in checked)}/{len(checked)}"
    for made in (index_path(work, size), grams_path(work, size)):
        made.unlink(missing_ok=True)
    return {"size": size, "ours": ours, **row}


def machine() -> dict:
    """Where the numbers were measured."""
    versions = {name: _version(name) for name in ("numpy", "rank-bm25", "bm25s")}
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "processor": platform.processor(), **versions}


def _version(name: str) -> str:
    """The installed version of a package, or "not installed" (the benchmark extras are
    `pip install -e '.[bench]'`, which `make bench` runs)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def scale_arguments(prog: str, sizes: tuple[int, ...], queries: int,
                    argv: list[str] | None) -> tuple[argparse.Namespace, Path]:
    """--sizes, --queries and --out, shared by the scale benchmarks, and their work folder."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(sizes))
    parser.add_argument("--queries", type=int, default=queries)
    parser.add_argument("--out", type=Path, default=RESULTS)
    work = HERE / "out"
    work.mkdir(exist_ok=True)
    return parser.parse_args(argv), work


def main(argv: list[str] | None = None) -> int:
    """Run everything and write the results."""
    args, work = scale_arguments("python -m benchmarks.run", SIZES, 300, argv)
    print("Bundled corpus …", flush=True)
    results = {"machine": machine(), "bundled": bundled(), "queries": args.queries}
    results["scale"] = [scale(size, args.queries, work) for size in args.sizes]
    print(write_report(results, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
