"""Read a question into weighted term groups that meet the corpus vocabulary.

Each distinct topic word of the question becomes a group (bot/query.py): the vocabulary terms
that stand for it, by the expander's rules and the maintainer's synonyms. A word typed without
å/ä/ö is restored; a word the corpus still lacks is searched as its thesaurus synonyms that the
corpus has, with their prefixes and compounds, else an unknown compound is split into its corpus
parts. A word the corpus has is searched as its synonyms too, but only as the corpus writes
them: widened by their compounds, "skola" reached "akademikerförbundet" through "akademi".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from retrieval.analyzer import Analyzer, QueryWord, english_skipped, looks_english
from retrieval.bridge import EnglishBridge
from retrieval.expansion import TermExpander
from retrieval.index import PassageIndex
from retrieval.lru import LRU
from retrieval.query import Query, TermGroup
from retrieval.synonyms import Synonyms
from retrieval.thesaurus import Thesaurus
from retrieval.tuning import Tuning


# A phrase that Swedish also writes as one compound: head, preposition, modifier ("chef för
# förvaltningen" → "förvaltningschef").
_PHRASE = re.compile(r"\b(\w+) (?:för|i|på|inom|över|åt|vid) (?:den |det |de )?(\w+)")

NAME_SAMPLE = 3  # passages read to see whether the corpus writes a word as a name
NAME_CACHE = 4096
NAME_MIN_CHARS = 4
NAME_MIN_FACTOR = 0.8  # the word itself, without å/ä/ö, inflected or mistyped: not a compound's part


class QuestionReader:
    """Turns a question (and, for a follow-up, the question before) into a Query."""

    def __init__(self, analyzer: Analyzer, index: PassageIndex, expander: TermExpander,
                 synonyms: Synonyms, tuning: Tuning, thesaurus: Thesaurus | None = None,
                 bridge: EnglishBridge | None = None) -> None:
        self.analyzer = analyzer
        self.index = index
        self.expander = expander
        self.synonyms = synonyms
        self.tuning = tuning
        self.thesaurus = thesaurus
        self.bridge = bridge
        self._names: LRU[str, bool] = LRU(NAME_CACHE)  # term → the corpus writes it as a name

    def read(self, question: str, context: str = "") -> Query:
        """Term groups of the question, plus those of `context` at the context weight."""
        asked_in_english = looks_english(question)
        english = self.bridge is not None and asked_in_english
        own = self._words(question, english)
        extra = [w for w in self._words(context, english and looks_english(context))
                 if w.term not in {o.term for o in own}]
        groups = [g for w in own for g in self._groups(w, False, english)]
        if self.tuning.recompose_factor and not english:
            groups = self._recomposed(question, groups)
        groups += [g for w in extra for g in self._groups(w, True, english)]
        if any(g.weight > 0 for g in groups):
            # A word in more than half the passages has no BM25 weight: it says nothing.
            return Query(question, tuple(g for g in groups if g.weight > 0), context,
                         asked_in_english)
        # Every word has none, which happens in a corpus of two or three passages (BM25's idf
        # is 0 for a word in half of them): the words still are the question, weighed alike.
        return Query(question, tuple(replace(g, weight=1.0) for g in groups), context,
                     asked_in_english)

    def _words(self, text: str, english: bool = False) -> list[QueryWord]:
        """The distinct topic words of a question, first occurrence kept; an English question's
        function and stop words ("is", "the", "you", the "t" of "didn't") are no topic."""
        seen: dict[str, QueryWord] = {}
        skip = english_skipped(self.tuning.english_stopwords) if english else frozenset()
        for word in self.analyzer.query_words(text):
            if word.word not in skip:
                seen.setdefault(word.term, word)
        return list(seen.values())

    def _groups(self, query_word: QueryWord, context: bool,
                english: bool = False) -> list[TermGroup]:
        """One group per question term; an unknown compound becomes one group per part."""
        word, term = query_word.word, query_word.term
        matches = self._reach(self.synonyms.of(term), self.tuning.synonym_factor,
                              self.expander.expand(term))
        if not matches:
            restored = self.expander.restore(word, self.analyzer.stem)
            if restored:
                term, matches = restored, self.expander.expand(restored)
        if not matches and english and self.tuning.bridge_factor:
            # an English word the corpus lacks: its Swedish words that the corpus has
            matches = self._reach(self._swedish_terms(word), self.tuning.bridge_factor,
                                  typed=False)
        if not matches and not query_word.name and self.tuning.thesaurus_factor:
            # one way: only a word the corpus lacks; a name asked for is not another name
            matches = self._reach(self._thesaurus_terms(word), self.tuning.thesaurus_factor,
                                  typed=False)
        elif matches and not query_word.name and self.tuning.thesaurus_known_factor:
            # a word the corpus has: its synonyms as the corpus writes them, never their
            # prefixes or compounds ("skola" → "akademi" must not reach "akademikerförbundet")
            factor = self.tuning.thesaurus_known_factor
            for t in self._thesaurus_terms(word):
                if self.expander.knows(t):
                    matches.setdefault(t, factor)
        if not matches:
            parts = self.expander.split(term)
            if parts:
                factor = self.tuning.expansion.split_factor
                return [self._group(part, {part: factor}, context, share=0.5) for part in parts]
            head = None if query_word.name else self.expander.head(term)
            if head:
                term, matches = head, {head: self.tuning.expansion.head_factor}
        # Short words are left out: "per år" is no "Per Sandberg"; so is a word met only as
        # the start or end of a longer one: "feel" is no "Feelgood", "rapport" no
        # "Socialchefsrapport".
        name = query_word.name or (self.tuning.names_as_written and len(word) >= NAME_MIN_CHARS
                                    and max(matches.values(), default=0.0) >= NAME_MIN_FACTOR
                                    and self._written_as_name(max(matches, key=matches.get)))
        return [self._group(term, matches, context, name=name, word=word)]

    def _recomposed(self, question: str, groups: list[TermGroup]) -> list[TermGroup]:
        """The groups with the compound a phrase of the question stands for, where the corpus
        writes it: "chef för förvaltningen" is "förvaltningschef", "ordförande i nämnden"
        "nämndsordförande". The compound then covers both words, at recompose_factor."""
        by_word = {g.word: i for i, g in enumerate(groups) if g.word}
        factor = self.tuning.recompose_factor
        for head, modifier in _PHRASE.findall(question.casefold()):
            if head not in by_word or modifier not in by_word:
                continue
            first, last = self.analyzer.stem(modifier), self.analyzer.stem(head)
            for joint in ("", "s"):
                terms = self.analyzer.terms(first + joint + last)
                if len(terms) == 1 and self.expander.knows(terms[0]):
                    for i in (by_word[head], by_word[modifier]):
                        g = groups[i]
                        groups[i] = replace(g, matches={**g.matches, terms[0]: max(
                            g.matches.get(terms[0], 0.0), factor)})
                    break
        return groups

    def _written_as_name(self, term: str) -> bool:
        """True when the corpus writes the word capitalised inside its sentences (in the first
        passages that have it): "vaxjo" typed in lower case is still the town."""
        return self._names.get(term, lambda: self._capitalised(term))

    def _capitalised(self, term: str) -> bool:
        seen = 0
        for position in self.index.passages_with(term)[:NAME_SAMPLE].tolist():
            text = self.index.passages[position].text
            for token in self.analyzer.tokens(text):
                if token.term != term:
                    continue
                i = token.start - 1
                while i >= 0 and text[i].isspace():
                    i -= 1
                if i < 0 or text[i] in ".!?:•–-\"”»":
                    continue  # a sentence's first word is capitalised whatever it is
                if not text[token.start].isupper():
                    return False
                seen += 1
        return seen > 0

    def _reach(self, terms: Iterable[str], factor: float, matches: dict[str, float] | None = None,
               typed: bool = True) -> dict[str, float]:
        """`matches` plus the vocabulary terms the given terms expand to, times `factor`."""
        matches = {} if matches is None else matches
        for t in terms:
            for match, f in self.expander.expand(t, typed).items():
                matches[match] = max(matches.get(match, 0.0), f * factor)
        return matches

    def _swedish_terms(self, word: str) -> list[str]:
        """The terms of the English word's Swedish words (retrieval/bridge.py)."""
        if self.bridge is None:
            return []
        return self._single_terms(self.bridge.swedish(word))

    def _thesaurus_terms(self, word: str) -> list[str]:
        """The terms of the word's thesaurus synonyms (stop words left out)."""
        if self.thesaurus is None:
            return []
        # A synonym the corpus lacks may still name its kind: "enkät" → "intervjuundersökning"
        # → "undersökning".
        return [self.expander.head(t) or t
                for t in self._single_terms(self.thesaurus.synonyms(word))]

    def _single_terms(self, words: Iterable[str]) -> list[str]:
        """The term of each word that makes exactly one (a stop word makes none)."""
        terms = [self.analyzer.terms(word) for word in words]
        return [t[0] for t in terms if len(t) == 1]

    def _group(self, term: str, matches: dict[str, float], context: bool,
               share: float = 1.0, name: bool = False, word: str = "") -> TermGroup:
        best = max(matches.values(), default=0.0)
        idf = max((self.index.idf(t) for t, f in matches.items() if f == best),
                  default=self.index.idf(term))  # unknown: weighs as the rarest term
        weight = idf * share * (self.tuning.context_weight if context else 1.0)
        return TermGroup(term, weight, matches, context, name, word)
