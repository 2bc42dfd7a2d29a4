"""Conversation state and quotes as JSON for a StateStore: references, never copies of text.

A quote is stored as [passage id, start, end, score, marks] and rebuilt from the loaded corpus
(its text is `raw[start:end]` again); a hit as [passage id, score]. Every key carries the index
version (a hash of the passages), so after a corpus change old state is simply not found and
expires with its TTL; a reference the corpus no longer holds reads as no state.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from typing import Any

from bot.answer import Quote
from bot.conversation import CHANGED, ChatState
from bot.store import StateStore, StoreUnavailable
from retrieval.ingest import Corpus
from retrieval.passage import Hit
from retrieval.table import passage_lookup, passages_digest

log = logging.getLogger(__name__)

STATE_TTL = 7 * 24 * 3600.0  # seconds a quiet chat's state (and its buttons) is kept


def index_version(corpus: Corpus) -> str:
    """A short name for exactly these passages: state from another corpus never matches it."""
    return (corpus.digest or passages_digest(corpus.passages))[:12]


class QuotesChanged(KeyError):
    """A stored quote is no longer the documents' text: they changed since it was shown."""


class QuoteCodec:
    """Quotes and hits to JSON references and back, against one corpus."""

    def __init__(self, corpus: Corpus, version: str | None = None) -> None:
        self.corpus = corpus
        self.version = version or index_version(corpus)
        self._passage = passage_lookup(corpus.passages)

    def follow(self, corpus: Corpus) -> None:
        """Read references against the documents as they are now (after a reload); the version
        stays, so a chat's state is still found, and a quote whose text changed is told apart
        by its checksum (QuotesChanged)."""
        self.corpus = corpus
        self._passage = passage_lookup(corpus.passages)

    def dump_quotes(self, quotes: Sequence[Quote]) -> list[list]:
        return [[q.passage.id, q.start, q.end, q.score, [list(m) for m in q.marks],
                 zlib.crc32(q.text.encode())] for q in quotes]

    def load_quotes(self, refs: Sequence[Sequence]) -> tuple[Quote, ...]:
        """The quotes back; QuotesChanged when a passage is gone or a quote's text is no longer
        what was shown (the documents changed since)."""
        quotes = []
        for pid, start, end, score, marks, checksum in refs:
            passage = self._passage(pid)
            if passage is None:
                raise QuotesChanged(pid)
            text = self.corpus.documents[passage.doc].raw[start:end]
            if zlib.crc32(text.encode()) != checksum:
                raise QuotesChanged(pid)
            quotes.append(Quote(passage, start, end, text, score, tuple(map(tuple, marks))))
        return tuple(quotes)

    def dump_hits(self, hits: Sequence[Hit]) -> list[list]:
        return [[h.passage.id, h.score] for h in hits]

    def load_hits(self, refs: Sequence[Sequence]) -> tuple[Hit, ...]:
        hits = []
        for pid, score in refs:
            passage = self._passage(pid)
            if passage is None:
                raise QuotesChanged("a hit's passage")
            hits.append(Hit(passage, score))
        return tuple(hits)

    def dump_state(self, state: ChatState) -> dict[str, Any]:
        return {"question": state.question, "subject": state.subject, "shown": state.shown,
                "candidates": self.dump_quotes(state.candidates),
                "hits": self.dump_hits(state.hits)}

    def load_state(self, data: dict[str, Any]) -> ChatState:
        """The state back; when its quotes are no longer the documents' text, the question is
        kept (a follow-up still reads against it) and "mer"/"stycke" say the documents changed."""
        try:
            return ChatState(data["question"], data["subject"],
                             self.load_quotes(data["candidates"]), data["shown"],
                             self.load_hits(data["hits"]))
        except QuotesChanged:
            return ChatState(data["question"], data["subject"], generation=CHANGED)


class ChatStates:
    """Each chat's ConversationService state in the store, under the index version."""

    def __init__(self, store: StateStore, codec: QuoteCodec, ttl: float = STATE_TTL) -> None:
        self.store, self.codec, self.ttl = store, codec, ttl

    def key(self, chat_id: int) -> str:
        return f"chat:{self.codec.version}:{chat_id}"

    async def load(self, chat_id: int) -> ChatState:
        """The chat's state; a fresh one when there is none, it is unreadable or the store is
        down (the conversation starts over, which a user can live with; it is logged)."""
        try:
            data = await self.store.get(self.key(chat_id))
        except StoreUnavailable as exc:
            log.warning("The state store is unreachable (%s): chat %s starts a new conversation",
                        exc, chat_id)
            return ChatState()
        if data is None:
            return ChatState()
        try:
            return self.codec.load_state(data)
        except (KeyError, TypeError, ValueError):
            log.warning("Unreadable state of chat %s ignored", chat_id)
            return ChatState()

    async def save(self, chat_id: int, state: ChatState) -> None:
        """Store the state; when the store is down the change is lost (logged), the bot goes on."""
        try:
            await self.store.set(self.key(chat_id), self.codec.dump_state(state), self.ttl)
        except StoreUnavailable as exc:
            log.warning("The state store is unreachable (%s): chat %s's state was not saved",
                        exc, chat_id)
