"""Which documents a question's words occur in, read from the postings.

A paragraph of the Växjö article answers a Växjö question even when it never names the town:
its document does. Passages and titles give each document its words, so no passage is
re-analysed at start-up and a question costs the postings of its words, as BM25 does.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from retrieval.analyzer import Analyzer
from retrieval.index import PassageIndex
from retrieval.passage import Document, Passage, title_of
from retrieval.query import Query
from retrieval.table import PassageTable


class DocumentTopics:
    """For a query: how well each document (any passage, or its title) matches each group."""

    def __init__(self, index: PassageIndex, documents: Mapping[str, Document],
                 analyzer: Analyzer) -> None:
        number = {name: i for i, name in enumerate(documents)}
        self.number = number  # document name → its column in `factors`
        self.index = index
        self.num_docs = len(number)
        passages = index.passages
        self.doc_of = (passages.document_numbers(number) if isinstance(passages, PassageTable)
                       else np.array([number[p.doc] for p in passages], dtype=np.int64))
        titles: dict[str, set[int]] = {}
        for name in documents:
            for term in analyzer.terms(title_of(documents, name)):
                titles.setdefault(term, set()).add(number[name])
        self._title_docs = {t: np.array(sorted(d), dtype=np.int64) for t, d in titles.items()}

    def document(self, passage: Passage) -> int:
        """The number of the passage's document (by name: a map of every passage's id cost a
        1M-passage start half a second)."""
        return self.number[passage.doc]

    def factors(self, query: Query) -> np.ndarray:
        """Shape (groups, documents): the best factor with which each document matches each
        group of the query (0 where it does not)."""
        out = np.zeros((len(query.groups), self.num_docs))
        for row, group in zip(out, query.groups):
            for term, factor in group.matches.items():
                for docs in (self.doc_of[self.index.passages_with(term)],
                             self._title_docs.get(term)):
                    if docs is not None and len(docs):
                        row[docs] = np.maximum(row[docs], factor)
        return out

    def coverage(self, query: Query, factors: np.ndarray | None = None) -> np.ndarray:
        """Share of the question's weight each passage's document covers (one value a passage);
        `factors` are this query's, when already computed."""
        weights = np.array([g.weight for g in query.groups]) / (query.total or 1.0)
        factors = self.factors(query) if factors is None else factors
        return (weights @ factors)[self.doc_of]

