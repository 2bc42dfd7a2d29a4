"""The Swedish analyzer: one function turns both passages and questions into index terms.

Tokens keep their character offsets so the composer can emphasise matched words inside a quote
without touching the quoted characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import Stemmer

# A number keeps its decimal comma or time colon ("1,6", "13:00"); a word keeps its hyphenated
# parts and a trailing hyphen, which marks the first half of a suspended compound ("individ-").
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+(?:-[^\W\d_]+)*-?|\w+")
_CONJUNCTION = {"och", "eller", "samt", "respektive", "resp"}


@dataclass(frozen=True, slots=True)
class Token:
    """An index term and where its word stands in the analyzed text."""

    term: str
    start: int
    end: int


@cache
def stopwords() -> frozenset[str]:
    """The Swedish stop list shipped as data in retrieval/data/stopwords_sv.txt."""
    text = resources.files("retrieval").joinpath("data/stopwords_sv.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@cache
def question_words() -> frozenset[str]:
    """Words that only shape a question (retrieval/data/question_words_sv.txt)."""
    text = resources.files("retrieval").joinpath("data/question_words_sv.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


class SwedishAnalyzer:
    """Case folding, Swedish stop words, hyphenated and suspended compounds, Snowball stems."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("swedish")
        self._stop = stopwords()
        self._stem_cache: dict[str, str] = {}
        self._filler: frozenset[str] | None = None

    def tokens(self, text: str) -> list[Token]:
        """Index terms of `text` with the offsets of the words they come from."""
        out: list[Token] = []
        for match in _TOKEN.finditer(text):
            word = match.group().casefold()
            start = match.start()
            if word[0].isdigit():
                out.append(Token(word.replace(".", ","), start, match.end()))
                continue
            pos = start
            for part in word.rstrip("-").split("-"):
                if part and part not in self._stop:
                    out.append(Token(self.stem(part), pos, pos + len(part)))
                pos += len(part) + 1
        return out

    def query_terms(self, text: str) -> list[str]:
        """Terms of a question: like `terms`, without words that only shape the question."""
        filler = self._question_stems()
        return [t for t in self.terms(text) if t not in filler]

    def _question_stems(self) -> frozenset[str]:
        if self._filler is None:
            self._filler = frozenset(self.stem(w) for w in question_words())
        return self._filler

    def terms(self, text: str) -> list[str]:
        """Index terms of `text`, in order, repeats kept (BM25 counts them)."""
        return [t.term for t in self.tokens(text)]

    def stem(self, word: str) -> str:
        """The Snowball Swedish stem of a case-folded word, cached."""
        stem = self._stem_cache.get(word)
        if stem is None:
            stem = self._stem_cache[word] = self._stemmer.stemWord(word)
        return stem
