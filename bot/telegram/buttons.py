"""Inline buttons under answers: their callback data, and a memory of the answers they belong to.

Callback data is `action:epoch:answer:arg`, a few bytes (Telegram allows 64). The epoch is
random per process, so a button from before a restart is recognised as expired instead of
pointing at whatever answer now has its number.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from bot.answer import Answer
from retrieval.lru import LRU

MORE, PARAGRAPH, VOTE, EXAMPLE, SOURCES = "m", "p", "v", "q", "k"
UP, DOWN = "u", "d"
PARAGRAPH_BUTTONS_PER_ROW = 5
MAX_REMEMBERED = 20_000

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
    if len(parts) != 4 or not parts[2].isdigit() or len(parts[2]) > 12:
        return None
    return Press(parts[0], parts[1], int(parts[2]), parts[3])


class AnswerMemory:
    """The answers sent lately, by number, so their buttons keep working; oldest forgotten."""

    def __init__(self, capacity: int = MAX_REMEMBERED) -> None:
        self.epoch = secrets.token_hex(3)
        self.capacity = capacity
        self._ids = itertools.count(1)
        self._shown: LRU[int, Shown] = LRU(capacity)
        self._latest: LRU[int, int] = LRU(capacity)  # each chat's latest question

    def remember(self, chat_id: int, answer: Answer) -> int:
        """Number an answer; a new question (answer or decline) becomes the chat's latest."""
        answer_id = next(self._ids)
        latest = self._latest.peek(chat_id)
        if answer.kind in ("answer", "decline") or latest is None:
            latest = answer_id
        self._latest.put(chat_id, latest)
        self._shown.put(answer_id, Shown(chat_id, latest, answer))
        return answer_id

    def recall(self, chat_id: int, press: Press) -> Shown | None:
        """The answer a button of this chat points at, or None when it has expired."""
        shown = self._shown.peek(press.answer_id) if press.epoch == self.epoch else None
        return shown if shown and shown.chat_id == chat_id else None

    def is_latest(self, shown: Shown) -> bool:
        """True when the shown answer belongs to its chat's latest question."""
        return self._latest.peek(shown.chat_id) == shown.question_id


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
