"""One conversation per chat: the previous question, paging with "mer", whole paragraphs, and
short follow-ups read against the question before. Shared by the REPL and Telegram."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.answer import Answer, Quote
from bot.asks import ASKS
from bot.commands import STANDALONE, command
from bot.pipeline import Pipeline
from retrieval.lru import LRU
from retrieval.passage import Hit

# A question word: what a follow-up without a word of its own still asks.
# A name after a preposition: "i Umeå", "för Vision", "hos Feelgood".
_PLACED = re.compile(r"\b(?P<prep>i|för|på|hos|från|inom|om|vid)\s+(?P<name>[A-ZÅÄÖÉ][\w-]*)")
# A word that points back at the previous question's subject: "Vad vill hon …?", "… med det?"
_POINTS_BACK = re.compile(r"\b(han|hon|hen|honom|henne|hans|hennes|där|dit|dessa)\b|"
                          r"\b(den|det|dem|de|detta)\W*$", re.IGNORECASE)
_FOLLOW_UP = re.compile(r"^(?:och|men|än|samt|också|då|hur är det med|vad gäller)\b", re.IGNORECASE)


@dataclass(slots=True)
class ChatState:
    """What one chat has asked and been shown (bot.chat_states keeps it between updates)."""

    question: str = ""  # what a follow-up is read against: the subject and the last follow-up
    subject: str = ""  # the last question that stood alone, names swapped by follow-ups
    candidates: tuple[Quote, ...] = ()
    shown: int = 0
    hits: tuple[Hit, ...] = ()  # the last answer's hits, reported again with "mer"
    # The service generation the answer came from; CHANGED when the documents it quoted have
    # changed since (a store found its quotes no longer in them).
    generation: int = 0


CHANGED = -1


class ConversationService:
    """Turns a chat's messages into Answers, keeping each chat's state apart from the others."""

    def __init__(self, pipeline: Pipeline, *, max_chats: int = 10_000) -> None:
        self.pipeline = pipeline
        self.generation = 0  # counts swaps: an answer from before one may quote old text
        self._chats: LRU[object, ChatState] = LRU(max_chats)

    def swap(self, pipeline: Pipeline) -> None:
        """Serve from a new pipeline (the folder changed). One assignment: a question being
        answered finishes on the pipeline it started with."""
        self.pipeline = pipeline
        self.generation += 1

    def still_quoted(self, quotes: tuple[Quote, ...], generation: int | None = None) -> bool:
        """True when every quote, and the paragraph around it, is still the documents' text
        (always, when no swap happened since `generation`)."""
        if generation == self.generation:
            return True
        if generation == CHANGED:
            return False
        documents = self.pipeline.corpus.documents
        for quote in quotes:
            doc = documents.get(quote.doc)
            if doc is None or doc.raw[quote.start:quote.end] != quote.text:
                return False
            if "\n".join(doc.raw[s:e] for s, e in quote.passage.spans) != quote.passage.text:
                return False
        return True

    def state(self, chat_id: object) -> ChatState:
        """The chat's state; the least recently used chat is forgotten beyond `max_chats`."""
        return self._chats.get(chat_id, ChatState)

    def handle(self, chat_id: object, text: str, state: ChatState | None = None) -> Answer:
        """A message: a command of bot.commands, the same in every front end, or a question.
        `state`: the chat's state when it is kept elsewhere (a StateStore); changed in place."""
        state = state if state is not None else self.state(chat_id)
        match command(text):
            case ("more", _):
                return self.more(chat_id, state)
            case ("paragraph", number):
                return self._paragraph(state, number)
            case ("sources", page):
                return self.sources(chat_id, state, int(page or 1))
            case (name, _):
                return Answer(text.strip(), STANDALONE[name])
        return self._ask(state, text.strip())

    def ask(self, chat_id: object, question: str) -> Answer:
        """Answer a question in a chat, as a follow-up where it reads like one (`_ask`)."""
        return self._ask(self.state(chat_id), question)

    def paragraph(self, chat_id: object, number: str) -> Answer:
        """The whole paragraph around quote `number` (1-based) of what the chat was shown."""
        return self._paragraph(self.state(chat_id), number)

    def _ask(self, state: ChatState, question: str) -> Answer:
        """Answer a question, reading a follow-up against the previous question: one made only
        of question words ("varför då?", "och när?") asks about its subject, and one that names
        a new place or name ("Och i Umeå?") asks the same with the old one swapped out."""
        follows = self._follows_up(question) if state.question else None
        context = follows(state.question) if follows else ""
        generation = self.generation
        answer = self.pipeline.answer(question, context)
        if answer.kind in ("answer", "decline"):
            # What the next follow-up is read against: the subject (the last question that
            # stood alone, names swapped as asked) and this follow-up, cut like any question,
            # so a chain of follow-ups never grows it.
            limit = self.pipeline.settings.max_question_chars
            if context:
                state.subject = follows(state.subject) or state.subject
            else:
                state.subject = question[:limit]
            state.question = (f"{state.subject} {question}" if context else question)[:limit]
            state.candidates = answer.candidates
            state.shown = len(answer.quotes)
            state.hits = answer.hits
            state.generation = generation
        return answer

    def _follows_up(self, question: str) -> Callable[[str], str] | None:
        """How `question` reads a previous question as its context (the previous question, its
        names swapped as this one asks), or None when it stands alone. The question is
        analysed once, for the last question and for the subject alike."""
        words = self.pipeline.analyzer.query_words(question)
        if not words:
            # Only question words: a follow-up when it asks something ("varför då?").
            return (lambda previous: previous) if ASKS.search(question) else None
        if not (_FOLLOW_UP.match(question) or len(words) == 1 or _POINTS_BACK.search(question)):
            return None
        names = [w.word for w in words if w.name]
        return lambda previous: swapped(previous, question, names)

    def more(self, chat_id: object, state: ChatState | None = None) -> Answer:
        """The next quotes for the chat's last question, or word that the documents changed."""
        state = state if state is not None else self.state(chat_id)
        if state.generation == CHANGED:
            return Answer(state.question, "changed")
        page = state.candidates[state.shown : state.shown + self.pipeline.settings.max_quotes]
        if not page:
            return Answer(state.question, "more_none")
        if not self.still_quoted(page, state.generation):
            return Answer(state.question, "changed")
        answer = Answer(
            state.question,
            "more",
            quotes=page,
            hits=state.hits,
            more_available=state.shown + len(page) < len(state.candidates),
            number_from=state.shown + 1,
        )
        state.shown += len(page)
        return answer

    def _paragraph(self, state: ChatState, number: str) -> Answer:
        if state.generation == CHANGED:
            return Answer(state.question, "changed")
        n = int(number) if number.isascii() and number.isdigit() and len(number) < 6 else 0
        if not 1 <= n <= state.shown:
            return Answer(state.question, "paragraph_none")
        return self.paragraph_of(state.question, state.candidates[n - 1], state.generation)

    def paragraph_of(self, question: str, quote: Quote, generation: int | None = None) -> Answer:
        """The whole paragraph around a quote, or word that the documents changed since."""
        if not self.still_quoted((quote,), generation):
            return Answer(question, "changed")
        return Answer(question, "paragraph", quotes=(quote,), paragraph=quote.passage)

    def sources(self, chat_id: object, state: ChatState | None = None, page: int = 1) -> Answer:
        """The documents, those the chat was last quoted from first (in the order quoted);
        `page` for a front end that shows the list a page at a time."""
        state = state if state is not None else self.state(chat_id)
        cited = dict.fromkeys(q.doc for q in state.candidates[: state.shown])
        return Answer(state.question, "sources", cited=tuple(cited), page=max(page, 1))


def swapped(previous: str, question: str, names: list[str]) -> str:
    """`previous` with the names the follow-up replaces taken out: "i Växjö" goes when the
    follow-up asks "Och i Umeå?" (the same preposition before a new name)."""
    for match in _PLACED.finditer(question):
        if match["name"].casefold() not in names:
            continue
        old = re.compile(rf"\b{match['prep']}\s+(?!{re.escape(match['name'])}\b)"
                         r"[A-ZÅÄÖÉ][\w-]*")
        previous = old.sub(" ", previous)
    return " ".join(previous.split())
