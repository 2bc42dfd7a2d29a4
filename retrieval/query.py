"""A question as the retriever and composer see it: weighted term groups.

Each distinct term of the question becomes a group: its weight (idf: how much it tells) and the
vocabulary terms it matches with a factor (exact 1.0, compound part or definite form less). A
passage or sentence covers a group by containing any of its vocabulary terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# In BM25 a question's own words count twice, the previous question's (a follow-up's context) once.
OWN_BOOST = 2.0
CONTEXT_BOOST = 1.0


@dataclass(frozen=True, slots=True)
class TermGroup:
    """One question term, its weight, and the vocabulary terms that stand for it."""

    term: str
    weight: float
    matches: dict[str, float]
    context: bool = False
    name: bool = False  # a capitalised word of the question: "Kina", "Feelgood"
    word: str = ""  # the question's word as typed (case-folded), for telling the user

    def factor(self, terms: Iterable[str] | frozenset[str]) -> float:
        """The best factor with which `terms` (a passage's or sentence's) cover this group."""
        have = terms if isinstance(terms, (set, frozenset)) else set(terms)
        return max((f for t, f in self.matches.items() if t in have), default=0.0)


@dataclass(frozen=True, slots=True)
class Query:
    """The analyzed question (plus, for a follow-up, the previous question as context)."""

    text: str
    groups: tuple[TermGroup, ...]
    context: str = ""  # the previous question, when this one follows up
    english: bool = False  # asked in English (analyzer.looks_english), read once by the reader

    @property
    def meaning(self) -> str:
        """What the semantic field embeds: the question, after the one it follows up."""
        return f"{self.context} {self.text}" if self.context else self.text

    @property
    def total(self) -> float:
        return sum(g.weight for g in self.groups)

    @staticmethod
    def boost(group: TermGroup) -> float:
        """A group's BM25 multiplier: own words OWN_BOOST, context words CONTEXT_BOOST."""
        return CONTEXT_BOOST if group.context else OWN_BOOST

    def bm25_weights(self) -> dict[str, float]:
        """Query-term multipliers for BM25: the group's boost times the match factor, summed."""
        out: dict[str, float] = {}
        for g in self.groups:
            for term, factor in g.matches.items():
                out[term] = out.get(term, 0.0) + self.boost(g) * factor
        return out

    def bm25_groups(self) -> list[dict[str, float]]:
        """Per group, its vocabulary terms with their BM25 multipliers (as in bm25_weights)."""
        return [{t: self.boost(g) * f for t, f in g.matches.items()} for g in self.groups]

    @property
    def bm25_terms(self) -> list[str]:
        """The vocabulary terms as a plain BM25 token list, each repeated by its group's boost."""
        return [t for g in self.groups for t in g.matches for _ in range(round(self.boost(g)))]

    def match_terms(self) -> dict[str, float]:
        """Every vocabulary term the question matches, with its best factor (for emphasis)."""
        out: dict[str, float] = {}
        for g in self.groups:
            for term, factor in g.matches.items():
                out[term] = max(out.get(term, 0.0), factor)
        return out
