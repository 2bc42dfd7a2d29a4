"""Where a quote comes from, in a form people can open: the source of each quote, quotes grouped
under one source line, short titles for that line, and a link that scrolls to the quote.

The link is the document's url with a text fragment (`#:~:text=…`, supported by Chrome, Edge,
Safari and Firefox): the browser scrolls to the quoted words and highlights them. A browser that
cannot find them (the page changed, a bullet is a list marker there) simply opens the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from urllib.parse import quote as percent_encode
from urllib.parse import urlsplit

from bot.answer import Quote
from retrieval.passage import Document, Passage

MAX_TITLE = 80  # characters of a title on a source line; `källor` shows it whole
FRAGMENT_WORDS = 4  # words at each end of a quote that the text fragment names
MAX_FRAGMENTS = 5  # quotes under one source line that its link highlights
_WORD = re.compile(r"\w+(?:-\w+)*")  # "Sarah-anmälningar" is one word


@dataclass(frozen=True, slots=True)
class Source:
    """The metadata of a quote's document; `author` is the commenter's name for a quote from
    a reader's comment (`comment` true), since they wrote the quoted words."""

    title: str
    publisher: str
    author: str
    date: str
    url: str
    comment: bool = False

    @property
    def short_title(self) -> str:
        """The title as a source line shows it."""
        return short_title(self.title)

    def as_json(self) -> dict[str, str]:
        """The `source` object of `citatbot ask --json`."""
        fields = asdict(self)
        del fields["comment"]
        return fields


@dataclass(frozen=True, slots=True)
class Cited:
    """Consecutive quotes from one source, numbered as shown, that share one source line."""

    source: Source
    quotes: tuple[tuple[int, Quote], ...]

    @property
    def link(self) -> str:
        """The url with a text fragment for each quote, or "" when there is no web url."""
        return fragment_link(self.source.url, [q.text for _, q in self.quotes])


def source_of(passage: Passage, documents: Mapping[str, Document]) -> Source:
    """The source of a passage's words (its file name alone for a document removed from the
    folder while the answer was being made)."""
    doc = documents.get(passage.doc) or Document(passage.doc, "", passage.doc)
    return Source(doc.title, doc.publisher, passage.author or doc.author, doc.date, doc.url,
                  comment=bool(passage.author))


def by_source(quotes: Sequence[Quote], documents: Mapping[str, Document],
              number_from: int = 1) -> list[Cited]:
    """The quotes in order, each run from one source under one source line."""
    groups: list[Cited] = []
    for number, quote in enumerate(quotes, number_from):
        source = source_of(quote.passage, documents)
        if groups and groups[-1].source == source:
            groups[-1] = Cited(source, (*groups[-1].quotes, (number, quote)))
        else:
            groups.append(Cited(source, ((number, quote),)))
    return groups


def short_title(title: str, limit: int = MAX_TITLE) -> str:
    """The title within `limit` characters, cut at a word boundary and ended with "…"."""
    if len(title) <= limit:
        return title
    cut = title[: limit].rsplit(" ", 1)[0] if " " in title[: limit] else title[: limit - 1]
    return cut.rstrip(" –-,:;") + "…"


def web_url(url: str) -> str:
    """The url when a browser can open it (http or https with a host), else ""."""
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else ""


def fragment_link(url: str, texts: Iterable[str]) -> str:
    """`url` with a text fragment naming each text (at most MAX_FRAGMENTS); "" without a web url."""
    base = web_url(url)
    if not base:
        return ""
    directives = [d for d in (text_directive(t) for t in texts) if d][:MAX_FRAGMENTS]
    if not directives:
        return base
    page, _, anchor = base.partition("#")
    return f"{page}#{anchor}:~:" + "&".join(f"text={d}" for d in directives)


def text_directive(text: str, words: int = FRAGMENT_WORDS) -> str:
    """`start` or `start,end` of a text fragment: the text from its first to its last word, or,
    when longer, its first and its last `words` words, verbatim in between; the quote marks,
    bullets and punctuation at either end, which a web page may show differently, left out."""
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:
        return ""
    if len(spans) <= 2 * words:
        return _encode(text[spans[0][0] : spans[-1][1]])
    start = text[spans[0][0] : spans[words - 1][1]]
    end = text[spans[-words][0] : spans[-1][1]]
    return f"{_encode(start)},{_encode(end)}"


def _encode(text: str) -> str:
    """Percent-encoded for a text directive, where "-", "," and "&" are syntax."""
    return percent_encode(" ".join(text.split()), safe="").replace("-", "%2D")


@dataclass(frozen=True, slots=True)
class Entry:
    """One document of the `källor` list, numbered, and whether the last answer quoted it."""

    number: int
    doc: Document
    cited: bool


@dataclass(frozen=True, slots=True)
class SourceList:
    """The `källor` list, or one page of it: the last answer's documents first."""

    entries: tuple[Entry, ...]
    total: int
    cited: int
    page: int = 1
    pages: int = 1


def source_list(cited: Sequence[str], documents: Mapping[str, Document]) -> SourceList:
    """Every document on one page, those of `cited` (still in the corpus) first, in order."""
    first = [name for name in cited if name in documents]
    rest = [name for name in documents if name not in set(first)]
    entries = tuple(Entry(n, documents[name], n <= len(first))
                    for n, name in enumerate(first + rest, 1))
    return SourceList(entries, len(entries), len(first))


def paginate(sizes: Sequence[int], budget: int) -> list[tuple[int, int]]:
    """(start, stop) of pages holding as many consecutive sizes as fit `budget` (one at least)."""
    pages, start, used = [], 0, 0
    for i, size in enumerate(sizes):
        if i > start and used + size > budget:
            pages.append((start, i))
            start, used = i, 0
        used += size
    pages.append((start, len(sizes)))
    return pages
