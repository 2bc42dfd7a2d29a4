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

BRIDGE_FILE = "data/english_sv.txt"
# English endings tried when a word is no headword: "reports" → "report", "cities" → "city".
_ENDINGS = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
            ("ing", "e"), ("'s", ""))


class EnglishBridge:
    """English word → the Swedish words that stand for it (empty when it has none)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._words: dict[str, tuple[str, ...]] | None = None

    def swedish(self, word: str) -> tuple[str, ...]:
        """The word's Swedish words, by the word as typed or else without an English ending."""
        words = self._load()
        word = word.casefold()
        if word in words:
            return words[word]
        for ending, base in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                found = words.get(word[: -len(ending)] + base)
                if found:
                    return found
        return ()

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
