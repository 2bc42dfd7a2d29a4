"""Search: a question's term groups in, ranked passages and the evidence for an answer out.

This is the one search path: `citatbot ask`, the REPL, Telegram, eval and the benchmarks all
rank through `Retriever.search`.

- Fields. Words: BM25 over Swedish terms, each question word counted once per passage by its
  best corpus form. Character 4-grams: a second BM25 field that meets compound parts and
  inflections whole words miss. Each field is scaled to its best passage and fused by weight.
- Document boost: a passage gains from the share of the question its whole document covers.
- Top k by partial selection (argpartition over the passages with a positive score), so a
  question's cost grows with how many passages match, not with a full sort of the corpus.
- Evidence: how much of the question the best of the top hits covers, and how much of it the
  corpus has never seen, for the decline rule (bot/decline.py) to read.

`build_retriever` and `baseline_retriever` are the two factories; nothing else builds one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.analyzer import Analyzer, CharGramAnalyzer
from retrieval.bm25 import top_k
from retrieval.index import PassageIndex
from retrieval.passage import Document, Hit, Passage
from retrieval.query import Query
from retrieval.store import IndexStats, open_index
from retrieval.topics import DocumentTopics
from retrieval.tuning import Tuning


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the retriever found for one question, as shares of the question's weight."""

    coverage: float
    unknown: float
    missing_figure: bool = False
    unknown_name: bool = False


@dataclass(frozen=True, slots=True)
class Results:
    """The ranked hits of one question and the evidence they give for an answer."""

    hits: tuple[Hit, ...]
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class GramField:
    """The character n-gram field: its index and the analyzer that turns terms into grams."""

    index: PassageIndex
    analyzer: CharGramAnalyzer

    def scores(self, query: Query) -> np.ndarray:
        """BM25 of every passage over the n-grams of the question's terms (own words twice)."""
        terms = [g.term for g in query.groups for _ in range(round(query.boost(g)))]
        return self.index.scores(self.analyzer.grams(terms))


class Retriever:
    """Ranks passages for a Query and weighs the evidence; holds no per-question state."""

    def __init__(self, words: PassageIndex, documents: Mapping[str, Document], tuning: Tuning,
                 *, grams: GramField | None = None, topics: DocumentTopics | None = None,
                 stats: Mapping[str, IndexStats] | None = None) -> None:
        self.words = words
        self.documents = documents
        self.tuning = tuning
        self.grams = grams
        self.topics = topics  # None: no document boost, as plain BM25
        self.stats = dict(stats or {})

    @property
    def passages(self) -> list[Passage]:
        return self.words.passages

    @property
    def build_seconds(self) -> float:
        """Time spent building or loading every field."""
        return sum(s.seconds for s in self.stats.values())

    def search(self, query: Query, k: int) -> Results:
        """The k best passages (positive scores only, best first) and the evidence they give."""
        if not any(g.matches for g in query.groups):
            return Results((), self.evidence(query, []))
        factors = self.topics.factors(query) if self.topics else None
        scores = self.scores(query, factors)
        ids = np.flatnonzero(scores > 0)
        ids, values = top_k(ids, scores[ids], k)
        hits = [Hit(self.passages[i], float(s)) for i, s in zip(ids.tolist(), values.tolist())]
        return Results(tuple(hits), self.evidence(query, hits, factors))

    def scores(self, query: Query, doc_factors: np.ndarray | None = None) -> np.ndarray:
        """The fused score of every passage."""
        if self.tuning.group_max:
            scores = self.words.grouped_scores(query.bm25_groups())
        else:
            scores = self.words.weighted_scores(query.bm25_weights())
        if self.grams is not None:
            grams = self.grams.scores(query)
            scores = scores / (scores.max() or 1.0) + self.tuning.gram_weight * grams / (
                grams.max() or 1.0)
        if self.topics is not None and self.tuning.doc_boost:
            scores *= 1.0 + self.tuning.doc_boost * self.topics.coverage(query, doc_factors)
        return scores

    def evidence(self, query: Query, hits: Sequence[Hit],
                 doc_factors: np.ndarray | None = None) -> Evidence:
        """How much of the question the best of the top hits covers, and how much is unknown."""
        top = hits[: self.tuning.evidence_hits]
        coverage = max((self.coverage(query, h, doc_factors) for h in top), default=0.0)
        unknown = sum(g.weight for g in query.groups if not g.matches) / (query.total or 1.0)
        figures = [g.term for g in query.groups if g.term[0].isdigit() and not g.context]
        missing = any(not any(f in self.words.terms_of(h.passage)
                              or f in self.documents[h.passage.doc].date for h in top)
                      for f in figures)
        unknown_name = any(g.name and not g.matches and not g.context for g in query.groups)
        return Evidence(coverage, unknown, missing, unknown_name)

    def coverage(self, query: Query, hit: Hit, doc_factors: np.ndarray | None = None) -> float:
        """Share of the question the hit covers; words only elsewhere in its document count less."""
        own = self.words.terms_of(hit.passage)
        if self.topics is None or not self.tuning.doc_factor:
            in_doc = [0.0] * len(query.groups)
        else:
            doc = self.topics.document(hit.passage)
            factors = self.topics.factors(query) if doc_factors is None else doc_factors
            in_doc = (self.tuning.doc_factor * factors[:, doc]).tolist()
        covered = sum(g.weight * max(g.factor(own), d) for g, d in zip(query.groups, in_doc))
        return covered / query.total if query.total else 0.0


def build_retriever(passages: Sequence[Passage], documents: Mapping[str, Document],
                    analyzer: Analyzer, tuning: Tuning, *, cache: Path | None = None,
                    folder: Path | None = None, max_gram_passages: int = 200_000,
                    rebuild: bool = False,
                    progress: Callable[[int], None] | None = None) -> Retriever:
    """citatbot's retriever: words, 4-grams (up to max_gram_passages) and the document boost.

    `cache` is the persisted word index's path (the grams go beside it); None keeps nothing."""
    words, word_stats = open_index(passages, analyzer, cache, folder=folder, rebuild=rebuild,
                                   progress=progress)
    stats = {"words": word_stats}
    grams = None
    if tuning.gram_weight and len(passages) <= max_gram_passages:
        gram_analyzer = CharGramAnalyzer(analyzer, tuning.gram_size)
        gram_cache = cache.with_name(f"{cache.stem}-grams{cache.suffix}") if cache else None
        gram_index, stats["grams"] = open_index(passages, gram_analyzer, gram_cache,
                                                folder=folder, rebuild=rebuild, progress=progress)
        grams = GramField(gram_index, gram_analyzer)
    topics = DocumentTopics(words, documents, analyzer)
    return Retriever(words, documents, tuning, grams=grams, topics=topics, stats=stats)


def baseline_retriever(passages: Sequence[Passage], documents: Mapping[str, Document],
                       analyzer: Analyzer, tuning: Tuning) -> Retriever:
    """Plain BM25 over the analyzer's terms: one field, no document boost, nothing persisted."""
    words, stats = open_index(passages, analyzer, None)
    return Retriever(words, documents, tuning, stats={"words": stats})
