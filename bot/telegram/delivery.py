"""Getting a reply to Telegram: retry what the network or flood control refused until a
deadline, send once more what may have been lost, and cut a long reply into messages Telegram
accepts.

python-telegram-bot does not retry a failed sendMessage; a 429, a 500 or a timeout would lose
the reply. Every Bot API call goes through `send_with_retry`, which keeps trying for
CITATBOT_SEND_TIMEOUT seconds (default 60). The Bot API has no idempotency key, so a request that
may have reached Telegram cannot be told apart from one that did not once its answer is lost.
What a reply (`ambiguous_resends=1`) is promised:

* Exactly once for every provable failure: 429 flood control (after retry_after, in full),
  Telegram's own 5xx error answers (taken at their word: nothing was sent), and failures before
  the request left this machine (connection refused or reset while connecting, connect or pool
  timeout) are tried again, with pauses growing from half a second to a twentieth of the
  deadline, until the deadline. A wait that would end past the deadline is not begun.
* A slow Telegram is waited out, up to the deadline, before its answer counts as lost.
* At least once for an ambiguous failure: the request went out but no answer came (no answer
  by the deadline, the connection dropped without a response). Telegram may have sent the
  message or not; a user is better served by a rare duplicate than by silence, so it is sent
  once more, with the same text, and logged. Should that fail ambiguously too,
  `DeliveryUncertain` is raised and the caller logs it.

A call that a duplicate would not harm (getMe, setMyCommands) is simply retried until the
deadline; one whose duplicate is useless (answerCallbackQuery) is not re-sent
(`ambiguous_resends=0`). getUpdates is retried by PTB's polling loop, which is safe: the offset
confirms updates only once they were received (bot.telegram.polling confirms it at the end).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import re
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

T = TypeVar("T")

DEADLINE = 60.0       # seconds to get one call through, unless the caller says otherwise
FIRST_BACKOFF = 0.5   # seconds before the second try after a network error; doubles after,
BACKOFF_SHARE = 20    # up to a twentieth of the deadline (3 s of 60): ten tries a minute at least
ANSWER_WAIT = 5.0     # seconds a try begun near the deadline may wait for its answer past it
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


class NoAnswer(TimedOut):
    """No answer within the time left before the deadline (the request was cancelled)."""


def never_reached_telegram(exc: NetworkError) -> bool:
    """True when Telegram answered with an error, or the request never left this machine."""
    if isinstance(exc, NoAnswer):
        return False
    cause = exc.__cause__
    return cause is None or isinstance(cause, (TelegramError, *NEVER_SENT))


async def send_with_retry(call: Callable[[], Awaitable[T]], *, deadline: float = DEADLINE,
                          backoff: float = FIRST_BACKOFF,
                          ambiguous_resends: int | None = None, what: str = "A request") -> T:
    """Await `call()` until it succeeds or `deadline` seconds have passed (see the module).

    A BadRequest (a NetworkError subclass in PTB) is our mistake, not the network's: raised at
    once. A provable failure is tried again while its wait ends before the deadline, else
    raised. An ambiguous one is sent again `ambiguous_resends` times (None: always), then
    raises DeliveryUncertain. `what` names the call in the log.
    """
    end, most = time.monotonic() + deadline, deadline / BACKOFF_SHARE
    pause, least = min(backoff, most), min(ANSWER_WAIT, deadline)
    resends = 0
    while True:
        try:  # every try waits for its answer until the deadline, and at least `least`
            return await _within(call, max(end - time.monotonic(), least))
        except BadRequest:
            raise
        except RetryAfter as exc:
            failure: TelegramError = exc
            wait = retry_after_seconds(exc)
            reason = f"flood control for {wait:.0f} s"
        except (TimedOut, NetworkError) as exc:
            failure, reason = exc, _cause(exc)
            if ambiguous_resends is not None and not never_reached_telegram(exc):
                if resends >= ambiguous_resends:
                    raise DeliveryUncertain(reason) from exc
                resends += 1
                log.warning("%s got no answer from Telegram (%s); sending it once more, so it "
                            "may arrive twice", what, reason)
                continue
            wait, pause = pause, min(pause * 2, most)
        if time.monotonic() + wait > end:
            log.warning("%s was refused (%s); giving up: a wait of %.1f s would end past the "
                        "send timeout of %.0f s", what, reason, wait, deadline)
            raise failure
        log.warning("%s was refused (%s); retrying in %.1f s", what, reason, wait)
        await asyncio.sleep(wait)


async def _within(call: Callable[[], Awaitable[T]], seconds: float) -> T:
    """`call()`, cancelled after `seconds` without an answer (NoAnswer: it may have been sent)."""
    try:
        async with asyncio.timeout(seconds):
            return await call()
    except TimeoutError:
        raise NoAnswer(f"no answer within {seconds:.1f} s") from None


def _cause(exc: Exception) -> str:
    """What went wrong, for the log: Telegram's words, or the failure on the wire."""
    cause = exc.__cause__
    return str(exc) if isinstance(exc, NoAnswer) or cause is None else type(cause).__name__


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
