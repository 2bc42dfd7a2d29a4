"""English question words met in Swedish: a small glossary for a question that looks English.

multilingual-e5-small's cosine carries an English question only part of the way to a Swedish
passage: it is about as high for an off-topic English question as for one the documents answer.
The glossary gives the words too: "How many social workers quit?" also searches "sluta" and
"personal". retrieval/data/english_sv.txt holds one English word a line with its Swedish words,
`english<TAB>svenska|svenska|…`; it is read on the first English question, not at start-up. Used
one way only, for words the corpus lacks, as the thesaurus is (retrieval/reader.py).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import Stemmer  # PyStemmer: English Snowball, so "commenter" and "described" find their headword

BRIDGE_FILE = "data/english_sv.txt"
# English endings tried when a word is no headword: "reports" → "report", "cities" → "city".
_ENDINGS = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
            ("ing", "e"), ("'s", ""))


class EnglishBridge:
    """English word → the Swedish words that stand for it (empty when it has none)."""

    def __init__(self, path: Path | None = None, *, stems: bool = True) -> None:
        self._path = path
        self._use_stems = stems  # off: the endings alone, as before (benchmarks/levers.py)
        self._words: dict[str, tuple[str, ...]] | None = None
        self._stems: dict[str, list[tuple[str, tuple[str, ...]]]] | None = None
        self._stemmer = Stemmer.Stemmer("english")

    def swedish(self, word: str) -> tuple[str, ...]:
        """The word's Swedish words: by the word as typed, else without an English ending, else
        by its English stem ("commenter" → comment, "described" → describe)."""
        words = self._load()
        word = word.casefold()
        if word in words:
            return words[word]
        for ending, base in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                found = words.get(word[: -len(ending)] + base)
                if found:
                    return found
        if not self._use_stems:
            return ()
        # Only a headword the word inflects, none longer: "train" is no form of "training".
        found = (sw for head, sw in self._by_stem().get(self._stemmer.stemWord(word), ())
                 if len(head) <= len(word))
        return tuple(dict.fromkeys(w for sw in found for w in sw))

    def _by_stem(self) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
        """Headwords and their Swedish words by English stem."""
        if self._stems is None:
            stems: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
            for english, swedish in self._load().items():
                stems.setdefault(self._stemmer.stemWord(english), []).append((english, swedish))
            self._stems = stems
        return self._stems

    def _load(self) -> dict[str, tuple[str, ...]]:
        if self._words is None:
            source = self._path or resources.files("retrieval").joinpath(BRIDGE_FILE)
            words: dict[str, tuple[str, ...]] = {}
            for line in source.read_text("utf-8").splitlines():
                if line and not line.startswith("#") and "\t" in line:
                    english, swedish = line.split("\t", 1)
                    words[english.strip().casefold()] = tuple(
                        w.strip() for w in swedish.split("|") if w.strip())
            self._words = words
        return self._words
