"""The path of a question: analyze, search, compose. Built once from settings, shared by all."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bot.answer import Answer
from bot.composer import Composer
from bot.query import Query, TermGroup
from bot.settings import Settings
from bot.smalltalk import smalltalk_kind
from retrieval.analyzer import SwedishAnalyzer, clean_question
from retrieval.baseline import Analyzer
from retrieval.expansion import ExpansionPolicy, TermExpander
from retrieval.ingest import Corpus, load_corpus
from retrieval.passage import Hit
from retrieval.store import open_index

# Words of the previous question count half when a short follow-up is read against it.
CONTEXT_WEIGHT = 0.5
# A passage inherits its document's topic: a paragraph of the Växjö article answers a Växjö
# question even when it never names the town. Its score grows by this share of the question
# its whole document covers, and a word found only elsewhere in the document covers at this factor.
DOC_BOOST = 0.5
DOC_FACTOR = 0.5


def index_cache_path(settings: Settings) -> Path | None:
    """Where the persisted index of the settings' corpus lives; None when caching is off."""
    if not settings.index_cache:
        return None
    corpus = settings.corpus_dir.resolve()
    folder = settings.index_cache_dir or corpus.parent / ".cache" / "citatbot"
    tag = hashlib.sha256(str(corpus).encode()).hexdigest()[:12]
    return folder / f"index-{corpus.name}-{tag}.npz"


class Pipeline:
    """Answers one question at a time; holds no conversation state."""

    def __init__(
        self,
        corpus: Corpus,
        settings: Settings,
        *,
        rebuild: bool = False,
        progress: Callable[[int], None] | None = None,
        analyzer: Analyzer | None = None,
    ) -> None:
        self.corpus = corpus
        self.settings = settings
        # Pluggable so `citatbot eval --baseline` runs the same composer on plain tokens; the
        # baseline also skips vocabulary expansion and the document boost, to stay plain BM25.
        self.plain = analyzer is not None
        self.analyzer = analyzer if analyzer is not None else SwedishAnalyzer()
        self.index, self.index_stats = open_index(
            corpus.passages, self.analyzer, index_cache_path(settings), folder=corpus.folder,
            rebuild=rebuild, progress=progress)
        self.build_seconds = self.index_stats.seconds
        policy = ExpansionPolicy(exact_only=True) if self.plain else ExpansionPolicy()
        self.expander = TermExpander(self.index.vocabulary, policy)
        docs = list(corpus.documents)
        self._doc_of = np.array([docs.index(p.doc) for p in self.index.passages])
        self._position = {p.id: i for i, p in enumerate(self.index.passages)}
        self._doc_terms = [frozenset(self.analyzer.terms(corpus.documents[d].title)).union(
            *(self.index.terms_of(p) for p in self.index.passages if p.doc == d)) for d in docs]
        self.composer = Composer(
            corpus.documents,
            self.analyzer,
            max_quotes=settings.max_quotes,
            min_coverage=settings.min_coverage,
        )

    @classmethod
    def from_settings(cls, settings: Settings, *, rebuild: bool = False) -> Pipeline:
        """Load the corpus folder the settings name and index it (or reuse its cached index)."""
        return cls(load_corpus(settings.corpus_dir), settings, rebuild=rebuild)

    def query(self, question: str, context: str = "") -> Query:
        """Term groups of the question, plus those of `context` (a previous question) at half."""
        own = list(dict.fromkeys(self.analyzer.query_terms(question)))
        extra = [t for t in dict.fromkeys(self.analyzer.query_terms(context)) if t not in own]
        groups = [self._group(t, False) for t in own] + [self._group(t, True) for t in extra]
        return Query(question, tuple(g for g in groups if g.weight > 0))

    def _group(self, term: str, context: bool) -> TermGroup:
        matches = self.expander.expand(term)
        best = max(matches.values(), default=0.0)
        idf = max((self.index.idf(t) for t, f in matches.items() if f == best),
                  default=self.index.idf(term))  # unknown: weighs as the rarest term
        return TermGroup(term, idf * (CONTEXT_WEIGHT if context else 1.0), matches, context)

    def retrieve(self, query: Query, k: int) -> list[Hit]:
        """The k best passages for the query by weighted BM25, best first, positive scores only."""
        weights = query.bm25_weights()
        if not weights:
            return []
        scores = self.index.weighted_scores(weights)
        if DOC_BOOST and not self.plain:
            doc_cov = np.array([query.coverage(terms) for terms in self._doc_terms])
            scores *= 1.0 + DOC_BOOST * doc_cov[self._doc_of]
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit(self.index.passages[i], float(scores[i])) for i in order if scores[i] > 0]

    def evidence(self, query: Query, hit: Hit) -> float:
        """Share of the question the hit covers; words only elsewhere in its document count less."""
        own = self.index.terms_of(hit.passage)
        doc = self._doc_terms[self._doc_of[self._position[hit.passage.id]]]
        total = query.total
        doc_factor = 0.0 if self.plain else DOC_FACTOR
        covered = sum(g.weight * max(g.factor(own), doc_factor * g.factor(doc)) for g in query.groups)
        return covered / total if total else 0.0

    def answer(self, question: str, context: str = "") -> Answer:
        """Answer a question; `context` is the previous question when this one follows up."""
        cut = question[: self.settings.max_question_chars]
        truncated = len(cut) < len(question)
        searchable = clean_question(cut)
        kind = smalltalk_kind(searchable)
        if kind:
            return Answer(cut, kind)
        query = self.query(searchable, context)
        if not query.groups:
            return Answer(cut, "empty", truncated=truncated)
        hits = self.retrieve(query, max(self.settings.top_k, 10))
        evidence = self.evidence(query, hits[0]) if hits else 0.0
        answer = self.composer.compose(query, hits, evidence)
        hits_shown = answer.hits[: self.settings.top_k]
        return Answer(cut, answer.kind, answer.quotes, hits_shown, answer.more_available,
                      truncated=truncated, candidates=answer.candidates)
