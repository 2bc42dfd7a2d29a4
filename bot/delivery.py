"""Getting a reply to Telegram: retry what the network or flood control refused, and cut a long
reply into messages Telegram accepts.

python-telegram-bot does not retry a failed sendMessage; a 429, a 500 or a timeout would lose
the reply. Every send goes through `send_with_retry`, the one place to make delivery more
reliable later (a persistent outbox, idempotency across restarts).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_ATTEMPTS = 5
FIRST_BACKOFF = 0.5   # seconds before the second attempt after a network error; doubles after
MAX_WAIT = 60.0       # never wait longer than this for one retry, whatever Telegram asks
MIN_LIMIT = 300       # room for a slice of a long word (200) with the tags around it
WORD_SLICE = 200

_TOKEN = re.compile(r"(<[^>]*>|&[^;\s]*;)")
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)[^>]*>")


def retry_after_seconds(exc: RetryAfter) -> float:
    """Seconds Telegram asked us to wait, whether PTB hands them over as int or timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def send_with_retry(call: Callable[[], Awaitable[T]], *, attempts: int = MAX_ATTEMPTS,
                          backoff: float = FIRST_BACKOFF) -> T:
    """Await `call()`, waiting out 429 retry_after, timeouts and network errors, up to `attempts`.

    A BadRequest (a NetworkError subclass in PTB) is our mistake, not the network's: it is raised
    at once. After the last attempt the error is raised for the error handler to log.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except BadRequest:
            raise
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            if attempt == attempts:
                raise
        except (TimedOut, NetworkError):
            wait = backoff * 2 ** (attempt - 1)
            if attempt == attempts:
                raise
        log.warning("Telegram refused a request (attempt %d of %d); retrying in %.1f s",
                    attempt, attempts, wait)
        await asyncio.sleep(min(wait, MAX_WAIT))
    raise AssertionError("unreachable: the loop returns or raises")


def pack(render: Callable[[Sequence[T], bool, bool], str], items: Sequence[T],
         limit: int) -> list[str]:
    """Render `items` into as few messages as fit in `limit`, cutting only between items.

    `render(chunk, first, last)` renders one message; an item too long on its own is rendered
    alone and then cut by `split_html`.
    """
    messages: list[str] = []
    chunk: list[T] = []
    for item in items:
        if chunk and len(render([*chunk, item], not messages, False)) > limit:
            messages.append(render(chunk, not messages, False))
            chunk = []
        chunk.append(item)
    messages.append(render(chunk, not messages, True))
    return [piece for message in messages for piece in split_html(message, limit)]


def split_html(text: str, limit: int) -> list[str]:
    """Cut Telegram HTML into pieces of at most `limit` characters, at line breaks or spaces,
    never inside a tag or an entity, closing open tags at a cut and reopening them after it."""
    if limit < MIN_LIMIT:
        raise ValueError(f"limit {limit} is too small to split HTML; use at least {MIN_LIMIT}")
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current, open_tags = "", []
    for token in _tokens(text):
        closing = "".join(f"</{_name(t)}>" for t in reversed(open_tags))
        if current and len(current) + len(token) + len(closing) > limit:
            pieces.append((current + closing).strip())
            current = "".join(open_tags)
        current += token
        if match := _TAG.fullmatch(token):
            if match[1]:
                open_tags = [t for t in open_tags if _name(t) != match[2].lower()]
            else:
                open_tags.append(token)
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _tokens(text: str) -> list[str]:
    """Tags and entities whole; text in words with their trailing space, long words in slices."""
    tokens: list[str] = []
    for part in _TOKEN.split(text):
        if part.startswith(("<", "&")) and _TOKEN.fullmatch(part):
            tokens.append(part)
            continue
        for word in re.findall(r"\S*\s*", part):
            tokens.extend(word[i : i + WORD_SLICE] for i in range(0, len(word), WORD_SLICE))
    return [t for t in tokens if t]


def _name(tag: str) -> str:
    match = _TAG.fullmatch(tag)
    return match[2].lower() if match else ""
