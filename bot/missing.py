"""Say what is missing: the names, places, years and figures of a question that the quoted
documents never mention, and the kind of answer it asks for that no quote holds.

A search engine shows "Missing: term" under a result that matched only part of a query. A
quote about Umeå's budget is no answer to "Vad kostar socialtjänsten i Växjö?", however close
its words; saying "Växjö nämns inte" keeps the reader from taking it for one. A name or a
figure counts as present when the first quote's whole document (text, title, date) has it:
the Växjö article's paragraphs rarely repeat the town's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.answer import Quote
from bot.asks import ASKS_DATE, ASKS_NUMBER, HAS_DATE, holds_figure
from retrieval.analyzer import Analyzer
from retrieval.lru import LRU
from retrieval.passage import Document
from retrieval.query import Query, TermGroup

_LEADING = re.compile(r"^\W*((och|men|så) )?", re.IGNORECASE)


LEAD = 3


class MissingCheck:
    """Finds what a question needs that its quotes' documents lack; keeps each document's terms."""

    def __init__(self, documents: Mapping[str, Document], analyzer: Analyzer,
                 cache_size: int = 256) -> None:
        self.documents = documents
        self.analyzer = analyzer
        self._terms: LRU[str, frozenset[str]] = LRU(cache_size)

    def words(self, query: Query, quotes: Sequence[Quote], lead: int = 1
              ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The question's words (as typed, in question order) that the answer lacks: names and
        figures the first answer's (`quotes[:lead]`) document does not have, and the asking
        words ("hur många", "när") whose kind of answer the first answer does not hold.
        Returns (all of them, the asking ones); both () when nothing was quoted.

        Only the first answer is read: a reader takes it for the answer, and a figure in the
        fourth quote, or a town in another quote's document, is usually about something else."""
        if not quotes:
            return (), ()
        docs = {q.doc for q in quotes[:lead]}
        named = [_as_typed(query.text, g) for g in query.groups
                 if _names_or_counts(g) and not any(g.factor(self._doc_terms(d)) for d in docs)]
        first = [q.text for q in quotes[:lead]]
        # A follow-up without an asking word of its own ("Och i Växjö?") asks what the
        # question before it asked ("Vad kostar …?").
        kinds = ((ASKS_NUMBER, holds_figure), (ASKS_DATE, HAS_DATE.search))
        asking = query.text if any(a.search(query.text) for a, _ in kinds) else query.meaning
        asked = []
        for asks, holds in kinds:
            # "Vem" is not checked: its answers are as often a role ("enhetschefen") as a name.
            match = asks.search(asking)
            if match and not any(holds(t) for t in first):
                asked.append(_LEADING.sub("", match.group(0).strip()))
        asked = [w for w in dict.fromkeys(asked) if w]
        return tuple(dict.fromkeys(named + asked)), tuple(asked)

    def _doc_terms(self, doc: str) -> frozenset[str]:
        """Every term of a document's text, title and date."""
        def analyse() -> frozenset[str]:
            document = self.documents[doc]
            text = f"{document.title}\n{document.date}\n{document.raw}"
            return frozenset(self.analyzer.terms(text))
        return self._terms.get(doc, analyse)


def _names_or_counts(group: TermGroup) -> bool:
    """A name, place or year/figure of the question itself (not of the previous question)."""
    return not group.context and (group.name or group.term[:1].isdigit())


def _as_typed(question: str, group: TermGroup) -> str:
    """The group's word as the question spells it ("Växjö", "2019")."""
    word = group.word or group.term
    match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", question, re.IGNORECASE)
    return match.group(0) if match else word
