"""One engine at one corpus size, in its own process so its memory is its own.

    python -m benchmarks.workers ENGINE SIZE QUERIES DIR   → one JSON object on stdout

Engines: ours-build (term lists → postings → .npz), ours-serve (load the .npz, answer queries),
rank-bm25 (BM25Okapi, get_scores + sort), bm25s (numpy backend).
"""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks.measure import latencies, peak_rss_mb, percentiles, timed
from bot.settings import DEFAULT_CORPUS
from retrieval.analyzer import SwedishAnalyzer
from retrieval.bm25 import BM25Scorer, build_postings
from retrieval.index import indexed_text
from retrieval.ingest import load_corpus
from retrieval.store import load_postings, save_postings
from tests.support.synthetic import synthetic_corpus, synthetic_queries

SEED = 6
TOP = 10
CHECKED = 20  # queries whose top-10 ids are returned, to compare engines


def bundled_terms() -> list[list[str]]:
    """The analysed passages of the bundled corpus: the model of every synthetic corpus."""
    analyzer = SwedishAnalyzer()
    return [analyzer.terms(indexed_text(p)) for p in load_corpus(DEFAULT_CORPUS).passages]


def traced_mb(build: Callable[[], object]) -> float:
    """Memory (MB) still held by what build() returns, counted by tracemalloc (numpy included)."""
    gc.collect()
    tracemalloc.start()
    kept = build()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return size / 2**20


def index_path(folder: Path, size: int) -> Path:
    return folder / f"synthetic-{size}.npz"


def reference_queries(size: int, count: int) -> int:
    """How many queries the slow reference answers: all at 10k, fewer as it grows."""
    return min(count, max(20, 10**7 // size))


def ours_build(size: int, count: int, folder: Path) -> dict:
    docs = synthetic_corpus(bundled_terms(), size, SEED).docs()
    postings, build_s = timed(lambda: build_postings(docs))
    size_bytes, save_s = timed(lambda: save_postings(index_path(folder, size), postings, str(size)))
    return {"build_s": build_s, "save_s": save_s, "file_mb": size_bytes / 2**20,
            "postings": len(postings.doc_ids), "vocabulary": len(postings.vocabulary),
            "build_peak_mb": peak_rss_mb()}


def ours_serve(size: int, count: int, folder: Path) -> dict:
    queries = synthetic_queries(bundled_terms(), count)
    path = index_path(folder, size)
    scorer, load_s = timed(lambda: BM25Scorer(load_postings(path, str(size))))
    times = latencies(lambda q: scorer.top(q, TOP), queries)
    peak_mb = peak_rss_mb()
    return {"load_s": load_s, **percentiles(times), "queries": len(queries), "peak_mb": peak_mb,
            "index_mb": traced_mb(lambda: BM25Scorer(load_postings(path, str(size)))),
            "top_ids": [scorer.top(q, TOP)[0].tolist() for q in queries[:CHECKED]]}


def rank_bm25(size: int, count: int, folder: Path) -> dict:
    from rank_bm25 import BM25Okapi

    queries = synthetic_queries(bundled_terms(), reference_queries(size, count))
    docs = synthetic_corpus(bundled_terms(), size, SEED).docs()
    ref, build_s = timed(lambda: BM25Okapi(docs))

    def top(q: list[str]) -> list[int]:
        scores = ref.get_scores(q)
        return [i for i in np.argsort(-scores, kind="stable")[:TOP] if scores[i] > 0]

    times = latencies(top, queries)
    top_ids = [[int(i) for i in top(q)] for q in queries[:CHECKED]]
    del ref
    return {"build_s": build_s, **percentiles(times), "queries": len(queries),
            "peak_mb": peak_rss_mb(), "index_mb": traced_mb(lambda: BM25Okapi(docs)),
            "top_ids": top_ids}


def bm25s_engine(size: int, count: int, folder: Path) -> dict:
    queries = synthetic_queries(bundled_terms(), count)
    docs = synthetic_corpus(bundled_terms(), size, SEED).docs()
    model, build_s = timed(lambda: bm25s_index(docs))
    known = [[t for t in q if t in model.vocab_dict] or [next(iter(model.vocab_dict))]
             for q in queries]
    times = latencies(
        lambda q: model.retrieve([q], k=TOP, show_progress=False, n_threads=1), known)
    peak_mb = peak_rss_mb()
    del model
    return {"build_s": build_s, **percentiles(times), "queries": len(known), "peak_mb": peak_mb,
            "index_mb": traced_mb(lambda: bm25s_index(docs))}


def bm25s_index(docs: list[list[str]]) -> object:
    """bm25s with rank-bm25's k1 and b and the Robertson idf, indexed from our term lists."""
    import bm25s

    model = bm25s.BM25(k1=1.5, b=0.75, method="robertson")
    model.index(docs, show_progress=False)
    return model


ENGINES = {"ours-build": ours_build, "ours-serve": ours_serve, "rank-bm25": rank_bm25,
           "bm25s": bm25s_engine}


def main(argv: list[str]) -> int:
    """Run one engine and print its measurements as JSON."""
    engine, size, count, folder = argv[0], int(argv[1]), int(argv[2]), Path(argv[3])
    print(json.dumps(ENGINES[engine](size, count, folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
