"""Swedish sentence boundaries with offsets, for quoting whole sentences verbatim."""

from __future__ import annotations

import re

# Abbreviations that end in a period but rarely end a sentence.
# "osv", "m.m." and "etc." usually close a list at the end of a sentence, so they still split
# before a capital letter; these never do.
ABBREVIATIONS = frozenset(
    "t.ex ex bl.a s.k dvs d.v.s ca resp jfr kl nr st sk fr.o.m t.o.m p.g.a pga inkl exkl "
    "tel ang enl forts f.d fd s.a.s o.d ev eng sv prof dr"
    .split()
)
# A boundary: end punctuation, optional closing quotes/brackets, whitespace, then a sentence start.
_BOUNDARY = re.compile(r"[.!?…]+[”\"»)]*(?=\s+[–—\-”\"«(]?\s?[A-ZÅÄÖÉÜ0-9])")
# "1. Att varje chef …": a numbered list item's number is not a sentence of its own, nor does
# it end one when a list runs on inside it ("… fanns: 1. Själva ärendet …, 2. Finns …").
_LIST_NUMBER = re.compile(r"\d{1,2}[.)]")
_INLINE_NUMBER = re.compile(r"[:,;]\s+\d{1,2}[.)]$")


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, shifted by `offset`, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        chunk = text[start:match.end()].strip()
        if (_is_abbreviation(text[start:match.start() + 1]) or _LIST_NUMBER.fullmatch(chunk)
                or _INLINE_NUMBER.search(chunk)):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        chunk = text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if e - trail > s + lead:
            out.append((offset + s + lead, offset + e - trail))
    return out


def _is_abbreviation(before: str) -> bool:
    """True when the period closing `before` belongs to an abbreviation like "t.ex." or "m.m."."""
    if not before.endswith("."):
        return False
    # The word the period closes, read from the end: a search for `\S+$` tried every start of
    # a long run of letters that ends in a space (75,000 of them took 34 s).
    tail = before[:-1]
    word = "" if not tail or tail[-1].isspace() else tail.rsplit(None, 1)[-1]
    word = word.casefold().strip("(”\"")
    if before.endswith("o s v."):
        return False
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


# A list item: a bullet, or a number or letter with its point or bracket, then the item.
_ITEM = re.compile(r"^\s*(?:[•·▪◦‣*\-]\s|\d{1,2}[.)]\s|[a-zA-Z]\)\s)")
# What closes a sentence that says something; headlines, datelines and captions end without.
_CLOSED = re.compile(r"[.!?:;…”\"»)]\s*$")


def sentence_role(text: str, headings: tuple[str, ...] = ()) -> str:
    """"item" for a list item, "fragment" for a line that only labels (a headline, a dateline
    such as "Växjö • Publicerad 7 november 2018", a caption, the document's title repeated),
    else "text". Items and fragments read as facts when torn from their context."""
    stripped = text.strip()
    if _ITEM.match(stripped):
        return "item"
    if not _CLOSED.search(stripped) or stripped in headings:
        return "fragment"
    return "text"
