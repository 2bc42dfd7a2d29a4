"""The path of a question: read it, search, decline or compose. Shared by every front end.

`Pipeline` receives its collaborators; `Pipeline.from_settings` is the one place that builds
citatbot's, and `Pipeline.baseline` plain BM25's for `citatbot eval --baseline`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.answer import Answer
from bot.asks import ASKS_AUTHOR, AUTHOR_WORD
from bot.composer import Composer
from bot.decline import DeclineRule
from bot.missing import MissingCheck
from bot.settings import Settings
from bot.smalltalk import addressed_to_bot, smalltalk_kind, without_smalltalk
from retrieval.analyzer import Analyzer, SwedishAnalyzer, clean_question
from retrieval.expansion import ExpansionPolicy, TermExpander
from retrieval.files import REFUSED
from retrieval.ingest import Corpus, CorpusProblem, load_corpus
from retrieval.parallel import worker_count
from retrieval.query import Query
from retrieval.reader import QuestionReader
from retrieval.search import (
    Evidence,
    Results,
    Retriever,
    baseline_retriever,
    build_retriever,
    with_semantic,
)
from retrieval.semantic import E5Embedder, SemanticUnavailable
from retrieval.snapshot import CorpusSnapshot, collector_paused, snapshot_key
from retrieval.store import extraction_path, index_path, snapshot_path
from retrieval.synonyms import SYNONYMS_FILE, SynonymLineProblem, Synonyms, load_synonyms
from retrieval.bridge import EnglishBridge
from retrieval.thesaurus import Thesaurus
from retrieval.tuning import Tuning


def load_settings_corpus(settings: Settings, *, reread: bool = False) -> Corpus:
    """The settings' corpus folder loaded; with the index cache on, extracted texts and a
    snapshot of the loaded corpus are kept beside the index, so only changed files are read
    (`reread`: every text file is read and the snapshot made anew, as `citatbot index` does)."""
    if not settings.index_cache:
        return load_corpus(settings.corpus_dir, settings.max_file_bytes)
    snapshot = CorpusSnapshot(snapshot_path(settings.corpus_dir, settings.index_cache_dir),
                              snapshot_key(settings.max_file_bytes), trusted=not reread)
    with collector_paused():
        corpus = load_corpus(settings.corpus_dir, settings.max_file_bytes,
                             extraction_path(settings.corpus_dir, settings.index_cache_dir),
                             snapshot, workers=worker_count(settings.build_workers))
        return snapshot.finish(corpus)


def synonym_problems(skipped: list[SynonymLineProblem]) -> list[CorpusProblem]:
    """The synonym lines that could not be used, as corpus problems."""
    return [CorpusProblem(SYNONYMS_FILE, s.problem if s.problem in REFUSED else
                          f"synonyms_{s.problem}", f"{s.line}: {s.text}" if s.line else "")
            for s in skipped]


def check_folder(settings: Settings) -> tuple[Corpus | None, list[CorpusProblem]]:
    """Every problem of the corpus folder (files, sources.toml, synonyms.txt), building and
    writing nothing: `citatbot index --check`. The corpus is None when none of it can serve."""
    corpus = load_corpus(settings.corpus_dir, settings.max_file_bytes)
    _, skipped = load_synonyms(corpus.folder, SwedishAnalyzer().terms)
    return corpus, list(corpus.problems) + synonym_problems(skipped)


def known_vectors(previous: Pipeline | None) -> dict | None:
    """The meaning vectors of a pipeline being replaced, by text, for its successor to reuse."""
    semantic = previous.retriever.semantic if previous else None
    return semantic.index.vectors_by_text(previous.corpus.documents) if semantic else None


@dataclass(slots=True)
class Pipeline:
    """Answers one question at a time; holds no conversation state."""

    corpus: Corpus
    settings: Settings
    analyzer: Analyzer
    reader: QuestionReader
    retriever: Retriever
    rule: DeclineRule
    composer: Composer
    missing: MissingCheck
    # What start-up reports: the corpus's problems and any synonym line it could not use.
    problems: list[CorpusProblem] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: Settings, *, corpus: Corpus | None = None,
                      tuning: Tuning | None = None, rebuild: bool = False,
                      progress: Callable[[str, int], Callable[[int], None]] | None = None,
                      previous: Pipeline | None = None) -> Pipeline:
        """citatbot's pipeline over the settings' corpus (or `corpus`), its index reused when
        cached and still fresh. `progress(field, total)` gives each field's build its update
        callback; `previous` is the pipeline this one replaces, whose meaning vectors it reuses
        for every text that did not change."""
        corpus = corpus or load_settings_corpus(settings)
        tuning = tuning or Tuning()
        analyzer = SwedishAnalyzer()
        cache = index_path(corpus.folder, settings.index_cache_dir) if settings.index_cache else None
        retriever = build_retriever(corpus.passages, corpus.documents, analyzer, tuning,
                                    cache=cache, folder=corpus.folder, rebuild=rebuild,
                                    progress=progress and progress("words", len(corpus.passages)),
                                    max_gram_passages=settings.ngram_max_passages,
                                    digest=corpus.digest, manifest=corpus.manifest,
                                    workers=worker_count(settings.build_workers))
        problems = []
        if settings.semantic:
            try:
                old = previous.retriever.semantic if previous else None
                embedder = old.embedder if old else E5Embedder(
                    model_path=settings.semantic_model, threads=settings.semantic_threads)
                retriever = with_semantic(
                    retriever, embedder, cache=cache, rebuild=rebuild,
                    max_passages=settings.semantic_max_passages,
                    progress=progress and progress("semantic", len(corpus.passages)),
                    known=known_vectors(previous))
            except SemanticUnavailable as exc:  # serve lexically, and say so at start
                problems.append(CorpusProblem("semantic", "semantic_unavailable", str(exc)))
        synonyms, skipped = load_synonyms(corpus.folder, analyzer.terms)
        problems += synonym_problems(skipped)
        expander = TermExpander(retriever.words.vocabulary, tuning.expansion)
        thesaurus = Thesaurus(analyzer.stem) if settings.thesaurus else None  # read on first use
        bridge = EnglishBridge(stems=tuning.bridge_stems)  # read on the first English question
        return cls._assemble(corpus, settings, analyzer, tuning, retriever, expander, synonyms,
                             problems, thesaurus, bridge)

    @classmethod
    def baseline(cls, corpus: Corpus, settings: Settings, analyzer: Analyzer) -> Pipeline:
        """Plain BM25 over `analyzer`'s terms with the same composer: exact terms only, no
        synonyms, no n-grams, no document boost."""
        tuning = Tuning()
        retriever = baseline_retriever(corpus.passages, corpus.documents, analyzer, tuning)
        expander = TermExpander(retriever.words.vocabulary, ExpansionPolicy(exact_only=True))
        return cls._assemble(corpus, settings, analyzer, tuning, retriever, expander, Synonyms(),
                             [])

    @classmethod
    def _assemble(cls, corpus: Corpus, settings: Settings, analyzer: Analyzer, tuning: Tuning,
                  retriever: Retriever, expander: TermExpander, synonyms: Synonyms,
                  problems: list[CorpusProblem], thesaurus: Thesaurus | None = None,
                  bridge: EnglishBridge | None = None) -> Pipeline:
        reader = QuestionReader(analyzer, retriever.words, expander, synonyms, tuning, thesaurus,
                                bridge)
        rule = DeclineRule(settings.min_coverage, settings.max_unknown,
                           settings.require_figures, settings.require_names,
                           settings.min_similarity, settings.min_similarity_english,
                           settings.similarity_credit, settings.similarity_credit_from,
                           settings.require_topic, settings.similarity_unknown_from)
        composer = Composer(corpus.documents, analyzer, max_quotes=settings.max_quotes,
                            tuning=tuning)
        return cls(corpus, settings, analyzer, reader, retriever, rule, composer,
                   MissingCheck(corpus.documents, tuning, analyzer.terms),
                   list(corpus.problems) + problems)

    def query(self, question: str, context: str = "") -> Query:
        """Term groups of the question, plus those of `context` (a previous question) at half."""
        return self.reader.read(question, context)

    def answer(self, question: str, context: str = "") -> Answer:
        """Answer a question; `context` is the previous question when this one follows up."""
        cut = question[: self.settings.max_question_chars]
        truncated = len(cut) < len(question)
        searchable = clean_question(cut)
        kind = smalltalk_kind(searchable)
        if kind:
            return Answer(cut, kind)
        searchable = without_smalltalk(searchable)
        query = self.query(searchable, context)
        if not query.groups:
            return Answer(cut, "empty", truncated=truncated)
        if addressed_to_bot(query):
            return Answer(cut, "help")
        found = self.retriever.search(query, max(self.settings.top_k,
                                                 self.retriever.tuning.compose_hits))
        if self.rule.declines(self._about(query, found)):
            answer = Answer(searchable, "decline", hits=found.hits)
        elif addressed_to_bot(query, own_forms=True):
            return Answer(cut, "help")
        else:
            answer = self.composer.compose(query, found.hits, found.sentences, found.in_document)
            gaps = self.missing.gaps(query, answer.quotes, answer.lead, found.in_document,
                                     found.named_later)
            answer = replace(answer, missing=gaps.words, missing_names=gaps.names,
                             missing_figures=gaps.figures, missing_later=gaps.later,
                             missing_kinds=gaps.kinds, missing_speaker=gaps.speaker,
                             opposite=gaps.opposite,
                             said_by=gaps.said_by, not_quoted=gaps.not_quoted)
        return replace(answer, question=cut, hits=self._shown_hits(answer), truncated=truncated)

    def _about(self, query: Query, found: Results) -> Evidence:
        """The evidence, read for a question about who wrote a text without the words it asks
        with: "skrev", "artikeln", "wrote" are in no text ("Who wrote the article about Växjö?"
        covered a third of its words), and what is left says which text. A name counts as its
        topic ("Vem skrev artikeln om Växjö?"); nothing left ("Vem har skrivit texten?" of
        five) is no topic."""
        evidence = found.evidence
        if not self.retriever.tuning.bylines or not ASKS_AUTHOR.search(query.text):
            return evidence
        rest = tuple(g for g in query.groups if not AUTHOR_WORD.fullmatch(g.word or g.term))
        which = any(g.matches and not g.context for g in rest)
        if not which:
            return replace(evidence, topic=False)
        text = replace(query, groups=rest)
        top = found.hits[: self.retriever.tuning.evidence_hits]
        coverage = max((self.retriever.coverage(text, hit) for hit in top), default=0.0)
        unknown = sum(g.weight for g in rest if not g.matches) / (text.total or 1.0)
        return replace(evidence, topic=True, coverage=coverage, unknown=unknown)

    def _shown_hits(self, answer: Answer) -> tuple:
        """The top_k hits, or as many as reach the deepest passage a shown quote comes from, so
        every quote's passage is among the hits reported."""
        quoted = {q.passage.id for q in answer.quotes}
        depth = max((i + 1 for i, h in enumerate(answer.hits) if h.passage.id in quoted),
                    default=0)
        return answer.hits[: max(self.settings.top_k, depth)]
