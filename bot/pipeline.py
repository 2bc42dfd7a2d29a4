"""The path of a question: analyze, search, compose. Built once from settings, shared by all."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bot.answer import Answer
from bot.composer import Composer
from bot.decline import DeclineRule, Evidence
from retrieval.query import Query
from retrieval.reader import QuestionReader
from bot.settings import Settings
from bot.smalltalk import smalltalk_kind
from retrieval.topics import DocumentTopics
from retrieval.tuning import Tuning
from retrieval.analyzer import CharGramAnalyzer, SwedishAnalyzer, clean_question
from retrieval.analyzer import Analyzer
from retrieval.expansion import ExpansionPolicy, TermExpander
from retrieval.index import PassageIndex
from retrieval.ingest import Corpus, CorpusProblem, load_corpus
from retrieval.synonyms import SYNONYMS_FILE, Synonyms, load_synonyms
from retrieval.passage import Hit
from retrieval.store import IndexStats, open_index


def index_cache_path(settings: Settings, field: str = "") -> Path | None:
    """Where the persisted index of the settings' corpus lives; None when caching is off.

    `field` names a second index over the same passages ("grams")."""
    if not settings.index_cache:
        return None
    corpus = settings.corpus_dir.resolve()
    folder = settings.index_cache_dir or corpus.parent / ".cache" / "citatbot"
    tag = hashlib.sha256(str(corpus).encode()).hexdigest()[:12]
    suffix = f"-{field}" if field else ""
    return folder / f"index-{corpus.name}-{tag}{suffix}.npz"


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
        tuning: Tuning | None = None,
    ) -> None:
        self.corpus = corpus
        self.settings = settings
        self.tuning = tuning = tuning or Tuning()
        # Pluggable so `citatbot eval --baseline` runs the same composer on plain tokens; the
        # baseline also skips vocabulary expansion and the document boost, to stay plain BM25.
        self.plain = analyzer is not None
        self.analyzer = analyzer if analyzer is not None else SwedishAnalyzer()
        self.index, self.index_stats = open_index(
            corpus.passages, self.analyzer, index_cache_path(settings), folder=corpus.folder,
            rebuild=rebuild, progress=progress)
        # Character 4-grams as a second field, fused with the word scores (not for the baseline).
        # Its postings are about ten times the words', so very large corpora go without it.
        self.grams: PassageIndex | None = None
        self.gram_stats: IndexStats | None = None
        self.gram_analyzer = CharGramAnalyzer(self.analyzer, tuning.gram_size)
        if (tuning.gram_weight and not self.plain
                and len(corpus.passages) <= settings.ngram_max_passages):
            self.grams, self.gram_stats = open_index(
                corpus.passages, self.gram_analyzer, index_cache_path(settings, "grams"),
                folder=corpus.folder, rebuild=rebuild, progress=progress)
        self.build_seconds = self.index_stats.seconds + (
            self.gram_stats.seconds if self.gram_stats else 0.0)
        policy = ExpansionPolicy(exact_only=True) if self.plain else tuning.expansion
        self.expander = TermExpander(self.index.vocabulary, policy)
        self.synonyms, skipped = (Synonyms(), []) if self.plain else load_synonyms(
            corpus.folder, self.analyzer.terms)
        # What start-up reports: the corpus's problems and any synonym line it could not use.
        self.problems = list(corpus.problems) + [
            CorpusProblem(SYNONYMS_FILE, f"synonyms_{s.problem}",
                          f"{s.line}: {s.text}" if s.line else "") for s in skipped]
        self.reader = QuestionReader(self.analyzer, self.index, self.expander, self.synonyms,
                                     tuning)
        self.topics = DocumentTopics(self.index, corpus.documents, self.analyzer)
        self.rule = DeclineRule(settings.min_coverage, settings.max_unknown,
                                settings.require_figures, settings.require_names)
        self.composer = Composer(
            corpus.documents,
            self.analyzer,
            max_quotes=settings.max_quotes,
            tuning=tuning,
        )

    @classmethod
    def from_settings(cls, settings: Settings, *, rebuild: bool = False) -> Pipeline:
        """Load the corpus folder the settings name and index it (or reuse its cached index)."""
        return cls(load_corpus(settings.corpus_dir, settings.max_file_bytes), settings, rebuild=rebuild)

    def query(self, question: str, context: str = "") -> Query:
        """Term groups of the question, plus those of `context` (a previous question) at half."""
        return self.reader.read(question, context)

    def retrieve(self, query: Query, k: int, doc_factors: np.ndarray | None = None) -> list[Hit]:
        """The k best passages for the query by weighted BM25, best first, positive scores only."""
        if not any(g.matches for g in query.groups):
            return []
        if self.tuning.group_max:
            scores = self.index.grouped_scores(query.bm25_groups())
        else:
            scores = self.index.weighted_scores(query.bm25_weights())
        if self.grams is not None:
            # Score fusion: each field scaled to its best passage, the grams at gram_weight.
            terms = [g.term for g in query.groups for _ in range(1 if g.context else 2)]
            grams = self.grams.scores(self.gram_analyzer.grams(terms))
            scores = scores / (scores.max() or 1.0) + self.tuning.gram_weight * grams / (
                grams.max() or 1.0)
        boost = self.tuning.doc_boost
        if boost and not self.plain:
            scores *= 1.0 + boost * self.topics.coverage(query, doc_factors)
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit(self.index.passages[i], float(scores[i])) for i in order if scores[i] > 0]

    def evidence(self, query: Query, hits: list[Hit],
                 doc_factors: np.ndarray | None = None) -> Evidence:
        """How much of the question the best of the top hits covers, and how much is unknown."""
        top = hits[: self.tuning.evidence_hits]
        factors = doc_factors
        if factors is None and top and not self.plain:
            factors = self.topics.factors(query)
        coverage = max((self.coverage(query, h, factors) for h in top), default=0.0)
        unknown = sum(g.weight for g in query.groups if not g.matches) / (query.total or 1.0)
        figures = [g.term for g in query.groups if g.term[0].isdigit() and not g.context]
        missing = any(not any(f in self.index.terms_of(h.passage)
                              or f in self.corpus.documents[h.passage.doc].date for h in top)
                      for f in figures)
        unknown_name = any(g.name and not g.matches and not g.context for g in query.groups)
        return Evidence(coverage, unknown, missing, unknown_name)

    def coverage(self, query: Query, hit: Hit, doc_factors: np.ndarray | None = None) -> float:
        """Share of the question the hit covers; words only elsewhere in its document count less."""
        own = self.index.terms_of(hit.passage)
        total = query.total
        if self.plain or not self.tuning.doc_factor:
            in_doc = [0.0] * len(query.groups)
        else:
            doc = self.topics.document(hit.passage)
            factors = self.topics.factors(query) if doc_factors is None else doc_factors
            in_doc = (self.tuning.doc_factor * factors[:, doc]).tolist()
        covered = sum(g.weight * max(g.factor(own), d) for g, d in zip(query.groups, in_doc))
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
        # How each document matches each question word: read once, for ranking and evidence.
        factors = None if self.plain else self.topics.factors(query)
        hits = self.retrieve(query, max(self.settings.top_k, 10), factors)
        if self.rule.declines(self.evidence(query, hits, factors)):
            answer = Answer(searchable, "decline", hits=tuple(hits))
        else:
            answer = self.composer.compose(query, hits)
        hits_shown = answer.hits[: self.settings.top_k]
        return Answer(cut, answer.kind, answer.quotes, hits_shown, answer.more_available,
                      truncated=truncated, candidates=answer.candidates)
