"""What the character 4-gram field costs as the corpus grows (why it has a passage limit).

    python -m benchmarks.grams [--sizes 10000 100000] [--queries 200]

Each size runs in this process on a synthetic corpus (benchmarks/workers.py's model): build
time, postings, array memory, and query p50/p95 of the gram field alone. Writes
benchmarks/results/grams.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from tests.support.users_path import bundled_terms
from bot.evaluation.metrics import percentile
from retrieval.analyzer import CharGramAnalyzer, SwedishAnalyzer
from retrieval.bm25 import BM25Scorer, build_postings
from tests.support.synthetic import synthetic_corpus, synthetic_queries

HERE = Path(__file__).resolve().parent


def measure(size: int, queries: int, model: list[list[str]]) -> dict:
    """Build the gram field over `size` synthetic passages and time its queries."""
    grams = CharGramAnalyzer(SwedishAnalyzer())
    corpus = synthetic_corpus(model, size)
    started = time.perf_counter()
    scorer = BM25Scorer(build_postings(grams.grams(doc) for doc in corpus.docs()))
    build_s = time.perf_counter() - started
    p = scorer.postings
    # Counted as before: a float64 score per posting, the most the scorer's cache holds.
    array_mb = (p.doc_ids.nbytes + p.tfs.nbytes + p.indptr.nbytes + p.doc_ids.size * 8) / 1e6
    times = []
    for query in synthetic_queries(model, queries):
        started = time.perf_counter()
        scores = scorer.scores(grams.grams(query * 2))
        np.argpartition(-scores, 10)[:10]
        times.append((time.perf_counter() - started) * 1000)
    return {"passages": size, "build_s": build_s, "postings": int(len(p.doc_ids)),
            "array_mb": array_mb, "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    model = bundled_terms()
    rows = [measure(size, args.queries, model) for size in args.sizes]
    lines = ["| passages | build | postings | arrays | query p50 / p95 |", "|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['passages']:,} | {r['build_s']:.1f} s | {r['postings']:,} | "
              f"{r['array_mb']:.0f} MB | {r['p50_ms']:.2f} / {r['p95_ms']:.2f} ms |" for r in rows]
    table = "\n".join(lines).replace(",", " ") + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "grams.json").write_text(json.dumps(rows, indent=2) + "\n", "utf-8")
    (args.out / "grams.md").write_text("# The character 4-gram field at scale\n\n" + table, "utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
