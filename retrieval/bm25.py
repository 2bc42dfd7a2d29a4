"""Exact BM25Okapi (rank-bm25 0.2.2) over an inverted index held in numpy arrays.

The index is CSR-like: the postings of term t are `doc_ids[indptr[t]:indptr[t + 1]]` (ascending)
with their term frequencies in `tfs`. A query touches only the postings of its terms, so its cost
grows with how common its words are, not with the corpus size.

Scores equal `rank_bm25.BM25Okapi(docs).get_scores(query)`: same k1, b, epsilon, the same idf
(log((N - n + 0.5) / (n + 0.5)), negative ones replaced by epsilon times the average idf), and
the same float operations per term, so a test can compare them to 1e-9.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from retrieval.lru import LRU

K1 = 1.5
B = 0.75
EPSILON = 0.25
# The build reports progress (documents analysed so far) once per this many documents.
PROGRESS_EVERY = 10_000
# Terms whose postings' scores are kept once computed: the words questions use again; at most
# what holding every posting's score took before.
CONTRIBUTION_CACHE = 4096
# Groups of forms (a question word's) whose merged postings are kept once made, at most.
GROUP_CACHE = 1024
# top_k first drops what cannot be among the best, by the k-th best of every SAMPLE_STEP-th
# value, when there are more than SAMPLED_TOP times k values.
SAMPLE_STEP = 16
SAMPLED_TOP = 4 * SAMPLE_STEP


@dataclass(frozen=True, slots=True)
class Postings:
    """The analysed corpus as arrays: what is persisted, and all the scorer needs."""

    vocabulary: list[str]  # term id → term
    indptr: np.ndarray  # int64, len(vocabulary) + 1
    doc_ids: np.ndarray  # int32, ascending within each term
    tfs: np.ndarray  # unsigned ints, term frequency of each posting
    doc_len: np.ndarray  # int32, number of terms of each document (repeats counted)

    @property
    def num_docs(self) -> int:
        return len(self.doc_len)

    def doc_freq(self) -> np.ndarray:
        """How many documents hold each term."""
        return np.diff(self.indptr)

    def term(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        """Term `tid`'s documents (ascending) and its frequency in each."""
        span = slice(self.indptr[tid], self.indptr[tid + 1])
        return self.doc_ids[span], self.tfs[span]


class PostingLists(Protocol):
    """What the scorer reads: a Postings, or segments read as one (retrieval/segments.py)."""

    @property
    def vocabulary(self) -> list[str]: ...

    @property
    def doc_len(self) -> np.ndarray: ...

    @property
    def num_docs(self) -> int: ...

    def doc_freq(self) -> np.ndarray: ...

    def term(self, tid: int) -> tuple[np.ndarray, np.ndarray]: ...


def build_postings(
    docs: Iterable[Sequence[str]], progress: Callable[[int], None] | None = None
) -> Postings:
    """Invert the term lists of the documents (one list per document, repeats kept)."""
    vocab: dict[str, int] = {}
    flat = array("i")
    lengths = array("i")
    if progress:
        progress(0)  # the build has begun: a front end can say so before the first batch
    for n, terms in enumerate(docs, 1):
        flat.extend([vocab.setdefault(t, len(vocab)) for t in terms])
        lengths.append(len(terms))
        if progress and n % PROGRESS_EVERY == 0:
            progress(n)
    return postings_of(list(vocab), np.frombuffer(flat, dtype=np.int32),
                       np.frombuffer(lengths, dtype=np.int32).copy(), progress)


def postings_of(vocabulary: list[str], term_ids: np.ndarray, doc_len: np.ndarray,
                progress: Callable[[int], None] | None = None) -> Postings:
    """Invert the documents' term ids (`term_ids` holds document 0's `doc_len[0]` ids, then
    document 1's, …; an id indexes `vocabulary`)."""
    num_docs = len(doc_len)
    doc_of = np.repeat(np.arange(num_docs, dtype=np.int64), doc_len)
    # One sort of (term, doc) keys groups postings by term, documents ascending within a term.
    keys, tfs = np.unique(term_ids.astype(np.int64) * max(num_docs, 1) + doc_of, return_counts=True)
    terms, doc_ids = np.divmod(keys, max(num_docs, 1))
    indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    np.cumsum(np.bincount(terms, minlength=len(vocabulary)), out=indptr[1:])
    tf_type = np.min_scalar_type(int(tfs.max(initial=0)))
    if progress:
        progress(num_docs)
    return Postings(vocabulary, indptr, doc_ids.astype(np.int32), tfs.astype(tf_type), doc_len)


def okapi_idf(doc_freq: np.ndarray, num_docs: int, epsilon: float = EPSILON) -> np.ndarray:
    """rank-bm25's BM25Okapi idf: negative values become epsilon times the average idf. The
    sum is exactly rounded (math.fsum), so it does not depend on the vocabulary's order: an
    index updated by segments scores to the bit as one built anew."""
    idf = np.log(num_docs - doc_freq + 0.5) - np.log(doc_freq + 0.5)
    average = math.fsum(idf.tolist()) / len(idf) if len(idf) else 0.0
    return np.where(idf < 0, epsilon * average, idf)


class BM25Scorer:
    """Scores documents for a list of query terms; repeated terms count again, as in rank-bm25."""

    def __init__(self, postings: PostingLists, k1: float = K1, b: float = B,
                 epsilon: float = EPSILON):
        if k1 < 0 or not 0 <= b <= 1:
            raise ValueError(f"BM25 needs k1 ≥ 0 and 0 ≤ b ≤ 1, got k1={k1}, b={b}")
        if postings.num_docs == 0:
            raise ValueError("BM25Scorer needs at least one document")
        self.postings = postings
        self.k1, self.b = k1, b
        self.term_id = {t: i for i, t in enumerate(postings.vocabulary)}
        self.num_docs = postings.num_docs
        self.avgdl = int(postings.doc_len.sum()) / self.num_docs
        self.idf = okapi_idf(postings.doc_freq(), self.num_docs, epsilon)
        # Each document's length norm now; each term's contributions when a question first
        # asks for it: a start no longer computes a score for every posting of the corpus.
        self._norm = k1 * (1 - b + b * postings.doc_len / (self.avgdl or 1.0))
        self._scored: LRU[int, tuple[np.ndarray, np.ndarray]] = LRU(CONTRIBUTION_CACHE)
        self._scratch = threading.local()
        # Groups overlap (a form is in the groups of several words), so their lists are kept
        # within a budget of half the index's postings, not by count alone.
        self._groups: LRU[tuple[tuple[int, float], ...], tuple[np.ndarray, np.ndarray]] = LRU(
            GROUP_CACHE, weight=lambda merged: len(merged[0]),
            budget=int(postings.doc_freq().sum()) // 2)

    def scored(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        """The term's postings (as index integers: numpy converts an int32 index array on every
        use, which doubled the cost of adding a common word) and their scores, idf included;
        the most recently asked terms' are kept."""
        return self._scored.get(tid, lambda: self._score_postings(tid))

    def _score_postings(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        """The same operations in the same order as rank-bm25 (and as over the whole array
        before), so the values are bit for bit its."""
        ids, tfs = self.postings.term(tid)
        ids = ids.astype(np.intp, copy=False)
        # a + b and a * b are commutative in IEEE arithmetic: rank-bm25's values exactly.
        weight = tfs.astype(np.float64)
        denominator = self._norm[ids]
        denominator += weight
        weight *= self.k1 + 1
        weight /= denominator
        weight *= self.idf[tid]
        return ids, weight

    def _accumulate(self, weights: Mapping[str, float]) -> np.ndarray:
        """Sum of each known term's postings contributions times its query weight (its count)."""
        scores = np.zeros(self.num_docs)
        for term, weight in weights.items():
            tid = self.term_id.get(term)
            if tid is None:
                continue
            ids, contrib = self.scored(tid)
            scores[ids] += contrib * weight if weight != 1 else contrib
        return scores

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document (zero where no query term occurs)."""
        return self._accumulate(Counter(terms))

    def weighted_scores(self, weights: Mapping[str, float]) -> np.ndarray:
        """BM25 with a real-valued multiplier per query term (a repeated term is weight 2)."""
        return self._accumulate(weights)

    def grouped_scores(self, groups: Sequence[Mapping[str, float]]) -> np.ndarray:
        """BM25 where each group of alternative terms counts once per document, by its best term.

        A question word that stands for several corpus forms ("chef": chef, chefer, chefsnivå)
        must not score a passage twice for holding two of them; like Lucene's SynonymQuery, the
        group contributes the best of its weighted terms. A one-term group is plain BM25.
        """
        scores = np.zeros(self.num_docs)
        for group in groups:
            known = tuple((tid, weight) for term, weight in group.items()
                          if weight != 0 and (tid := self.term_id.get(term)) is not None)
            if len(known) == 1:
                tid, weight = known[0]
                ids, contrib = self.scored(tid)
                scores[ids] += contrib * weight
            elif known:
                ids, best = self._groups.get(known, lambda: self._best_of(known))
                scores[ids] += best
        return scores

    def _best_of(self, terms: tuple[tuple[int, float], ...]) -> tuple[np.ndarray, np.ndarray]:
        """A group's documents (ascending) and the largest of its weighted terms' scores in
        each (those where it is positive): what grouped_scores adds for the group."""
        best = self._zeros()
        parts = [(ids, contrib * weight) for (ids, contrib), (_, weight)
                 in zip((self.scored(tid) for tid, _ in terms), terms)]
        picked_ids, picked = [], []
        try:
            # A term's postings name each document once, so a fancy-indexed maximum is exact.
            for ids, values in parts:
                best[ids] = np.maximum(best[ids], values)
            # Each document's maximum is taken once, by the first of the group's terms that
            # names it (zeroed after), so `best` is zero again for the next group.
            for ids, _ in parts:
                values = best[ids]
                best[ids] = 0.0
                keep = values != 0.0
                picked_ids.append(ids[keep])
                picked.append(values[keep])
        except BaseException:
            best.fill(0.0)  # left as it was found, whatever stopped the question
            raise
        ids, values = np.concatenate(picked_ids), np.concatenate(picked)
        order = np.argsort(ids, kind="stable")
        return ids[order], values[order]

    def _zeros(self) -> np.ndarray:
        """This thread's array of a zero a document, which its user leaves zero again: made
        once, since a fresh million zeros cost a question a millisecond of page faults."""
        zeros = getattr(self._scratch, "zeros", None)
        if zeros is None:
            zeros = self._scratch.zeros = np.zeros(self.num_docs)
        return zeros

    def top(self, terms: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids and scores of the k best documents with a positive score; ties by id."""
        if k < 1:
            return np.empty(0, dtype=np.int64), np.empty(0)
        scores = self._accumulate(Counter(terms))
        ids = np.flatnonzero(scores > 0)
        return top_k(ids, scores[ids], k)


def top_k(ids: np.ndarray, values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k largest values, best first; equal values keep the order of `ids` (ascending)."""
    if k >= 1 and len(values) > SAMPLED_TOP * k:
        # The k-th largest of every SAMPLE_STEP-th value is no larger than the k-th largest of
        # all: the values below it cannot be among the k best, and one comparison drops them
        # before the selection (a 1M corpus gives a common word's question 600k candidates).
        sample = values[::SAMPLE_STEP]
        if len(sample) >= k:
            floor = np.partition(sample, len(sample) - k)[len(sample) - k]
            keep = values >= floor
            ids, values = ids[keep], values[keep]
    if len(values) > k:
        kth = values[np.argpartition(values, len(values) - k)[len(values) - k]]
        keep = values >= kth  # ties at the cut may keep a few more; the stable sort decides
        ids, values = ids[keep], values[keep]
    order = np.argsort(-values, kind="stable")[:k]
    return ids[order], values[order]
