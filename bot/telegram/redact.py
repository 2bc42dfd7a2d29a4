"""Keep a secret (the bot token) out of every log line, including tracebacks.

The token is part of every Bot API URL, and PTB puts it in InvalidToken's message. A log record
factory redacts each record as it is made, whichever logger or handler it goes to.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

MASK = "<TELEGRAM_BOT_TOKEN>"


def redact_secret_in_logs(secret: str) -> Callable[[], None]:
    """Make every new log record hide `secret`; returns a function that undoes it."""
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        message = record.getMessage()
        if secret in message:
            record.msg, record.args = message.replace(secret, MASK), None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = text.replace(secret, MASK)
        return record

    logging.setLogRecordFactory(factory)
    return lambda: logging.setLogRecordFactory(previous)
