"""The bundled corpus as the tests read it: its folder, and the check that a quote in a reply
the bot sent is verbatim text of one of its files."""

from __future__ import annotations

from functools import cache

from bot.settings import DEFAULT_CORPUS

CORPUS = DEFAULT_CORPUS


def verbatim_quotes(message: dict) -> list[str]:
    """Quotes in a sent answer that are a raw[start:end] span of some corpus file. A quote may
    run over several lines (a lead-in and its list are one span): it ends at the first line
    that closes it with a span of a file."""
    raws = _raws()
    lines = message["text"].splitlines()
    found = []
    for i, line in enumerate(lines):
        body = line.split("] ", 1)[1] if line.startswith("[") and "] " in line else ""
        if len(body) < 2 or body[0] not in "”»":
            continue
        for j in range(i, min(i + MAX_QUOTE_LINES, len(lines))):
            text = "\n".join([body, *lines[i + 1:j + 1]])
            # a quote that is itself a quotation keeps its own marks
            if len(text) > 2 and text[-1] == body[0] and any(text[1:-1] in raw for raw in raws):
                found.append(text[1:-1])
                break
    return found


@cache
def _raws() -> tuple[str, ...]:
    """The bundled corpus files' text, read once for every message checked."""
    return tuple(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt"))


MAX_QUOTE_LINES = 20  # a list of eight items with blank lines between them fits


# Two questions the bundled corpus answers, one per town, used across the Telegram tests.
UMEA = "Vad kostar socialtjänsten i Umeå?"
VAXJO = "Hur många lex Sarah-anmälningar har utretts i Växjö?"
