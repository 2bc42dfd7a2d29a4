"""Inline buttons under answers: their callback data, and a memory of the answers they belong to.

Callback data is `action:epoch:answer:arg`, a few bytes (Telegram allows 64). The epoch is the
index version, so a button from before a corpus change is recognised as expired; answer ids are
random, so replicas number answers without asking each other. The memory lives in the
StateStore (Redis for replicas: a press is answered by whichever replica receives it), as
references to passages (bot.chat_states), with the state's TTL.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from bot.answer import Answer
from bot.chat_states import STATE_TTL, QuoteCodec
from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

MORE, PARAGRAPH, VOTE, EXAMPLE, SOURCES = "m", "p", "v", "q", "k"
UP, DOWN = "u", "d"
PARAGRAPH_BUTTONS_PER_ROW = 5
ANSWER_IDS = 10**11  # random answer ids below this: 11 digits, never two alike in practice

Label = Callable[..., str]


@dataclass(frozen=True, slots=True)
class Press:
    """What a pressed button asks for."""

    action: str
    epoch: str
    answer_id: int
    arg: str


@dataclass(frozen=True, slots=True)
class Shown:
    """An answer as a chat was shown it; `question_id` is the answer id of its question."""

    chat_id: int
    question_id: int
    answer: Answer


def callback(action: str, epoch: str, answer_id: int = 0, arg: str = "") -> str:
    """Callback data for a button; raises ValueError beyond Telegram's limit."""
    data = f"{action}:{epoch}:{answer_id}:{arg}"
    if len(data.encode()) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def parse(data: str | None) -> Press | None:
    """The Press a callback's data encodes, or None for data we never made."""
    parts = (data or "").split(":")
    if len(parts) != 4 or not is_number(parts[2], 12):
        return None
    return Press(parts[0], parts[1], int(parts[2]), parts[3])


def is_number(text: str, digits: int) -> bool:
    """ASCII digits only, at most `digits` of them: str.isdigit also accepts "²" and "٣",
    which int() refuses or reads, and a 5,000-digit number is no answer id."""
    return 0 < len(text) <= digits and text.isascii() and text.isdigit()


class AnswerMemory:
    """The answers sent lately, by number, so their buttons keep working on any replica."""

    def __init__(self, store: StateStore, codec: QuoteCodec, ttl: float = STATE_TTL) -> None:
        self.store, self.codec, self.ttl = store, codec, ttl
        self.epoch = codec.version[:6]

    async def remember(self, chat_id: int, answer: Answer) -> int:
        """Number an answer; a new question (answer or decline) becomes the chat's latest.
        With the store down its buttons will say "expired"; the answer itself still goes out."""
        answer_id = secrets.randbelow(ANSWER_IDS - 1) + 1
        latest_key = f"latest:{self.epoch}:{chat_id}"
        try:
            latest = None
            if answer.kind not in ("answer", "decline"):
                latest = await self.store.get(latest_key)
            if latest is None:
                latest = answer_id
                await self.store.set(latest_key, latest, self.ttl)
            await self.store.set(f"shown:{self.epoch}:{answer_id}", {
                "chat": chat_id, "latest": latest, "question": answer.question,
                "kind": answer.kind, "quotes": self.codec.dump_quotes(answer.quotes)}, self.ttl)
        except StoreUnavailable as exc:
            log.warning("The state store is unreachable (%s): buttons of an answer to chat %s "
                        "will not work", exc, chat_id)
        return answer_id

    async def recall(self, chat_id: int, press: Press) -> Shown | None:
        """The answer a button of this chat points at, or None when it has expired."""
        if press.epoch != self.epoch:
            return None
        try:
            data = await self.store.get(f"shown:{self.epoch}:{press.answer_id}")
            if not data or data["chat"] != chat_id:
                return None
            quotes = self.codec.load_quotes(data["quotes"])
        except (StoreUnavailable, KeyError, TypeError, ValueError) as exc:
            log.warning("A button's answer could not be read (%s)", type(exc).__name__)
            return None
        return Shown(chat_id, data["latest"], Answer(data["question"], data["kind"], quotes))

    async def is_latest(self, shown: Shown) -> bool:
        """True when the shown answer belongs to its chat's latest question."""
        try:
            return await self.store.get(f"latest:{self.epoch}:{shown.chat_id}") == shown.question_id
        except StoreUnavailable:
            return True  # "mer" then pages the chat's state, which is what a user expects


def answer_keyboard(answer: Answer, epoch: str, answer_id: int,
                    label: Label) -> InlineKeyboardMarkup | None:
    """"Fler svar", one "Visa stycket" per quote and 👍 / 👎 under an answer."""
    if answer.kind not in ("answer", "more", "decline"):
        return None
    rows: list[list[InlineKeyboardButton]] = []
    if answer.more_available:
        rows.append([InlineKeyboardButton(label("more"), callback_data=callback(
            MORE, epoch, answer_id))])
    paragraphs = [
        InlineKeyboardButton(
            label("paragraph", number=answer.number_from + i, alone=len(answer.quotes) == 1),
            callback_data=callback(PARAGRAPH, epoch, answer_id, str(i)))
        for i in range(len(answer.quotes))
    ]
    for start in range(0, len(paragraphs), PARAGRAPH_BUTTONS_PER_ROW):
        rows.append(paragraphs[start : start + PARAGRAPH_BUTTONS_PER_ROW])
    rows.append([
        InlineKeyboardButton(label("up"), callback_data=callback(VOTE, epoch, answer_id, UP)),
        InlineKeyboardButton(label("down"), callback_data=callback(VOTE, epoch, answer_id, DOWN)),
    ])
    return InlineKeyboardMarkup(rows)


def pages_keyboard(page: int, pages: int, epoch: str, label: Label) -> InlineKeyboardMarkup | None:
    """"◂ Sida N" and "Sida N ▸" under a page of /kallor; none for a list of one page."""
    row = [InlineKeyboardButton(label(name, number=number),
                                callback_data=callback(SOURCES, epoch, number))
           for name, number, shown in (("previous_page", page - 1, page > 1),
                                       ("next_page", page + 1, page < pages)) if shown]
    return InlineKeyboardMarkup([row]) if row else None


def examples_keyboard(examples: tuple[str, ...], epoch: str) -> InlineKeyboardMarkup | None:
    """One button per example question; pressing it asks the question."""
    if not examples:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(text, callback_data=callback(EXAMPLE, epoch, i))]
        for i, text in enumerate(examples)
    ])
