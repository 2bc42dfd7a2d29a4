"""The root of citatbot's errors, and the ones retrieval raises.

Every error a user can cause and fix is a CitatbotError; its params say what to fix and its
class names the message the CLI edge renders (prompts/txt/errors/<template>.j2). The bot's
own errors (settings, prompts, gold files, Telegram) live in bot/errors.py.

    CitatbotError
    └── CorpusError          the corpus folder cannot serve at all (path)
        ├── CorpusMissing    no such folder
        └── CorpusEmpty      no readable document in it
    └── RankerInvalid        the learned ranker's weights file is broken (path, reason)
"""

from __future__ import annotations

import re


class CitatbotError(Exception):
    """Base of every error a user can cause; the CLI turns it into one line and `exit_code`."""

    exit_code = 1

    def __init__(self, **params: object) -> None:
        super().__init__(params)
        self.params = params

    @property
    def template(self) -> str:
        """The message's template: the class name in snake case (CorpusMissing: corpus_missing)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).lower()

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{type(self).__name__}({details})"


class CorpusError(CitatbotError):
    """The corpus cannot be used."""


class CorpusMissing(CorpusError):
    """The corpus folder does not exist."""


class CorpusEmpty(CorpusError):
    """The corpus folder holds no readable document."""


class RankerInvalid(CitatbotError):
    """The learned ranker's weights file (retrieval/data/ranker.json) cannot be used."""
