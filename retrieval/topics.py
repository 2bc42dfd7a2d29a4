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
from retrieval.lru import LRU
from retrieval.passage import Document, Passage, title_of
from retrieval.query import Query, TermGroup
from retrieval.table import PassageTable

# Terms whose documents are kept once found (each term's at most once, so no more than one
# number per document a term occurs in, across the vocabulary).
TERM_DOCS_CACHE = 4096
# A term in more rows than this many a document finds its documents by searching its rows.
SEARCH_PER_DOCUMENT = 16


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
        # Passages come document by document, so a term's postings name its documents in
        # order: their distinct numbers are where the number changes, no sort needed.
        self._ordered = bool(np.all(self.doc_of[1:] >= self.doc_of[:-1]))
        # Where each document's rows begin (rows of an ordered corpus), and where they end.
        self._first_rows = np.searchsorted(self.doc_of, np.arange(self.num_docs + 1))
        self._term_docs: LRU[str, np.ndarray] = LRU(TERM_DOCS_CACHE)

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
                for docs in (self.documents_with(term), self._title_docs.get(term)):
                    if docs is not None and len(docs):
                        row[docs] = np.maximum(row[docs], factor)
        return out

    def named_later(self, group: TermGroup, rows: np.ndarray) -> np.ndarray:
        """For each passage row, whether its document names the group (a name of the question)
        only after it: in no passage up to the row and not in its title, but in one after."""
        docs = self.doc_of[rows]
        none = len(self.doc_of)  # past every row: the document does not name it
        first = np.full(len(rows), none, dtype=np.int64)
        titled = np.zeros(len(rows), bool)
        for term in group.matches:
            if (with_title := self._title_docs.get(term)) is not None:
                titled |= np.isin(docs, with_title)
            held = self.index.passages_with(term)
            if len(held):
                first = np.minimum(first, self._first_holding(held, docs, none))
        return (first < none) & (first > rows) & ~titled

    def _first_holding(self, held: np.ndarray, docs: np.ndarray, none: int) -> np.ndarray:
        """Each document's first row among `held` (a term's postings, ascending), or `none`:
        in an ordered corpus by one search per document, not a pass over the postings."""
        if not self._ordered:
            return np.array([int(mine.min()) if len(mine := held[self.doc_of[held] == d])
                             else none for d in docs.tolist()], dtype=np.int64)
        start, end = self._first_rows[docs], self._first_rows[docs + 1]
        at = np.searchsorted(held, start)
        found = held[np.minimum(at, len(held) - 1)]
        return np.where((at < len(held)) & (found < end), found, none).astype(np.int64)

    def documents_with(self, term: str) -> np.ndarray:
        """The numbers of the documents with a passage holding `term`, each once; the most
        recently asked terms' are kept (a common word's postings run to 600k at 1M)."""
        return self._term_docs.get(term, lambda: self._documents_with(term))

    def _documents_with(self, term: str) -> np.ndarray:
        rows = self.index.passages_with(term)
        if not self._ordered:
            return np.unique(self.doc_of[rows])
        if len(rows) > SEARCH_PER_DOCUMENT * self.num_docs:
            # Many rows: where each document's first row would fall among them says whether
            # any is its (a few thousand searches instead of a gather of each row).
            at = np.searchsorted(rows, self._first_rows.astype(rows.dtype))  # no copy of rows
            return np.flatnonzero(at[1:] > at[:-1])
        docs = self.doc_of[rows]
        if len(docs) > 1:
            docs = docs[np.concatenate(([True], docs[1:] != docs[:-1]))]
        return docs

    def coverage(self, query: Query, factors: np.ndarray | None = None) -> np.ndarray:
        """Share of the question's weight each passage's document covers (one value a
        passage); `factors` are this query's, when already computed."""
        return self.document_coverage(query, factors)[self.doc_of]

    def document_coverage(self, query: Query, factors: np.ndarray | None = None) -> np.ndarray:
        """Share of the question's weight each document covers."""
        factors = self.factors(query) if factors is None else factors
        return self.weights(query) @ factors

    @staticmethod
    def weights(query: Query) -> np.ndarray:
        """Each group's share of the question's weight."""
        return np.array([g.weight for g in query.groups]) / (query.total or 1.0)

