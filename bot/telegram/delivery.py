"""Getting a reply to Telegram: retry what the network or flood control refused, never send a
reply twice, and cut a long reply into messages Telegram accepts.

python-telegram-bot does not retry a failed sendMessage; a 429, a 500 or a timeout would lose
the reply. Every Bot API call goes through `send_with_retry`. The Bot API has no idempotency key,
so a request that may have reached Telegram cannot be told apart from one that did not once its
answer is lost. The guarantee for a call that sends something (`at_most_once=True`):

* Retried, so delivered exactly once: 429 flood control (after retry_after), Telegram's own 5xx
  error answers (taken at their word: nothing was sent), and failures before the request left
  this machine: connection refused or reset while connecting, connect timeout, pool timeout.
* Waited out, so delivered exactly once: a slow Telegram, up to CITATBOT_SEND_TIMEOUT
  seconds (default 30, against PTB's 5), before the answer counts as lost.
* Not retried, so delivered at most once: the request was sent but no answer came (read or write
  timeout past that wait, the connection dropped without a response). Telegram may have sent the
  message or not; re-sending could show it twice, so `DeliveryUncertain` is raised and the caller
  logs it. This is the limit: such a reply is lost when Telegram had in fact not processed it.

A call that sends nothing a user sees (setMyCommands) is simply retried. getUpdates is retried
by PTB's polling loop, which is safe: the offset confirms updates only once they were received,
so a lost or late answer to getUpdates neither loses updates nor hands them over twice.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_ATTEMPTS = 5
FIRST_BACKOFF = 0.5   # seconds before the second attempt after a network error; doubles after
MAX_WAIT = 60.0       # never wait longer than this for one retry, whatever Telegram asks
MIN_LIMIT = 300       # room for a slice of a long word (200) with the tags around it
WORD_SLICE = 200

# httpx failures that happen before any byte of the request reached the server
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

_TOKEN = re.compile(r"(<[^>]*>|&[^;\s]*;)")
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)[^>]*>")


def retry_after_seconds(exc: RetryAfter) -> float:
    """Seconds Telegram asked us to wait, whether PTB hands them over as int or timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class DeliveryUncertain(TelegramError):
    """A request that sends something went out, but Telegram's answer never came back."""


def never_reached_telegram(exc: NetworkError) -> bool:
    """True when Telegram answered with an error, or the request never left this machine."""
    cause = exc.__cause__
    return cause is None or isinstance(cause, (TelegramError, *NEVER_SENT))


async def send_with_retry(call: Callable[[], Awaitable[T]], *, attempts: int = MAX_ATTEMPTS,
                          backoff: float = FIRST_BACKOFF, at_most_once: bool = False) -> T:
    """Await `call()`, waiting out 429 retry_after, timeouts and network errors, up to `attempts`.

    A BadRequest (a NetworkError subclass in PTB) is our mistake, not the network's: it is raised
    at once. With `at_most_once`, a failure after the request may have reached Telegram raises
    DeliveryUncertain instead of sending again. After the last attempt the error is raised.
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
        except (TimedOut, NetworkError) as exc:
            if at_most_once and not never_reached_telegram(exc):
                raise DeliveryUncertain(type(exc.__cause__).__name__) from exc
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
        if chunk and units(render([*chunk, item], not messages, False)) > limit:
            messages.append(render(chunk, not messages, False))
            chunk = []
        chunk.append(item)
    messages.append(render(chunk, not messages, True))
    return [piece for message in messages for piece in split_html(message, limit)]


def units(text: str) -> int:
    """The text's length as Telegram counts it: in UTF-16 code units, so an emoji or another
    character beyond the Basic Multilingual Plane counts two."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def split_html(text: str, limit: int) -> list[str]:
    """Cut Telegram HTML into pieces of at most `limit` UTF-16 units, at line breaks or spaces,
    never inside a tag or an entity, closing open tags at a cut and reopening them after it."""
    if limit < MIN_LIMIT:
        raise ValueError(f"limit {limit} is too small to split HTML; use at least {MIN_LIMIT}")
    if units(text) <= limit:
        return [text]
    pieces: list[str] = []
    current, open_tags = "", []
    size = 0  # units(current), kept as it grows
    for token in _tokens(text):
        closing = "".join(f"</{_name(t)}>" for t in reversed(open_tags))
        if current and size + units(token) + units(closing) > limit:
            pieces.append((current + closing).strip())
            current = "".join(open_tags)
            size = units(current)
        current += token
        size += units(token)
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
