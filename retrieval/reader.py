"""Read a question into weighted term groups that meet the corpus vocabulary.

Each distinct topic word of the question becomes a group (bot/query.py): the vocabulary terms
that stand for it, by the expander's rules and the maintainer's synonyms. A word typed without
å/ä/ö is restored, an unknown compound split into its corpus parts.
"""

from __future__ import annotations

from retrieval.query import Query, TermGroup
from retrieval.tuning import Tuning
from retrieval.analyzer import QueryWord
from retrieval.analyzer import Analyzer
from retrieval.expansion import TermExpander
from retrieval.index import PassageIndex
from retrieval.synonyms import Synonyms


class QuestionReader:
    """Turns a question (and, for a follow-up, the question before) into a Query."""

    def __init__(self, analyzer: Analyzer, index: PassageIndex, expander: TermExpander,
                 synonyms: Synonyms, tuning: Tuning) -> None:
        self.analyzer = analyzer
        self.index = index
        self.expander = expander
        self.synonyms = synonyms
        self.tuning = tuning

    def read(self, question: str, context: str = "") -> Query:
        """Term groups of the question, plus those of `context` at the context weight."""
        own = self._words(question)
        extra = [w for w in self._words(context) if w.term not in {o.term for o in own}]
        groups = [g for w in own for g in self._groups(w, False)]
        groups += [g for w in extra for g in self._groups(w, True)]
        return Query(question, tuple(g for g in groups if g.weight > 0), context)

    def _words(self, text: str) -> list[QueryWord]:
        """The distinct topic words of a question, first occurrence kept."""
        seen: dict[str, QueryWord] = {}
        for word in self.analyzer.query_words(text):
            seen.setdefault(word.term, word)
        return list(seen.values())

    def _groups(self, query_word: QueryWord, context: bool) -> list[TermGroup]:
        """One group per question term; an unknown compound becomes one group per part."""
        word, term = query_word.word, query_word.term
        matches = self.expander.expand(term)
        for synonym in self.synonyms.of(term):
            for match, f in self.expander.expand(synonym).items():
                matches[match] = max(matches.get(match, 0.0), f * self.tuning.synonym_factor)
        if not matches:
            restored = self.expander.restore(word, self.analyzer.stem)
            if restored:
                term, matches = restored, self.expander.expand(restored)
        if not matches:
            parts = self.expander.split(term)
            if parts:
                factor = self.tuning.expansion.split_factor
                return [self._group(part, {part: factor}, context, share=0.5) for part in parts]
        return [self._group(term, matches, context, name=query_word.name)]

    def _group(self, term: str, matches: dict[str, float], context: bool,
               share: float = 1.0, name: bool = False) -> TermGroup:
        best = max(matches.values(), default=0.0)
        idf = max((self.index.idf(t) for t, f in matches.items() if f == best),
                  default=self.index.idf(term))  # unknown: weighs as the rarest term
        weight = idf * share * (self.tuning.context_weight if context else 1.0)
        return TermGroup(term, weight, matches, context, name)
