"""The Swedish analyzer: one function turns both passages and questions into index terms.

Tokens keep their character offsets so the composer can emphasise matched words inside a quote
without touching the quoted characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NamedTuple, Protocol, TypeVar

import Stemmer

# A number keeps its decimal comma or time colon ("1,6", "13:00"); a word keeps its hyphenated
# parts and a trailing hyphen, which marks the first half of a suspended compound ("individ-").
_LETTERS = r"(?:[^\W\d_][\u0300-\u036f]*)+"  # letters, with combining accents of decomposed text
_TOKEN = re.compile(rf"\d+(?:[.,:]\d+)*|{_LETTERS}(?:-{_LETTERS})*-?|\w+")
# Format and control characters (zero-width spaces, direction marks, NUL) that split or hide words.
# Terminal escape sequences pasted along: CSI ("ESC [ … m", colours) and OSC ("ESC ] … BEL" or
# "ESC ] … ESC \\", which sets a window title), then any other two-character escape.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?|"
                   r"\x1b[@-_]")
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e"
                        "\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


_FOLD = str.maketrans("åäöéèüáà", "aaoeeuaa")


def fold(term: str) -> str:
    """The term without Swedish diacritics, as typed on a keyboard without å ä ö."""
    return unicodedata.normalize("NFC", term).translate(_FOLD)


def clean_question(text: str) -> str:
    """A question as typed, made searchable: NFC, invisible and control characters removed."""
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", _ANSI.sub(" ", text)))
_CONJUNCTION = {"och", "eller", "samt", "respektive", "resp"}


@dataclass(frozen=True, slots=True)
class QueryWord:
    """A topic word of a question: as typed (case-folded), its index term, whether a name."""

    word: str
    term: str
    name: bool = False


class Token(NamedTuple):
    """An index term and where its word stands in the analyzed text (a tuple: a passage's
    sentences make thousands a question, and a tuple is made five times faster)."""

    term: str
    start: int
    end: int


@cache
def generic_words() -> frozenset[str]:
    """Everyday words that say little of a question's topic (retrieval/data/generic_sv.txt)."""
    return _word_list("data/generic_sv.txt")


@cache
def stopwords() -> frozenset[str]:
    """The Swedish stop list shipped as data in retrieval/data/stopwords_sv.txt."""
    return _word_list("data/stopwords_sv.txt")


@cache
def question_words() -> frozenset[str]:
    """Words that only shape a question (retrieval/data/question_words_sv.txt)."""
    return _word_list("data/question_words_sv.txt")


@cache
def english_words() -> frozenset[str]:
    """English function words (retrieval/data/english_words.txt)."""
    return _word_list("data/english_words.txt")


@cache
def english_stopwords() -> frozenset[str]:
    """English words no English question is about (retrieval/data/english_stopwords.txt)."""
    return _word_list("data/english_stopwords.txt")


@cache
def english_skipped(stop_words: bool = True) -> frozenset[str]:
    """The words an English question is read without: its function words, and with
    `stop_words` the stop list too (made once, not per question)."""
    return english_words() | english_stopwords() if stop_words else english_words()


def _word_list(name: str) -> frozenset[str]:
    """The words of a packaged list: any number a line, lines starting with # left out."""
    text = resources.files("retrieval").joinpath(name).read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def looks_english(text: str) -> bool:
    """True when two or more words of the text are English function words ("What does the …")
    and Swedish stop words, also typed without å/ä/ö, are fewer: "vem ar chef for namnden for
    individ och familj" has "for" twice and is Swedish."""
    words = re.findall(r"[a-z']+", text.casefold())
    english = sum(w in english_words() for w in words)
    return english >= 2 and english > sum(w in swedish_folded() for w in words)


@cache
def swedish_folded() -> frozenset[str]:
    """The Swedish stop and question words as typed with or without å/ä/ö ("ar", "nar", "for")."""
    words = stopwords() | question_words()
    return words | frozenset(fold(w) for w in words)


# Words whose stems one analyzer keeps: the bundled corpus has about 3,000, a large real one a
# few hundred thousand (some 150 bytes each).
STEM_CACHE = 400_000
_V = TypeVar("_V")


def remember(cache: dict[str, _V], key: str, value: _V) -> _V:
    """Store `value` in one of an analyzer's word caches and return it; a cache that reached
    STEM_CACHE entries starts over first (plain dicts: these sit in an index build's inner
    loop, where an LRU's bookkeeping a word would cost more than the misses)."""
    if len(cache) >= STEM_CACHE:
        cache.clear()
    cache[key] = value
    return value


class Analyzer(Protocol):
    """The role an analyzer plays for the index, the question reader and the composer; the
    plain baseline (bot/evaluation/baseline.py) plays it too."""

    def tokens(self, text: str) -> list[Token]: ...

    def terms(self, text: str) -> list[str]: ...

    def query_words(self, text: str) -> list[QueryWord]: ...

    def stem(self, word: str) -> str: ...


class SwedishAnalyzer:
    """Case folding, Swedish stop words, hyphenated and suspended compounds, Snowball stems."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("swedish")
        self._stop = stopwords()
        self._stem_cache: dict[str, str] = {}
        self._word_terms: dict[str, tuple[str, ...]] = {}
        self._word_tokens: dict[str, tuple[tuple[str, int, int], ...]] = {}
        self._filler: frozenset[str] | None = None
        self._folded: frozenset[str] | None = None

    def __getstate__(self) -> dict:
        """What a worker process needs (retrieval/parallel.py): the stop words; the stemmer,
        which cannot be pickled, and the caches are made again there."""
        return {"_stop": self._stop}

    def __setstate__(self, state: dict) -> None:
        self.__init__()  # type: ignore[misc]
        self._stop = state["_stop"]

    def tokens(self, text: str) -> list[Token]:
        """Index terms of `text` with the offsets of the words they come from; each word's
        terms and offsets within it are looked up once (up to STEM_CACHE words)."""
        out: list[Token] = []
        known = self._word_tokens
        for match in _TOKEN.finditer(text):
            word, start = match.group(), match.start()
            parts = known.get(word)
            if parts is None:
                parts = self._tokens_of_word(word)
            out += [Token(term, start + a, start + b) for term, a, b in parts]
        return out

    def _tokens_of_word(self, word: str) -> tuple[tuple[str, int, int], ...]:
        """One matched word's terms with their offsets within it (`_word_parts`), remembered."""
        return remember(self._word_tokens, word, self._word_parts(word))

    def _word_parts(self, word: str) -> tuple[tuple[str, int, int], ...]:
        """One matched word's terms, each with its part's offsets within the word: a number is
        one term (its decimal point a comma); a word's hyphenated parts are each one, stop
        words left out."""
        if word[0].isdigit():
            parts: tuple[tuple[str, int, int], ...] = ((word.replace(".", ","), 0, len(word)),)
        else:
            found, pos = [], 0
            for raw_part in word.rstrip("-").split("-"):
                part = unicodedata.normalize("NFC", raw_part).casefold()
                if part and part not in self._stop:
                    found.append((self.stem(part), pos, pos + len(raw_part)))
                pos += len(raw_part) + 1
            parts = tuple(found)
        return parts

    def query_terms(self, text: str) -> list[str]:
        """Terms of a question: like `terms`, without words that only shape the question."""
        return [w.term for w in self.query_words(text)]

    def query_words(self, text: str) -> list[QueryWord]:
        """Each topic word of a question: as typed (case-folded), its term, whether it is a name.

        Question words and politeness go. A question typed without å, ä and ö also loses the
        stop and question words it spells without them ("nar", "ar", "varfor"): "för" typed as
        "for" would otherwise be searched as a topic. A name is a capitalised word after the
        first word of the question ("Kina", "Maria"; "Och i Umeå?" too, though "och" and "i" are
        not searched), unless the whole question is in capitals.
        """
        filler = self._question_stems()
        plain = not any(c in text.casefold() for c in "åäö")
        folded = self._folded_filler() if plain else frozenset()
        shouting = text.upper() == text
        opening = next((i for i, c in enumerate(text) if c.isalnum()), 0)  # the first word
        out = []
        for token in self.tokens(text):
            word = unicodedata.normalize("NFC", text[token.start:token.end]).casefold()
            if token.term in filler or word in folded:
                continue
            name = token.start > opening and not shouting and text[token.start].isupper()
            out.append(QueryWord(word, token.term, name))
        return out

    def _question_stems(self) -> frozenset[str]:
        if self._filler is None:
            self._filler = frozenset(self.stem(w) for w in question_words())
        return self._filler

    def _folded_filler(self) -> frozenset[str]:
        if self._folded is None:
            words = {w for w in stopwords() | question_words() if any(c in w for c in "åäö")}
            self._folded = frozenset(fold(w) for w in words)
        return self._folded

    def terms(self, text: str) -> list[str]:
        """Index terms of `text`, in order, repeats kept (BM25 counts them): the terms of
        `tokens`, each word's looked up once (up to STEM_CACHE words), since building a
        million passages' Token objects was most of an index build."""
        out: list[str] = []
        known = self._word_terms
        for word in _TOKEN.findall(text):
            terms = known.get(word)
            if terms is None:
                terms = self._terms_of_word(word)
            out += terms
        return out

    def _terms_of_word(self, word: str) -> tuple[str, ...]:
        """The terms `tokens` gives one matched word (its parts' offsets left out), remembered
        apart so that `terms`, an index build's loop, makes no tuple a word."""
        return remember(self._word_terms, word, tuple(t for t, _, _ in self._word_parts(word)))

    def stem(self, word: str) -> str:
        """The Snowball Swedish stem of a case-folded word, cached up to STEM_CACHE words: a
        corpus's vocabulary stays cached, while a stream of made-up words from users cannot
        grow the process (the cache starts over when full)."""
        stem = self._stem_cache.get(word)
        if stem is None:
            stem = remember(self._stem_cache, word, self._stemmer.stemWord(word))
        return stem


class CharGramAnalyzer:
    """Character n-grams of the Swedish terms: a second BM25 field that meets a compound's parts
    and an inflection's stem where whole terms miss ("sjukfrånvaron" and "frånvaro" share
    "_frå", "från", "rånv", …). CLEF found 4-grams worth about a quarter more MAP for Swedish."""

    def __init__(self, base: SwedishAnalyzer, n: int = 4) -> None:
        if n < 2:
            raise ValueError(f"n-grams need n ≥ 2, got {n}")
        self.base = base
        self.n = n
        self._grams: dict[str, tuple[str, ...]] = {}

    def __getstate__(self) -> dict:
        return {"base": self.base, "n": self.n}  # the grams are made again in a worker

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["base"], state["n"])  # type: ignore[misc]

    def terms(self, text: str) -> list[str]:
        """The n-grams of every term of `text`, repeats kept."""
        return self.grams(self.base.terms(text))

    def grams(self, terms: list[str]) -> list[str]:
        """The n-grams of each term, marked at both ends; a short term is one gram. Each
        term's are made once (up to STEM_CACHE terms)."""
        out: list[str] = []
        known = self._grams
        for term in terms:
            grams = known.get(term)
            if grams is None:
                grams = self._grams_of(term)
            out += grams
        return out

    def _grams_of(self, term: str) -> tuple[str, ...]:
        n, word = self.n, f"_{term}_"
        grams = (word,) if len(word) <= n else tuple(
            word[i:i + n] for i in range(len(word) - n + 1))
        return remember(self._grams, term, grams)
