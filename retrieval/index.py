"""BM25 over passages, built once per process from the corpus."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi

from retrieval.analyzer import SwedishAnalyzer
from retrieval.passage import Hit, Passage


class PassageIndex:
    """Ranks passages for a question with rank-bm25's BM25Okapi over analyzed terms.

    A passage is indexed with its heading and comment author, so "Mer tid" or "Gracchus" match.
    """

    def __init__(self, passages: Sequence[Passage], analyzer: SwedishAnalyzer) -> None:
        if not passages:
            raise ValueError("PassageIndex needs at least one passage")
        self.passages = list(passages)
        self.analyzer = analyzer
        self.doc_terms = [analyzer.terms(f"{p.heading}\n{p.author}\n{p.text}") for p in self.passages]
        self._term_sets = {p.id: frozenset(t) for p, t in zip(self.passages, self.doc_terms)}
        self._bm25 = BM25Okapi(self.doc_terms)
        self.vocabulary = frozenset(self._bm25.idf)
        self._max_idf = max(self._bm25.idf.values(), default=1.0)

    def terms_of(self, passage: Passage) -> frozenset[str]:
        """The distinct index terms of a passage (heading included)."""
        return self._term_sets[passage.id]

    def idf(self, term: str) -> float:
        """BM25 idf of a term; a term the corpus never uses weighs as much as the rarest one."""
        return max(self._bm25.idf.get(term, self._max_idf), 0.0)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for the query terms."""
        return np.asarray(self._bm25.get_scores(list(terms)), dtype=float)

    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        """The k best passages with a positive score, best first (ties by corpus order)."""
        if not terms:
            return []
        scores = self.scores(terms)
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit(self.passages[i], float(scores[i])) for i in order if scores[i] > 0]
