"""Synlex, the Swedish thesaurus: other words for a question's words (retrieval/reader.py).

retrieval/data/thesaurus_sv.txt (built by benchmarks/build_thesaurus.py, licence notice in its
header) holds one line a headword, `word<TAB>synonym|synonym|…`, sorted. It is read on the first
lookup, not at start-up: a process that answers no question never needs it. A lookup bisects
the sorted lines, so loading costs one read of the file and no parsing.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

from retrieval.expansion import INFLECTIONS

THESAURUS_FILE = "data/thesaurus_sv.txt"
# A stem is cut by an inflection ending Snowball left ("avgåt" → "avgå") down to this length.
MIN_BASE_LEN = 4


class Thesaurus:
    """Swedish word → its Synlex synonyms, by the word as typed or else by its base form."""

    def __init__(self, stem: Callable[[str], str], path: Path | None = None) -> None:
        self._stem = stem
        self._path = path
        self._lines: list[str] | None = None
        self._notice = ""

    @property
    def loaded(self) -> bool:
        """Whether the file has been read (a lookup needed it)."""
        return self._lines is not None

    @property
    def notice(self) -> str:
        """The file's header: its source, how it was modified and the licence's notices."""
        self._load()
        return self._notice

    def synonyms(self, word: str) -> tuple[str, ...]:
        """Synonyms of the word when it is a headword; else those of the headwords sharing its
        Snowball stem ("leder" → "leda"), or that stem less an ending ("avgått" → "avgå")."""
        word = unicodedata.normalize("NFC", word).casefold()
        line = self._line(word)
        if line:
            return tuple(line.split("\t", 1)[1].split("|"))
        for base in self._bases(self._stem(word)):
            lines = [line for line in self._starting(base)
                     if self._stem(line.split("\t", 1)[0]) == base]
            if lines:
                found = (s for line in lines for s in line.split("\t", 1)[1].split("|"))
                return tuple(dict.fromkeys(s for s in found if s != word))
        return ()

    def _bases(self, stem: str) -> Iterator[str]:
        yield stem
        for ending in INFLECTIONS:
            if stem.endswith(ending) and len(stem) - len(ending) >= MIN_BASE_LEN:
                yield stem[: -len(ending)]

    def _line(self, word: str) -> str | None:
        """The headword's line, if the word is one."""
        return next(self._starting(word + "\t"), None)

    def _starting(self, prefix: str) -> Iterator[str]:
        """The lines whose headword begins with `prefix`."""
        lines = self._load()
        i = bisect.bisect_left(lines, prefix)
        while i < len(lines) and lines[i].startswith(prefix):
            yield lines[i]
            i += 1

    def _load(self) -> list[str]:
        if self._lines is None:
            source = self._path or resources.files("retrieval").joinpath(THESAURUS_FILE)
            lines = source.read_text("utf-8").splitlines()
            body = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
            self._notice = "\n".join(line[2:] for line in lines[:body])
            # Sorted by headword, and so by line: the tab after a headword sorts before letters.
            self._lines = lines[body:]
        return self._lines


# Synlex ships as a MyThes .dat file; benchmarks/build_thesaurus.py writes THESAURUS_FILE from it.
def read_mythes(text: str) -> dict[str, list[str]]:
    """Headword → its single-word synonyms, lower-case, in the file's order, without repeats."""
    lines = text.splitlines()[1:]  # the first line names the encoding
    out: dict[str, list[str]] = {}
    i = 0
    while i < len(lines):
        head, _, count = lines[i].rpartition("|")
        meanings = lines[i + 1: i + 1 + int(count)]
        i += 1 + int(count)
        head = head.casefold()
        if not head.isalpha():
            continue
        synonyms = out.setdefault(head, [])
        for meaning in meanings:
            for word in meaning.split("|")[1:]:  # the first field is the part of speech
                word = word.strip().casefold()
                if word.isalpha() and word != head and word not in synonyms:
                    synonyms.append(word)
    return {head: synonyms for head, synonyms in out.items() if synonyms}
