"""Greetings and thanks get a short human reply instead of a search."""

from __future__ import annotations

import re

GREETINGS = frozenset(
    "hej hejsan hallå tjena tja tjenare morsning goddag god morgon god kväll god dag hej hej "
    "hej där hallå där hello hi".split(" ")
) | {"god morgon", "god kväll", "god dag", "hej hej", "hej där", "hallå där"}
THANKS = frozenset({"tack", "tackar", "tack så mycket", "tusen tack", "stort tack", "tack tack",
                    "tack för hjälpen", "tack ska du ha", "toppen tack", "bra tack"})
_STRIP = re.compile(r"[^\w\s]+")


def smalltalk_kind(text: str) -> str | None:
    """'greeting' or 'thanks' when the whole message is one, else None."""
    words = " ".join(_STRIP.sub(" ", text.casefold()).split())
    words = re.sub(r"\b(citatbot|bot|boten)\b", "", words).strip()
    if words in GREETINGS:
        return "greeting"
    if words in THANKS:
        return "thanks"
    return None
