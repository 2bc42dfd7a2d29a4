"""The bundled corpus as the tests read it: its folder, and the check that a quote in a reply
the bot sent is verbatim text of one of its files."""

from __future__ import annotations

from bot.settings import DEFAULT_CORPUS

CORPUS = DEFAULT_CORPUS


def verbatim_quotes(message: dict) -> list[str]:
    """Quotes in a sent answer that are a raw[start:end] span of some corpus file."""
    raws = [p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")]
    found = []
    for line in message["text"].splitlines():
        body = line.split("] ", 1)[1] if line.startswith("[") and "] " in line else ""
        if len(body) > 2 and body[0] in "”»" and body[-1] == body[0]:
            quote = body[1:-1]  # a quote that is itself a quotation keeps its own marks
            if any(quote in raw for raw in raws):
                found.append(quote)
    return found


# Two questions the bundled corpus answers, one per town, used across the Telegram tests.
UMEA = "Vad kostar socialtjänsten i Umeå?"
VAXJO = "Hur många lex Sarah-anmälningar har utretts i Växjö?"
