"""A plain baseline analyzer: lower-cased whitespace tokens, no stop words, no stemming.

It plays the same role as SwedishAnalyzer, so `citatbot eval --baseline` can build the same
pipeline (same passages, same BM25, same composer) and show what the Swedish analysis adds.
"""

from __future__ import annotations

import re

from retrieval.analyzer import QueryWord, Token

_NON_SPACE = re.compile(r"\S+")


class WhitespaceAnalyzer:
    """text.lower().split(), with the offsets of each piece so quotes can still be marked."""

    def tokens(self, text: str) -> list[Token]:
        """One token per whitespace-separated piece, lower-cased, punctuation kept."""
        return [Token(m.group().lower(), m.start(), m.end()) for m in _NON_SPACE.finditer(text)]

    def terms(self, text: str) -> list[str]:
        """The same terms as text.lower().split() (offsets dropped)."""
        return [t.term for t in self.tokens(text)]

    def query_words(self, text: str) -> list[QueryWord]:
        """Query terms are the plain terms: the baseline drops no question words."""
        return [QueryWord(term, term) for term in self.terms(text)]

    def stem(self, word: str) -> str:
        """No stemming: a word is its own term."""
        return word.lower()
