"""The command words, one vocabulary for every front end: the REPL, Telegram and `citatbot ask`.

A message that is one of these words is a command, whatever front end it was typed in; anything
else is a question. Telegram's slash commands (/mer, /kallor, /hjalp) are the same words.
`answer_once` is the vocabulary for a front end without a conversation (`citatbot ask`), where
"mer" and "stycke N" have no previous answer to refer to.
"""

from __future__ import annotations

import re

from bot.answer import Answer
from bot.pipeline import Pipeline

_MORE = re.compile(r"^(?:/?mer|/?fler|visa mer|fler svar|fler citat|mer tack)[.!]*$", re.IGNORECASE)
_SOURCES = re.compile(r"^/?(?:källor|kallor|källa|kalla)\s+(?P<n>\d{1,4})[.!]*$", re.IGNORECASE)
_PARAGRAPH = re.compile(r"^/?(?:visa )?stycke(?:t)?(?:\s+(?P<n>\S+))?$", re.IGNORECASE)
_WORDS = {
    "quit": {"avsluta", "sluta", "quit", "exit", "q", "/avsluta", "/quit", "hej då", "hejdå"},
    "help": {"hjälp", "hjalp", "help", "?", "/hjälp", "/hjalp", "/help"},
    "sources": {"källor", "kallor", "källa", "kalla", "/källor", "/kallor"},
}
# Commands that answer without a question before them; "mer" and "stycke N" need one.
STANDALONE = {"help": "help", "sources": "sources", "quit": "goodbye"}


def command(text: str) -> tuple[str, str] | None:
    """The command a message is ("more", "paragraph" with its number, "help", "sources" with
    its page, "quit") and its argument, or None for a question."""
    stripped = text.strip()
    if _MORE.match(stripped):
        return "more", ""
    if match := _PARAGRAPH.match(stripped):
        return "paragraph", match["n"] or "1"
    if match := _SOURCES.match(stripped):
        return "sources", match["n"]
    word = " ".join(stripped.casefold().rstrip("!.").split())
    return next(((name, "") for name, words in _WORDS.items() if word in words), None)


def answer_once(pipeline: Pipeline, text: str) -> Answer:
    """A message without a conversation around it (`citatbot ask`): "mer" and "stycke N" get
    the line that they work in a conversation, not a search for the word "mer"."""
    match command(text):
        case (("more" | "paragraph"), _):
            return Answer(text.strip(), "elsewhere")
        case (name, _):
            return Answer(text.strip(), STANDALONE[name])
    return pipeline.answer(text)
