"""The Answer every front end renders, and the Quote it is made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from retrieval.passage import Hit, Passage

AnswerKind = Literal[
    "answer",       # quotes that answer the question
    "decline",      # the documents do not answer it
    "empty",        # nothing to search for (blank, punctuation, only stop words)
    "greeting",     # hej, hallå
    "thanks",       # tack
    "goodbye",      # hejdå
    "help",         # vad kan du? (also the help command)
    "more",         # further quotes for the previous question
    "more_none",    # "mer" with nothing (more) to show
    "paragraph",    # the whole paragraph around a quote
    "paragraph_none",  # paragraph asked for, but no such quote
    "sources",      # the documents, those of the last answer first (the sources command)
    "elsewhere",    # a command that needs a conversation ("mer") where there is none
    "changed",      # "mer"/"stycke" on an answer whose documents changed since
]


@dataclass(frozen=True, slots=True)
class Quote:
    """One contiguous span of a raw file, quoted verbatim: raw[start:end] == text."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float
    marks: tuple[tuple[int, int], ...] = ()  # matched words, offsets relative to text

    @property
    def doc(self) -> str:
        return self.passage.doc


@dataclass(frozen=True, slots=True)
class Answer:
    """What citatbot says to one message; `quotes` is empty whenever it does not answer."""

    question: str
    kind: AnswerKind
    quotes: tuple[Quote, ...] = ()
    hits: tuple[Hit, ...] = ()
    more_available: bool = False
    paragraph: Passage | None = None
    truncated: bool = False
    number_from: int = 1  # quotes are numbered on across "mer" pages
    # How many quotes make the first answer: a quote with the sentences the composer brought to
    # finish it (a list's items, the reason after it, the sentence that takes it up).
    lead: int = 1
    # What the question names or asks for that the quotes do not hold (bot/missing.py).
    missing: tuple[str, ...] = ()
    missing_names: tuple[str, ...] = ()  # names, places, years of the question not in its source
    missing_figures: tuple[str, ...] = ()  # years, figures its source has, not the quote's paragraph
    # names its source has only after the first answer, in no quote's paragraph
    missing_later: tuple[str, ...] = ()
    # a word of the question and its opposite, which the first answer says instead
    opposite: tuple[str, ...] = ()
    # whom a question asks the view of, when the first answer is someone else's words, and whose
    missing_speaker: tuple[str, ...] = ()
    said_by: tuple[str, ...] = ()
    # whom a question asks what they said, when the first answer's document never quotes them
    not_quoted: tuple[str, ...] = ()
    # "figure", "duration", "date", "published", "name", "finding", "list", "author",
    # "organisation", "per_unit", "second", "outcome", "change", "day": asked for, not in the
    # first answer
    missing_kinds: tuple[str, ...] = ()
    candidates: tuple[Quote, ...] = field(default=(), repr=False)
    cited: tuple[str, ...] = ()  # for "sources": the documents the last answer quoted
    page: int = 1  # for "sources": which page of the list (Telegram shows it a page at a time)

    @property
    def answered(self) -> bool:
        return bool(self.quotes) or self.paragraph is not None
