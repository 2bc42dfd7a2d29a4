"""Search: a question's term groups in, ranked passages and the evidence for an answer out.

This is the one search path: `citatbot ask`, the REPL, Telegram, eval and the benchmarks all
rank through `Retriever.search`.

- Fields. Words: BM25 over Swedish terms, each question word counted once per passage by its
  best corpus form. Character 4-grams: a second BM25 field that meets compound parts and
  inflections whole words miss. Each field is scaled to its best passage and fused by weight.
- Document boost: a passage gains from the share of the question its whole document covers.
- Semantic field (optional): the question's embedding against every passage's
  (retrieval/semantic.py), fused with the lexical score, so a question in other words or in
  English still finds its passage; the sentences of the hits get their cosines too, for the
  composer and the decline rule.
- Top k by partial selection (argpartition over the passages with a positive score), so a
  question's cost grows with how many passages match, not with a full sort of the corpus.
- Evidence: how much of the question the best of the top hits covers, and how much of it the
  corpus has never seen, for the decline rule (bot/decline.py) to read.

`build_retriever` and `baseline_retriever` are the two factories; nothing else builds one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from retrieval.analyzer import Analyzer, CharGramAnalyzer, generic_words
from retrieval.index import PassageIndex
from retrieval.lru import LRU
from retrieval.passage import Document, Hit, Passage, is_question
from retrieval.query import Query
from retrieval.roles import Mention, asked_terms, asks_leader, best_fit, head_terms, mentions
from retrieval.ranker import LearnedRanker, PassageFlags, Signals, candidates, features
from retrieval.selection import top_k, top_weighed
from retrieval.semantic import (
    Embedder,
    SemanticIndex,
    meaning,
    open_semantic_index,
    semantic_key,
)
from retrieval.store import CacheStats, open_index, passages_digest
from retrieval.table import PassageTable
from retrieval.topics import DocumentTopics
from retrieval.tuning import Tuning


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the retriever found for one question: shares of the question's weight, and the best
    cosine of a top passage to the question (None without the semantic field)."""

    coverage: float
    unknown: float
    missing_figure: bool = False
    unknown_name: bool = False
    similarity: float | None = None
    words: int = 0  # the question's own words of three letters or more: is it language at all?
    english: bool = False  # asked in English: its cosines to Swedish passages run lower
    # A top passage shares a topic word of the question: not a name, not an everyday word.
    topic: bool = True


@dataclass(frozen=True, slots=True)
class Results:
    """The ranked hits of one question, the evidence they give, and (with the semantic field)
    each of their sentences' cosine to the question, keyed (doc, start)."""

    hits: tuple[Hit, ...]
    evidence: Evidence
    sentences: Mapping[tuple[str, int], float] = field(default_factory=dict)
    # For each hit's document, how well the whole document (any passage, or its title) matches
    # each of the query's groups, in group order; empty without document topics.
    in_document: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    # For each hit's passage id, the question's names (group numbers) its document has only
    # after it (DocumentTopics.named_later); empty without document topics or the knob.
    named_later: Mapping[str, frozenset[int]] = field(default_factory=dict)


class SemanticField:
    """Passage and sentence vectors, and the embedder for questions (recent ones kept)."""

    def __init__(self, index: SemanticIndex, embedder: Embedder, cache_size: int = 1024) -> None:
        self.index = index
        self.embedder = embedder
        self._vectors: LRU[str, np.ndarray] = LRU(cache_size)

    def vector(self, text: str) -> np.ndarray:
        """The question's unit vector."""
        return self._vectors.get(text, lambda: self.embedder.embed_queries([text])[0])


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
                 semantic: SemanticField | None = None, ranker: LearnedRanker | None = None,
                 stats: Mapping[str, CacheStats] | None = None, digest: str | None = None) -> None:
        self.words = words
        self.documents = documents
        self.tuning = tuning
        self.grams = grams
        self.topics = topics  # None: no document boost, as plain BM25
        self.semantic = semantic
        self.ranker = ranker  # used with the semantic field when tuning.learned_ranker is on
        self._flags: PassageFlags | None = None  # what the ranker reads of each passage, lazily
        # Passages that are themselves questions (survey items, an interviewer's "…?") repeat
        # the words people ask with, but hold no answer; a title that asks is still a title.
        self._questions = question_flags(words.passages, documents)
        self._generic = frozenset(t for w in generic_words() for t in words.analyzer.terms(w))
        self._heads = head_terms(words.analyzer.terms)
        # Each passage's leaders' roles beside names, read when a question asks for a leader.
        self._mentions: LRU[int, list[Mention]] = LRU(4096)
        self.stats = dict(stats or {})
        self.digest = digest  # passages_digest of the corpus, which its cached fields are keyed by

    @property
    def passages(self) -> list[Passage]:
        return self.words.passages

    @property
    def build_seconds(self) -> float:
        """Time spent building or loading every field."""
        return sum(s.seconds for s in self.stats.values())

    def search(self, query: Query, k: int) -> Results:
        """The k best passages (positive scores only, best first) and the evidence they give."""
        vector = self.semantic.vector(query.meaning) if self.semantic else None
        if vector is None and not any(g.matches for g in query.groups):
            return Results((), self.evidence(query, []))
        factors = self.topics.factors(query) if self.topics else None
        cosines = sentence_cosines = None
        fused = None  # every passage's fused score, where this path computes them all
        judged = None  # today's fused order, which the evidence reads, when the ranker reorders
        if vector is None:
            ids, values = self.best(query, k, factors)
        else:
            cosines = self.semantic.index.passage_scores(vector)
            sentence_cosines = self.semantic.index.sentence_cosines(vector)
            if self.ranker is not None and self.tuning.learned_ranker:
                s = self.signals(query, factors, cosines, sentence_cosines)
                ids, values, judged = self._reranked(query, k, s)
                fused = s.fused
            else:
                fused = self.fuse(self.scores(query, factors), cosines, sentence_cosines)
                ids = np.flatnonzero(fused > 0)
                ids, values = top_k(ids, fused[ids], k)
        if judged is None:
            judged = ids  # the evidence reads the order before a leader is brought first
        if self.tuning.leader_depth and asks_leader(query.text):
            if fused is None:  # the lexical path scores only the passages that may be best
                fused = self.scores(query, factors)
            ids, values = self._leader_first(query, ids, values, k, fused)
        hits = [Hit(self.passages[i], float(s)) for i, s in zip(ids.tolist(), values.tolist())]
        if judged is ids:
            judged, weighed = ids, hits
        else:
            weighed = [Hit(self.passages[i], 0.0)
                       for i in judged[: self.tuning.evidence_hits].tolist()]
        similarity = None
        if cosines is not None:
            similarity = float(cosines[judged[: self.tuning.evidence_hits]].max(initial=0.0))
        evidence = self.evidence(query, weighed, factors, similarity)
        sentences = {} if vector is None else self.semantic.index.sentence_scores(
            vector, ids.tolist(), sentence_cosines)
        in_document = {} if factors is None else {
            doc: tuple(factors[:, self.topics.number[doc]].tolist())
            for doc in dict.fromkeys(h.passage.doc for h in hits)}
        return Results(tuple(hits), evidence, sentences, in_document,
                       self._named_later(query, ids))

    def _named_later(self, query: Query, ids: np.ndarray) -> dict[str, frozenset[int]]:
        """The question's names each hit's document has only after it: a document introduces
        whom it quotes before it quotes them, and an archive page's later article is about
        someone else ("Vad säger Heike Erkers om social skuld?" answered from the article
        before hers)."""
        if not self.tuning.names_before or self.topics is None:
            return {}
        later: dict[str, set[int]] = {}
        for j, group in enumerate(query.groups):
            if not group.name or group.context or not group.matches:
                continue
            for i, flag in zip(ids.tolist(), self.topics.named_later(group, ids).tolist()):
                if flag:
                    later.setdefault(self.passages[i].id, set()).add(j)
        return {pid: frozenset(js) for pid, js in later.items()}

    def _leader_first(self, query: Query, ids: np.ndarray, values: np.ndarray, k: int,
                      scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The hits with the passage that names the asked-for leader first: of the best
        leader_depth by fused score (`scores`, every passage's), the one whose role beside a
        name fits most of the question (retrieval/roles.py), as the learned order puts a
        passage sharing more words first."""
        positive = np.flatnonzero(scores > 0)
        wide, _ = top_k(positive, scores[positive], self.tuning.leader_depth)
        asked = asked_terms(query)
        terms = self.words.analyzer.terms
        best, most = -1, 0
        for i in wide.tolist():
            found = self._mentions.get(i, lambda: mentions(self.passages[i].text))
            f = best_fit(found, asked, terms, self._heads)
            if f > most:
                best, most = i, f
        if best < 0 or (len(ids) and ids[0] == best):
            return ids, values
        rest = ids != best
        return (np.concatenate(([best], ids[rest]))[:k],
                np.concatenate(([scores[best]], values[rest]))[:k])

    def reranked(self, query: Query, k: int, factors: np.ndarray | None, cosines: np.ndarray,
                 sentence_cosines: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The k best of the fused ranking's candidates by the learned ranker, their fused
        scores, and the k best by fused score (today's order).

        Each hit keeps its fused score, and the decline evidence reads today's top hits: on the
        dev sets, the composer weighing sentences by the learned order (the fused scores sorted,
        or exp(learned − best)) put the right quote first more often but noted fewer near
        misses (dev B 0.688 → 0.500), and evidence read from the learned top hits declined two
        answerable English questions more."""
        return self._reranked(query, k, self.signals(query, factors, cosines, sentence_cosines))

    def _reranked(self, query: Query, k: int, s: Signals
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`reranked` from signals already read, whose fused scores the caller keeps."""
        rows, x = self.ranked_features(query, s, k)
        order = np.argsort(-self.ranker.scores(x), kind="stable")[:k]
        return rows[order], s.fused[rows[order]], rows[:k]

    def signals(self, query: Query, factors: np.ndarray | None, cosines: np.ndarray,
                sentence_cosines: np.ndarray) -> Signals:
        """The fields of the fused score kept apart, for the learned ranker; `fused` is the
        score `fuse` gives, by the same operations."""
        words, grams = self._fields(query)
        lexical = words / (words.max() or 1.0)
        if grams is None:
            grams = np.zeros_like(words)
        else:
            lexical += grams * self.tuning.gram_weight / (grams.max() or 1.0)
        if factors is None and self.topics is not None:
            factors = self.topics.factors(query)
        lexical = self._weighed(lexical, None, self._boosts(query, factors))
        best = self.semantic.index.best_sentence_scores(None, cosines, sentence_cosines)
        fused = self.fuse(lexical, cosines, sentence_cosines, best)
        if factors is None:  # no document topics: no document signals
            factors = np.zeros((len(query.groups), 1))
            doc_cover = np.zeros(1)
        else:
            doc_cover = self.topics.document_coverage(query, factors)
        return Signals(fused, lexical, words, grams, cosines, best, factors, doc_cover)

    def ranked_features(self, query: Query, s: Signals, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The learned ranker's candidates (best first by fused score) and their features."""
        if self._flags is None:
            self._flags = PassageFlags.of(self.passages)
        rows = candidates(s, self.tuning.sentence_share, k)
        self._flags.reach(rows)
        own = np.zeros((len(rows), len(query.groups)))
        for j, group in enumerate(query.groups):
            for term, factor in group.matches.items():
                has = np.isin(rows, self.words.passages_with(term), assume_unique=True)
                own[has, j] = np.maximum(own[has, j], factor)
        doc = (self.topics.doc_of[rows] if self.topics is not None
               else np.zeros(len(rows), dtype=np.intp))
        doc_factor = self.tuning.doc_factor if self.topics is not None else 0.0
        return rows, features(query, s, rows, own, doc, self._flags, self._questions,
                              doc_factor, self.tuning.semantic_floor)

    def fuse(self, lexical: np.ndarray, cosines: np.ndarray, sentence_cosines: np.ndarray,
             best: np.ndarray | None = None) -> np.ndarray:
        """Lexical scores (scaled to the best passage) and rescaled cosines, by weight; a
        passage's cosine mixed with its best sentence's (`best`, when already computed). The
        decline rule keeps reading the passage's own cosine, which its thresholds were set on."""
        if share := self.tuning.sentence_share:
            if best is None:
                best = self.semantic.index.best_sentence_scores(None, cosines, sentence_cosines)
            cosines = (1.0 - share) * cosines + share * best
        w = self.tuning.semantic_weight
        return (1.0 - w) * lexical / (lexical.max() or 1.0) + w * meaning(
            cosines, self.tuning.semantic_floor)

    def scores(self, query: Query, doc_factors: np.ndarray | None = None) -> np.ndarray:
        """The fused score of every passage."""
        return self._weighed(self._lexical(query), None, self._boosts(query, doc_factors))

    def candidates(self, query: Query, doc_factors: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
        """The passages with a positive score (ascending) and their scores, as `scores` gives
        them: the document boost and the question factor are applied to those passages only,
        since, both positive, they turn no score positive (a million multiplications a
        question saved at 1M)."""
        if self.tuning.doc_boost < 0 or self.tuning.question_factor <= 0:
            scores = self.scores(query, doc_factors)  # a tuning that can turn a sign
            ids = np.flatnonzero(scores > 0)
            return ids, scores[ids]
        lexical = self._lexical(query)
        ids = np.flatnonzero(lexical > 0)
        return ids, self._weighed(lexical[ids], ids, self._boosts(query, doc_factors))

    def best(self, query: Query, k: int, doc_factors: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
        """The k best passages and their scores, as top_k over `candidates` gives them; the
        boost and the question factor are applied only to the passages that may be among them
        (retrieval/selection.py), since neither multiplies a score by more than their largest."""
        if self.tuning.doc_boost < 0 or self.tuning.question_factor <= 0:
            return top_k(*self.candidates(query, doc_factors), k)
        boost = self._boosts(query, doc_factors)
        bound = (float(boost.max()) if boost is not None else 1.0) * max(
            self.tuning.question_factor, 1.0)
        return top_weighed(self._lexical(query), k,
                           lambda rows, scores: self._weighed(scores, rows, boost), bound)

    def _fields(self, query: Query) -> tuple[np.ndarray, np.ndarray | None]:
        """The words' BM25 of every passage, and the 4-grams' (None when they are off)."""
        if self.tuning.group_max:
            words = self.words.grouped_scores(query.bm25_groups())
        else:
            words = self.words.weighted_scores(query.bm25_weights())
        return words, self.grams.scores(query) if self.grams is not None else None

    def _lexical(self, query: Query) -> np.ndarray:
        """The words' BM25 of every passage, fused with the 4-grams' when they are on."""
        scores, grams = self._fields(query)
        if grams is not None:
            # words / their best + (weight × grams) / their best, in place: the same operations
            # in the same order, without four new arrays a passage long.
            best_words, best_grams = scores.max() or 1.0, grams.max() or 1.0
            grams *= self.tuning.gram_weight
            grams /= best_grams
            scores /= best_words
            scores += grams
        return scores

    def _boosts(self, query: Query, doc_factors: np.ndarray | None) -> np.ndarray | None:
        """Each document's boost, 1 + boost × the share of the question it covers; None
        without the document boost."""
        if self.topics is None or not self.tuning.doc_boost:
            return None
        return 1.0 + self.tuning.doc_boost * self.topics.document_coverage(query, doc_factors)

    def _weighed(self, scores: np.ndarray, rows: np.ndarray | None,
                 boost: np.ndarray | None) -> np.ndarray:
        """`scores` (of every passage, or of `rows`) times its document's boost and, for a
        passage that asks, the question factor."""
        if boost is not None and self.topics is not None:
            # Each document's boost, then each passage's: the same values as over each
            # passage's coverage, for a few thousand operations instead of a million.
            scores *= boost[self.topics.doc_of if rows is None else self.topics.doc_of[rows]]
        if self.tuning.question_factor != 1.0:
            asks = self._questions if rows is None else self._questions[rows]
            # Times 1.0 changes no bit: one multiplication, not a slow masked assignment.
            scores *= np.where(asks, self.tuning.question_factor, 1.0)
        return scores

    def evidence(self, query: Query, hits: Sequence[Hit], doc_factors: np.ndarray | None = None,
                 similarity: float | None = None) -> Evidence:
        """How much of the question the best of the top hits covers, and how much is unknown;
        `similarity` is the best cosine among them, with the semantic field."""
        top = hits[: self.tuning.evidence_hits]
        coverage = max((self.coverage(query, h, doc_factors) for h in top), default=0.0)
        unknown = sum(g.weight for g in query.groups if not g.matches) / (query.total or 1.0)
        figures = [g.term for g in query.groups if g.term[0].isdigit() and not g.context]
        missing = any(not any(f in self.words.terms_of(h.passage)
                              or f in self.documents[h.passage.doc].date for h in top)
                      for f in figures)
        unknown_name = any(g.name and not g.matches and not g.context for g in query.groups)
        words = sum(1 for g in query.groups
                    if not g.context and len(g.term) >= 3 and g.term.isalpha())
        # A topic word of the question (no name, no everyday word such as "tid" or "går") in a
        # top passage or its document: "Vilken tid går tåget till Umeå?" shares none.
        topical = [i for i, g in enumerate(query.groups)
                   if not g.context and not g.name and g.term not in self._generic
                   and not g.term[0].isdigit()]
        return Evidence(coverage, unknown, missing, unknown_name, similarity, words,
                        query.english, not topical or self._shares(query, topical, top, doc_factors))

    def _shares(self, query: Query, groups: list[int], top: Sequence[Hit],
                doc_factors: np.ndarray | None) -> bool:
        """Whether a top hit, or its document, has one of the query's `groups` (by index)."""
        for hit in top:
            own = self.words.terms_of(hit.passage)
            doc = self.topics.document(hit.passage) if self.topics is not None else None
            for i in groups:
                if query.groups[i].factor(own) > 0 or (
                        doc is not None and doc_factors is not None and doc_factors[i, doc] > 0):
                    return True
        return False

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


def question_flags(passages: Sequence[Passage], documents: Mapping[str, Document]) -> np.ndarray:
    """Whether each passage asks a question (passage.is_question); a table knows already."""
    if isinstance(passages, PassageTable):
        return np.asarray(passages.question, dtype=bool)
    return np.array([is_question(p.text, documents[p.doc].title) for p in passages], dtype=bool)


def build_retriever(passages: Sequence[Passage], documents: Mapping[str, Document],
                    analyzer: Analyzer, tuning: Tuning, *, cache: Path | None = None,
                    folder: Path | None = None, max_gram_passages: int = 200_000,
                    rebuild: bool = False,
                    progress: Callable[[int], None] | None = None,
                    digest: str | None = None,
                    manifest: list[tuple[str, int, int]] | None = None,
                    workers: int = 1) -> Retriever:
    """citatbot's lexical retriever: words, 4-grams (up to max_gram_passages) and the document
    boost; `with_semantic` adds the meaning field to it.

    `cache` is the persisted word index's path (the other fields go beside it); None keeps
    nothing. `digest` is passages_digest(passages) when the caller has it (a corpus snapshot),
    `manifest` the corpus files' names, sizes and times taken as it was loaded; `workers` the
    processes a large build may use."""
    if cache and digest is None:
        digest = passages_digest(passages)  # one hash of the corpus a start
    words, word_stats = open_index(passages, analyzer, cache, folder=folder, rebuild=rebuild,
                                   progress=progress, b=tuning.bm25_b, digest=digest,
                                   manifest=manifest, workers=workers)
    stats = {"words": word_stats}
    grams = None
    if tuning.gram_weight and len(passages) <= max_gram_passages:
        gram_analyzer = CharGramAnalyzer(analyzer, tuning.gram_size)
        gram_index, stats["grams"] = open_index(passages, gram_analyzer, beside(cache, "grams"),
                                                folder=folder, rebuild=rebuild, progress=progress,
                                                digest=digest, manifest=manifest,
                                                workers=workers)
        grams = GramField(gram_index, gram_analyzer)
    topics = DocumentTopics(words, documents, analyzer)
    return Retriever(words, documents, tuning, grams=grams, topics=topics, stats=stats,
                     digest=digest)


def with_semantic(retriever: Retriever, embedder: Embedder, *, cache: Path | None = None,
                  rebuild: bool = False, max_passages: int = 200_000,
                  progress: Callable[[int], None] | None = None,
                  known: Mapping[str, np.ndarray] | None = None,
                  ranker_file: Path | None = None) -> Retriever:
    """The retriever with the semantic field (its vectors loaded from beside `cache`, or built),
    or unchanged when its tuning turns meaning off or the corpus has more than max_passages.

    Raises SemanticUnavailable when the embedder cannot build it: the caller keeps `retriever`,
    whose lexical fields are built once either way. `known` holds vectors by text of the index
    this one replaces: only new text is embedded. With tuning.learned_ranker, the learned
    ranker is loaded from `ranker_file` (default: the one shipped); RankerInvalid when broken."""
    passages = retriever.passages
    if not retriever.tuning.semantic_weight or len(passages) > max_passages:
        return retriever
    path = beside(cache, "semantic")
    key = semantic_key(retriever.digest or passages_digest(passages), embedder.name) if path else ""
    index, stats = open_semantic_index(passages, retriever.documents, embedder, path, key,
                                       rebuild=rebuild, progress=progress, known=known)
    ranker = LearnedRanker.load(ranker_file) if retriever.tuning.learned_ranker else None
    return Retriever(retriever.words, retriever.documents, retriever.tuning,
                     grams=retriever.grams, topics=retriever.topics,
                     semantic=SemanticField(index, embedder), ranker=ranker,
                     stats={**retriever.stats, "semantic": stats}, digest=retriever.digest)


def beside(cache: Path | None, field: str) -> Path | None:
    """Where another field of the same corpus is persisted: beside the word index."""
    return cache.with_name(f"{cache.stem}-{field}{cache.suffix}") if cache else None


def baseline_retriever(passages: Sequence[Passage], documents: Mapping[str, Document],
                       analyzer: Analyzer, tuning: Tuning) -> Retriever:
    """Plain BM25 over the analyzer's terms: one field, no document boost, no demotion of
    passages that ask, no leader brought first, nothing persisted."""
    words, stats = open_index(passages, analyzer, None)
    return Retriever(words, documents, replace(tuning, question_factor=1.0, leader_depth=0),
                     stats={"words": stats})
