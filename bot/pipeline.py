"""The path of a question: analyze, search, compose. Built once from settings, shared by all."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.answer import Answer
from bot.composer import Composer
from bot.settings import Settings
from bot.smalltalk import smalltalk_kind
from retrieval.analyzer import SwedishAnalyzer
from retrieval.baseline import Analyzer
from retrieval.index import PassageIndex
from retrieval.ingest import Corpus, load_corpus

# Words of the previous question count half when a short follow-up is read against it.
CONTEXT_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Query:
    """A question's analyzed terms with the weight each carries."""

    text: str
    weights: dict[str, float]
    bm25_terms: list[str]  # question terms twice, context terms once: BM25 sums repeats


class Pipeline:
    """Answers one question at a time; holds no conversation state."""

    def __init__(self, corpus: Corpus, settings: Settings, analyzer: Analyzer | None = None) -> None:
        self.corpus = corpus
        self.settings = settings
        # Pluggable so `citatbot eval --baseline` can run the same pipeline on plain tokens.
        self.analyzer = analyzer if analyzer is not None else SwedishAnalyzer()
        started = time.perf_counter()
        self.index = PassageIndex(corpus.passages, self.analyzer)
        self.build_seconds = time.perf_counter() - started
        self.composer = Composer(
            corpus.documents,
            self.analyzer,
            max_quotes=settings.max_quotes,
            min_coverage=settings.min_coverage,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Pipeline:
        """Load the corpus folder the settings name and index it."""
        return cls(load_corpus(settings.corpus_dir), settings)

    def query(self, question: str, context: str = "") -> Query:
        """Weights: each distinct term of the question at its idf, context terms at half."""
        own = list(dict.fromkeys(self.analyzer.terms(question)))
        extra = [t for t in dict.fromkeys(self.analyzer.terms(context)) if t not in own]
        weights = {t: self.index.idf(t) * CONTEXT_WEIGHT for t in extra}
        weights.update({t: self.index.idf(t) for t in own})
        weights = {t: w for t, w in weights.items() if w > 0}
        return Query(question, weights, [t for t in own + own + extra if t in weights])

    def answer(self, question: str, context: str = "") -> Answer:
        """Answer a question; `context` is the previous question when this one follows up."""
        cut = question[: self.settings.max_question_chars]
        truncated = len(cut) < len(question)
        kind = smalltalk_kind(cut)
        if kind:
            return Answer(cut, kind)
        query = self.query(cut, context)
        if not query.weights:
            return Answer(cut, "empty", truncated=truncated)
        hits = self.index.search(query.bm25_terms, max(self.settings.top_k, 10))
        top_terms = self.index.terms_of(hits[0].passage) if hits else frozenset()
        answer = self.composer.compose(cut, query.weights, hits, top_terms)
        hits_shown = answer.hits[: self.settings.top_k]
        return Answer(answer.question, answer.kind, answer.quotes, hits_shown, answer.more_available,
                      truncated=truncated, candidates=answer.candidates)
