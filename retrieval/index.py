"""BM25 over passages: built from the corpus, or restored from a persisted index (retrieval/store.py)."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property

import numpy as np

from retrieval.analyzer import Analyzer
from retrieval.bm25 import (
    PROGRESS_EVERY,
    B,
    BM25Scorer,
    PostingLists,
    Postings,
    build_postings,
    postings_of,
)
from retrieval.lru import LRU
from retrieval.passage import Hit, Passage
from retrieval.parallel import (
    BATCH_PASSAGES,
    POOL_MIN_PASSAGES,
    BrokenProcessPool,
    batches,
    pooled,
)
from retrieval.table import PassageTable, TextBatch, batch_texts, indexed_text, indexed_texts

TERM_SET_CACHE = 4096


def analyze_passages(
    passages: Sequence[Passage], analyzer: Analyzer, progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> Postings:
    """Analyse every passage and invert the terms into postings; on `workers` processes when
    there are enough passages (retrieval/parallel.py), with the same result."""
    if workers > 1 and len(passages) >= POOL_MIN_PASSAGES:
        # A table's batches are its arrays and texts: the workers make the passages' texts.
        work = (passages.text_batches(BATCH_PASSAGES) if isinstance(passages, PassageTable)
                else batches(indexed_texts(passages), BATCH_PASSAGES))
        try:
            return _pooled_postings(work, analyzer, progress, workers)
        except BrokenProcessPool:  # a worker died (killed, out of memory): one process then
            pass
    return build_postings((analyzer.terms(t) for t in indexed_texts(passages)), progress)


def _pooled_postings(work: Iterable[list[str] | TextBatch], analyzer: Analyzer,
                     progress: Callable[[int], None] | None, workers: int) -> Postings:
    """Batches analysed by worker processes, each with its own vocabulary, merged in order:
    a term's id is where it first occurs in the corpus, as in build_postings."""
    vocabulary: dict[str, int] = {}
    ids, lengths = [], []
    done = 0
    if progress:
        progress(0)
    for words, local_ids, local_lengths in pooled(_analyse_batch, work, workers,
                                                  _start_worker, (analyzer,)):
        remap = np.array([vocabulary.setdefault(w, len(vocabulary)) for w in words],
                         dtype=np.int32)
        ids.append(remap[local_ids])
        lengths.append(local_lengths)
        if progress and (done + len(local_lengths)) // PROGRESS_EVERY > done // PROGRESS_EVERY:
            progress(done + len(local_lengths))
        done += len(local_lengths)
    return postings_of(list(vocabulary), np.concatenate([np.empty(0, np.int32), *ids]),
                       np.concatenate([np.empty(0, np.int32), *lengths]), progress)


_WORKER_ANALYZER: list[Analyzer] = []  # the analyzer of a worker process


def _start_worker(analyzer: Analyzer) -> None:
    _WORKER_ANALYZER.append(analyzer)


def _analyse_batch(batch: list[str] | TextBatch) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A batch's terms as ids into the batch's own vocabulary, and each text's term count."""
    analyzer = _WORKER_ANALYZER[0]
    texts = batch if isinstance(batch, list) else batch_texts(batch)
    vocabulary: dict[str, int] = {}
    flat, lengths = array("i"), array("i")
    for text in texts:
        terms = analyzer.terms(text)
        flat.extend([vocabulary.setdefault(t, len(vocabulary)) for t in terms])
        lengths.append(len(terms))
    return (list(vocabulary), np.frombuffer(flat, dtype=np.int32).copy(),
            np.frombuffer(lengths, dtype=np.int32).copy())


class PassageIndex:
    """Ranks passages for a question exactly as rank-bm25's BM25Okapi, over analysed terms.

    A passage is indexed with its heading and comment author, so "Mer tid" or "Gracchus" match.
    """

    def __init__(
        self, passages: Sequence[Passage], analyzer: Analyzer, *,
        postings: PostingLists | None = None, b: float = B,
    ) -> None:
        if not passages:
            raise ValueError("PassageIndex needs at least one passage")
        self.passages = passages if isinstance(passages, Sequence) else list(passages)
        self.analyzer = analyzer
        if postings is None:
            postings = analyze_passages(self.passages, analyzer)
        if postings.num_docs != len(self.passages):
            raise ValueError(f"postings hold {postings.num_docs} documents, "
                             f"not the {len(self.passages)} passages given")
        self.bm25 = BM25Scorer(postings, b=b)
        self._max_idf = float(self.bm25.idf.max()) if len(self.bm25.idf) else 1.0
        self._term_sets: LRU[str, frozenset[str]] = LRU(TERM_SET_CACHE)

    @property
    def postings(self) -> PostingLists:
        return self.bm25.postings

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every index term of the corpus."""
        return frozenset(self.bm25.postings.vocabulary)

    def terms_of(self, passage: Passage) -> frozenset[str]:
        """The distinct index terms of a passage (heading included), analysed when first asked.

        The most recently asked TERM_SET_CACHE passages are kept, so memory stays flat."""
        return self._term_sets.get(
            passage.id, lambda: frozenset(self.analyzer.terms(indexed_text(passage))))

    def passages_with(self, term: str) -> np.ndarray:
        """Positions of the passages that contain `term` (ascending; empty when unknown)."""
        tid = self.bm25.term_id.get(term)
        if tid is None:
            return np.empty(0, dtype=np.intp)
        return self.bm25.scored(tid)[0]  # read or kept with the term's scores

    def idf(self, term: str) -> float:
        """BM25 idf of a term; a term the corpus never uses weighs as much as the rarest one."""
        tid = self.bm25.term_id.get(term)
        return max(self._max_idf if tid is None else float(self.bm25.idf[tid]), 0.0)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for the query terms."""
        return self.bm25.scores(terms)

    def weighted_scores(self, weights: Mapping[str, float]) -> np.ndarray:
        """BM25 score of every passage with a real-valued multiplier per query term."""
        return self.bm25.weighted_scores(weights)

    def grouped_scores(self, groups: Sequence[Mapping[str, float]]) -> np.ndarray:
        """BM25 of every passage, each group of alternative terms counted by its best term."""
        return self.bm25.grouped_scores(groups)

    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        """The k best passages with a positive score, best first (ties by corpus order)."""
        if not terms:
            return []
        ids, scores = self.bm25.top(terms, k)
        return [Hit(self.passages[i], float(s)) for i, s in zip(ids.tolist(), scores.tolist())]
