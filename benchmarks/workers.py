"""One engine at one corpus size, in its own process so its memory is its own.

    python -m benchmarks.workers ENGINE SIZE QUERIES DIR   → one JSON object on stdout

Engines: ours-build (term lists → postings → .npz, and the 4-gram field's .npz up to its passage
limit), ours-serve (load the .npz, BM25Scorer.top on term lists: the like-for-like comparison with
the references), ours-path (what users get: Passages and Documents, the saved fields loaded into a
Retriever, each question read by a QuestionReader and searched), rank-bm25 (BM25Okapi, get_scores
+ sort), bm25s (numpy backend); for benchmarks/semantic.py, semantic-save and semantic-load
(random unit vectors of the semantic field saved, then loaded and scored) and semantic-embed (the
gold questions embedded one by one).
"""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks.bundled import WARM_UP, gold_questions
from benchmarks.measure import latencies, peak_rss_mb, percentiles, rss_mb, timed
from bot.settings import Settings
from retrieval.analyzer import CharGramAnalyzer, SwedishAnalyzer
from retrieval.bm25 import BM25Scorer, Postings, build_postings
from retrieval.semantic import (
    E5_DIM,
    MODEL,
    E5Embedder,
    SemanticIndex,
    load_semantic_index,
    save_semantic_index,
)
from retrieval.store import cache_key, load_postings, save_postings
from retrieval.tuning import Tuning
from tests.support.users_path import TOP, UsersPath, bundled_terms
from tests.support.synthetic import (
    blank_passages,
    synthetic_corpus,
    synthetic_documents,
    synthetic_queries,
    unit_vectors,
)

SEED = 6

CHECKED = 20  # queries whose top-10 ids are returned, to compare engines
PER_DOCUMENT = 300  # passages of one synthetic document, so the document boost has documents
# The shipped limit of the 4-gram field (CITATBOT_NGRAM_MAX_PASSAGES).
NGRAM_MAX_PASSAGES = Settings.model_fields["ngram_max_passages"].default
SENTENCES_PER_PASSAGE = 3  # semantic-save's sentences per passage


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


def grams_path(folder: Path, size: int) -> Path:
    return folder / f"synthetic-{size}-grams.npz"


def reference_queries(size: int, count: int) -> int:
    """How many queries the slow reference answers: all at 10k, fewer as it grows."""
    return min(count, max(20, 10**7 // size))


def ours_build(size: int, count: int, folder: Path) -> dict:
    docs = synthetic_corpus(bundled_terms(), size, SEED).docs()
    postings, build_s = timed(lambda: build_postings(docs))
    size_bytes, save_s = timed(lambda: save_postings(index_path(folder, size), postings, str(size)))
    out = {"build_s": build_s, "save_s": save_s, "file_mb": size_bytes / 2**20,
           "postings": len(postings.doc_ids), "vocabulary": len(postings.vocabulary),
           "build_peak_mb": peak_rss_mb()}  # the word field's, before any gram is made
    if size <= NGRAM_MAX_PASSAGES:
        del postings
        grams = CharGramAnalyzer(SwedishAnalyzer(), Tuning().gram_size)
        gram_postings, out["grams_build_s"] = timed(
            lambda: build_postings(grams.grams(doc) for doc in docs))
        out["grams_file_mb"] = save_postings(grams_path(folder, size), gram_postings,
                                             str(size)) / 2**20
    return out


def ours_serve(size: int, count: int, folder: Path) -> dict:
    queries = synthetic_queries(bundled_terms(), count)
    path = index_path(folder, size)
    scorer, load_s = timed(lambda: BM25Scorer(load_postings(path, str(size))))
    times = latencies(lambda q: scorer.top(q, TOP), queries)
    peak_mb = peak_rss_mb()
    return {"load_s": load_s, **percentiles(times), "queries": len(queries), "peak_mb": peak_mb,
            "index_mb": traced_mb(lambda: BM25Scorer(load_postings(path, str(size)))),
            "top_ids": [scorer.top(q, TOP)[0].tolist() for q in queries[:CHECKED]]}


def saved(path: Path, size: int) -> Postings:
    """ours-build's postings; never a silent rebuild, which would time analysis, not search."""
    postings = load_postings(path, str(size))
    if postings is None:
        raise FileNotFoundError(f"no index of {size} passages at {path}: run ours-build first")
    return postings


def ours_path(size: int, count: int, folder: Path) -> dict:
    """The users' search over `size` synthetic passages, its fields loaded from ours-build's files."""
    model = bundled_terms()
    passages, documents = synthetic_documents(synthetic_corpus(model, size, SEED), PER_DOCUMENT)
    questions = [" ".join(q) for q in synthetic_queries(model, count)]
    with_grams = size <= NGRAM_MAX_PASSAGES
    # What a start spends on the cache's key before it may trust the files: hashing every
    # passage, once per lexical field.
    analyzers = [SwedishAnalyzer()] + [CharGramAnalyzer(SwedishAnalyzer())] * with_grams
    key_s = timed(lambda: [cache_key(passages, a) for a in analyzers])[1]

    def load() -> UsersPath:
        grams = saved(grams_path(folder, size), size) if with_grams else None
        return UsersPath.over(passages, documents, saved(index_path(folder, size), size), grams)

    path, load_s = timed(load)
    times = latencies(path.search, questions)
    answered = sum(bool(path.search(q).hits) for q in questions)
    return {"load_s": load_s, "key_s": key_s, **percentiles(times), "queries": len(questions),
            "answered": answered, "grams": path.retriever.grams is not None,
            "documents": len(documents), "peak_mb": peak_rss_mb()}


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


def vectors_path(folder: Path, size: int) -> Path:
    return folder / f"semantic-{size}.npz"


def semantic_save(size: int, count: int, folder: Path) -> dict:
    """Random unit vectors for `size` passages and SENTENCES_PER_PASSAGE times as many sentences,
    rounded through float16 by SemanticIndex, saved as `citatbot index` saves them."""
    sentences = size * SENTENCES_PER_PASSAGE
    spans = np.stack([np.repeat(np.arange(size), SENTENCES_PER_PASSAGE),
                      np.tile(np.arange(SENTENCES_PER_PASSAGE), size),
                      np.tile(np.arange(1, SENTENCES_PER_PASSAGE + 1), size)], axis=1)
    index = SemanticIndex(blank_passages(size), unit_vectors(size, E5_DIM), spans,
                          unit_vectors(sentences, E5_DIM, seed=9), MODEL)
    size_bytes, save_s = timed(lambda: save_semantic_index(vectors_path(folder, size), index,
                                                           str(size)))
    return {"passages": size, "sentences": sentences, "file_mb": size_bytes / 2**20,
            "save_s": save_s}


def semantic_load(size: int, count: int, folder: Path) -> dict:
    """What a serving process holds and spends for the semantic field of `size` passages: the
    saved vectors loaded, then `count` questions' cosines to every passage (and to the
    sentences of their 10 best, as Retriever.search asks for)."""
    passages = blank_passages(size)
    before_mb = rss_mb()
    index, load_s = timed(lambda: load_semantic_index(vectors_path(folder, size), str(size),
                                                      passages))
    if index is None:
        raise FileNotFoundError(f"no semantic vectors of {size} passages: run semantic-save")
    queries = list(unit_vectors(count, E5_DIM, seed=10))

    def with_sentences(q: np.ndarray) -> None:
        cosines = index.passage_scores(q)
        index.sentence_scores(q, np.argpartition(-cosines, TOP)[:TOP].tolist())

    held = index.passage_vectors.nbytes + index.sentence_vectors.nbytes + index.spans.nbytes
    return {"load_s": load_s, "vectors_mb": held / 2**20, "rss_before_mb": before_mb,
            "rss_mb": rss_mb(), "peak_mb": peak_rss_mb(), "queries": count,
            "passage_scores": percentiles(latencies(index.passage_scores, queries)),
            "with_sentences": percentiles(latencies(with_sentences, queries))}


def semantic_embed(size: int, count: int, folder: Path) -> dict:
    """The model loaded, then each gold question embedded once, as a question the bot has not
    seen (warm-up questions outside the set first); `size` is unused."""
    embedder = E5Embedder()
    load_s = timed(embedder.load)[1]
    questions = gold_questions()
    times = latencies(lambda q: embedder.embed_queries([q]), questions, warm=WARM_UP)
    return {"model": embedder.name, "load_s": load_s, "questions": len(questions),
            **percentiles(times)}


ENGINES = {"ours-build": ours_build, "ours-serve": ours_serve, "ours-path": ours_path,
           "rank-bm25": rank_bm25, "bm25s": bm25s_engine, "semantic-save": semantic_save,
           "semantic-load": semantic_load, "semantic-embed": semantic_embed}


def main(argv: list[str]) -> int:
    """Run one engine and print its measurements as JSON."""
    engine, size, count, folder = argv[0], int(argv[1]), int(argv[2]), Path(argv[3])
    print(json.dumps(ENGINES[engine](size, count, folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
