"""Greetings, thanks, goodbyes and questions about the bot get a short human reply, not a search.

Matched on the whole message (bot names and punctuation aside), so "tack för svaret om budgeten"
still searches; only a message that is nothing but small talk is answered as such.
"""

from __future__ import annotations

import re

from retrieval.analyzer import fold

GREETINGS = frozenset({
    "hej", "hejsan", "hallå", "tjena", "tja", "tjenare", "morsning", "goddag", "god morgon",
    "god kväll", "god dag", "god eftermiddag", "hej hej", "hej där", "hallå där", "hello", "hi",
    "hur mår du", "hur mår du idag", "hur mår du i dag", "hur är läget", "hur har du det",
    "hej hur mår du", "hej hur är läget", "läget",
})
THANKS = frozenset({"tack", "tackar", "tack så mycket", "tusen tack", "stort tack", "tack tack",
                    "tack för hjälpen", "tack ska du ha", "toppen tack", "bra tack",
                    "tack för svaret", "tack så mycket för hjälpen"})
GOODBYES = frozenset({"hejdå", "hej då", "hej hej då", "adjö", "vi ses", "ha det bra", "ha det",
                      "hejdå ha det bra", "hej då ha det bra", "tack och hej", "tack hejdå",
                      "tack och hejdå", "god natt", "bye", "ses"})
ABOUT = frozenset({"vem är du", "vad är du", "vad kan du", "vad kan du göra", "vad gör du",
                   "vad kan du hjälpa mig med", "vad kan du hjälpa till med", "hur funkar du",
                   "hur fungerar du", "vad kan jag fråga", "vad kan jag fråga om",
                   "vad kan jag fråga dig om", "vad vet du", "vad vet du om", "hjälp mig",
                   # "är du en bot?" reads "är du en" once the bot's name is taken out
                   "är du en", "är du en robot", "är du en människa", "är du människa",
                   "är du en ai", "är du ai", "är du en chattbot", "är du på riktigt",
                   "vem har gjort dig", "vem har byggt dig", "vem skapade dig",
                   "who are you", "what are you", "what can you do", "are you a",
                   "are you a robot", "are you human", "are you an ai", "how do you work"})
_STRIP = re.compile(r"[^\w\s]+")
# Compared without å/ä/ö, so "hejda" and "tack sa mycket" are small talk too.
_KINDS = tuple((kind, frozenset(fold(p) for p in phrases)) for kind, phrases in (
    ("greeting", GREETINGS), ("thanks", THANKS), ("goodbye", GOODBYES), ("help", ABOUT)))


def smalltalk_kind(text: str) -> str | None:
    """'greeting', 'thanks', 'goodbye' or 'help' when the whole message is one, else None."""
    words = " ".join(_STRIP.sub(" ", text.casefold()).split())
    words = fold(" ".join(re.sub(r"\b(citatbot|bot|boten)\b", "", words).split()))
    for kind, phrases in _KINDS:
        if words in phrases:
            return kind
    return None
