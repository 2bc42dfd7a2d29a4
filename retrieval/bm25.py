"""Exact BM25Okapi (rank-bm25 0.2.2) over an inverted index held in numpy arrays.

The index is CSR-like: the postings of term t are `doc_ids[indptr[t]:indptr[t + 1]]` (ascending)
with their term frequencies in `tfs`. A query touches only the postings of its terms, so its cost
grows with how common its words are, not with the corpus size.

Scores equal `rank_bm25.BM25Okapi(docs).get_scores(query)`: same k1, b, epsilon, the same idf
(log((N - n + 0.5) / (n + 0.5)), negative ones replaced by epsilon times the average idf), and
the same float operations per term, so a test can compare them to 1e-9.

A saved index carries every posting's score (`Contributions`, computed by the same operations):
a question then adds scores read from the file instead of computing them, and its first time
costs what its second does.
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
from retrieval.selection import top_k

K1 = 1.5
B = 0.75
EPSILON = 0.25
# The build reports progress (documents analysed so far) once per this many documents.
PROGRESS_EVERY = 10_000
# Terms whose postings' scores are kept once computed (an index without Contributions): the
# words questions use again; at most what holding every posting's score took before.
CONTRIBUTION_CACHE = 4096
# Contributions are computed this many postings at a time, so a build holds one copy of them.
CONTRIBUTION_CHUNK = 1 << 22


@dataclass(frozen=True, slots=True)
class Contributions:
    """Every posting's BM25 score, idf included, as a BM25Scorer with these k1, b and epsilon
    computes it over the same postings; in the order of `Postings.doc_ids`."""

    k1: float
    b: float
    epsilon: float
    values: np.ndarray  # float64

    def fits(self, k1: float, b: float, epsilon: float, postings: int) -> bool:
        """Whether these are the scores a k1, b, epsilon scorer gives `postings` postings."""
        return ((self.k1, self.b, self.epsilon) == (k1, b, epsilon)
                and self.values.dtype == np.float64 and len(self.values) == postings)


@dataclass(frozen=True, slots=True)
class Postings:
    """The analysed corpus as arrays: what is persisted, and all the scorer needs."""

    vocabulary: list[str]  # term id → term
    indptr: np.ndarray  # int64, len(vocabulary) + 1
    doc_ids: np.ndarray  # int32, ascending within each term
    tfs: np.ndarray  # unsigned ints, term frequency of each posting
    doc_len: np.ndarray  # int32, number of terms of each document (repeats counted)
    contributions: Contributions | None = None  # each posting's score, when saved with it

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

    @property
    def contributions(self) -> Contributions | None: ...

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
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.term_id = {t: i for i, t in enumerate(postings.vocabulary)}
        self.num_docs = postings.num_docs
        self.avgdl = int(postings.doc_len.sum()) / self.num_docs
        self.idf = okapi_idf(postings.doc_freq(), self.num_docs, epsilon)
        # Each document's length norm now; each term's contributions when a question first
        # asks for it, unless the saved index holds them all.
        self._norm = k1 * (1 - b + b * postings.doc_len / (self.avgdl or 1.0))
        saved = postings.contributions
        # (indptr, doc_ids, scores) of a saved index whose scores are this scorer's.
        self._saved = (postings.indptr, postings.doc_ids, saved.values) if (
            saved is not None and isinstance(postings, Postings)
            and saved.fits(k1, b, epsilon, len(postings.doc_ids))) else None
        self._scored: LRU[int, tuple[np.ndarray, np.ndarray]] = LRU(CONTRIBUTION_CACHE)
        self._scratch = threading.local()

    def scored(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        """The term's documents (ascending) and their scores, idf included: views of the saved
        index's arrays when it holds them, else computed and the most recently asked kept."""
        if self._saved is not None:
            indptr, doc_ids, values = self._saved
            span = slice(indptr[tid], indptr[tid + 1])
            return doc_ids[span], values[span]
        return self._scored.get(tid, lambda: self._score_postings(tid))

    def _score_postings(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        """The same operations in the same order as rank-bm25 (and as over the whole array
        before), so the values are bit for bit its."""
        ids, tfs = self.postings.term(tid)
        return ids, self._contributions(ids, tfs, self.idf[tid])

    def _contributions(self, ids: np.ndarray, tfs: np.ndarray, idf: float | np.ndarray
                       ) -> np.ndarray:
        """Postings' scores from their documents, frequencies and terms' idf: a + b and a * b
        are commutative in IEEE arithmetic, so these are rank-bm25's values exactly."""
        weight = tfs.astype(np.float64)
        denominator = self._norm[ids]
        denominator += weight
        weight *= self.k1 + 1
        weight /= denominator
        weight *= idf
        return weight

    def all_contributions(self) -> Contributions:
        """Every posting's score, as `scored` gives each term's: what a saved index carries."""
        postings = self.postings
        values = np.empty(len(postings.doc_ids))
        for start in range(0, len(values), CONTRIBUTION_CHUNK):
            span = slice(start, start + CONTRIBUTION_CHUNK)
            positions = np.arange(start, min(start + CONTRIBUTION_CHUNK, len(values)))
            terms = np.searchsorted(postings.indptr, positions, side="right") - 1
            values[span] = self._contributions(postings.doc_ids[span], postings.tfs[span],
                                               self.idf[terms])
        return Contributions(self.k1, self.b, self.epsilon, values)

    def _accumulate(self, weights: Mapping[str, float]) -> np.ndarray:
        """Sum of each known term's postings contributions times its query weight (its count)."""
        scores = np.zeros(self.num_docs)
        for term, weight in weights.items():
            tid = self.term_id.get(term)
            if tid is None:
                continue
            ids, contrib = self.scored(tid)
            # A term names each document once: add.at adds as `scores[ids] +=` does, faster.
            np.add.at(scores, ids, contrib * weight if weight != 1 else contrib)
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
            known = [(tid, weight) for term, weight in group.items()
                     if weight != 0 and (tid := self.term_id.get(term)) is not None]
            if len(known) == 1:
                tid, weight = known[0]
                ids, contrib = self.scored(tid)
                np.add.at(scores, ids, contrib * weight)
            elif known:
                self._add_best(scores, known)
        return scores

    def _add_best(self, scores: np.ndarray, terms: list[tuple[int, float]]) -> None:
        """Add to `scores`, for each document, the largest of the terms' weighted scores where
        it is positive: the group's maxima gathered in a zeroed array a document, added whole
        (a document no term names gets + 0.0, which changes no score), and zeroed again."""
        best = self._zeros()
        try:
            for tid, weight in terms:
                ids, contrib = self.scored(tid)
                np.maximum.at(best, ids, contrib * weight)  # each document once a term
            scores += best
        finally:
            best.fill(0.0)  # left as it was found, whatever stopped the question

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
