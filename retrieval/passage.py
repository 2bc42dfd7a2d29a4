"""The data types that travel from the corpus to every front end."""

from __future__ import annotations

import re

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from retrieval.formats import file_offset, page_at


@dataclass(frozen=True, slots=True)
class Document:
    """One file of the corpus with the metadata a quote's source line needs.

    `raw` is the file's extracted text (the file itself for .txt), which offsets refer to;
    `pages` and `origin` map an offset back to a PDF page or a Markdown file's own offset."""

    name: str
    raw: str = field(repr=False)
    title: str
    publisher: str = ""
    author: str = ""
    date: str = ""
    kind: str = ""
    url: str = ""
    pages: tuple[int, ...] = field(default=(), repr=False)
    origin: tuple[tuple[int, int], ...] = field(default=(), repr=False)

    def page(self, offset: int) -> int | None:
        """The 1-based page an offset lies on, or None for a document without pages."""
        return page_at(self.pages, offset)

    def file_offset(self, offset: int) -> int | None:
        """Where an offset of a rendered document lies in its file, or None when they agree."""
        return file_offset(self.origin, offset)


class DocumentMaker(Protocol):
    """What makes a document when it is first asked for (its text decoded then), and knows its
    title and publisher before."""

    title: str
    publisher: str
    # What tells the document apart without making it (its file's hash and its fields): two
    # makers with equal signatures make equal documents.
    signature: tuple

    def __call__(self) -> Document: ...


class Documents(Mapping[str, Document]):
    """Documents by name in load order; one kept as a maker (the snapshot's) is made, its text
    decoded, when first looked up. Iterating names, or titles, makes nothing."""

    def __init__(self) -> None:
        self._items: dict[str, Document | DocumentMaker] = {}

    def add(self, name: str, document: Document | DocumentMaker) -> None:
        """Add a document, or what makes it when asked for."""
        self._items[name] = document

    def title(self, name: str) -> str:
        """A document's title, without making it."""
        return self._items[name].title

    def publisher(self, name: str) -> str:
        """A document's publisher, without making it."""
        return self._items[name].publisher

    def same(self, other: Documents, name: str) -> bool:
        """Whether `name` is the same document here and in `other`: by the makers' signatures
        while neither is made (a reload compared 5,000 documents' texts), else by value."""
        mine, theirs = self._items[name], other._items[name]
        if not isinstance(mine, Document) and not isinstance(theirs, Document):
            return mine.signature == theirs.signature
        return self[name] == other[name]

    def __getitem__(self, name: str) -> Document:
        item = self._items[name]
        if isinstance(item, Document):
            return item
        made = item()
        self._items[name] = made  # another thread making it too makes an equal one
        return made

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def title_of(documents: Mapping[str, Document], name: str) -> str:
    """A document's title, without making a document that is not made yet."""
    return documents.title(name) if isinstance(documents, Documents) else documents[name].title


def publisher_of(documents: Mapping[str, Document], name: str) -> str:
    """A document's publisher, without making a document that is not made yet."""
    return (documents.publisher(name) if isinstance(documents, Documents)
            else documents[name].publisher)


# A line that opens with a dash is said by someone, in an interview its answer ("– Så är inte
# situationen nu."): ingest joins it to the question before it, the composer quotes it after.
DASH_LINE = re.compile(r"[–—-]\s?\S")


@dataclass(frozen=True, slots=True)
class Passage:
    """A paragraph of a document.

    `spans` are the raw character ranges the passage is made of: usually one, several when list
    items or an interview question are joined to their paragraph across dropped lines. `text` is
    those spans joined by newlines, so every sentence quoted from it maps back to raw offsets.
    """

    id: str
    doc: str
    heading: str
    spans: tuple[tuple[int, int], ...]
    text: str
    author: str = ""

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


def is_question(text: str, title: str = "") -> bool:
    """True for a text that asks rather than tells ("…?"), unless it is (in) the document's title."""
    text = text.strip()
    return text.endswith("?") and text not in title


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage with its retrieval score, as search returns it."""

    passage: Passage
    score: float
