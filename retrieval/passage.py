"""The data types that travel from the corpus to every front end."""

from __future__ import annotations

from dataclasses import dataclass, field

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
