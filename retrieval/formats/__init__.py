"""Every document format turned into the one text that is indexed and quoted.

    plain      .txt: the file as open(path, encoding="utf-8").read() gives it, mapped to the file
    markdown   .md: rendered to plain text by a CommonMark parser, with a map back to the file
    pdf        .pdf: each page's text (pypdf), with where each page starts
    webpage    .html/.htm: the article alone (trafilatura), without menus, ads or comments
    word       .docx: paragraphs, lists and tables in order (python-docx)

`extract` is the one step: quotes are spans of `Extracted.text`, so the verbatim promise holds
for every format; `pages` and `origin` say where a span came from in the file. The libraries are
imported only when a file of their format is read, so a folder of .txt files starts as fast as
ever.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Extracted:
    """A file's text as citatbot indexes and quotes it, and where its pieces came from.

    `pages` holds the offset in `text` where each page starts (PDF); `origin` holds
    (offset in text, offset in file) where each piece of a rendered text starts (Markdown).
    `meta` is what the file says of itself: title, author, date, publisher, url."""

    text: str
    pages: tuple[int, ...] = ()
    origin: tuple[tuple[int, int], ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)


class ExtractionFailed(Exception):
    """The file cannot be turned into text; `problem` is the code the warning line words."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def page_at(pages: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page an offset of the text lies on, or None for a text without pages."""
    return bisect_right(pages, offset) if pages else None


def file_offset(origin: tuple[tuple[int, int], ...], offset: int) -> int | None:
    """Where an offset of a rendered text lies in its file (exact within a piece), or None."""
    if not origin:
        return None
    i = bisect_right(origin, (offset, float("inf"))) - 1
    if i < 0:
        return origin[0][1]
    text_start, file_start = origin[i]
    return file_start + offset - text_start


_CRLF = re.compile("\r\n")


def decoded(data: bytes) -> str:
    """A text file's characters as stored; ExtractionFailed for binary or non-UTF-8 data."""
    if b"\x00" in data[:8192]:
        raise ExtractionFailed("binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ExtractionFailed("not_utf8") from None


def plain(data: bytes) -> Extracted:
    """A text file as `open(path, encoding="utf-8").read()` gives it, which the quotes' offsets
    refer to (the contract in docs/ARCHITECTURE.md): "\\r\\n" and "\\r" read as "\\n", a
    byte-order mark kept. For a file with "\\r\\n" line ends, `origin` maps each offset to the
    file as stored (`file_start`/`file_end` in `ask --json`)."""
    text = decoded(data)
    if "\r" not in text:
        return Extracted(text)
    # After the k-th "\r\n" (0-based), read text and stored file are k + 1 characters apart.
    origin = [(0, 0)] + [(m.start() - k + 1, m.start() + 2)
                         for k, m in enumerate(_CRLF.finditer(text))]
    return Extracted(text.replace("\r\n", "\n").replace("\r", "\n"), (), tuple(origin))


def unified(text: str) -> tuple[str, tuple[int, ...]]:
    """`text` with "\\n" for every line end and without a leading byte-order mark, for a parser
    that wants them so, and where characters were dropped: an offset `o` of the result is
    `o + bisect_right(cuts, o)` in `text`."""
    bom = 1 if text.startswith("\ufeff") else 0
    cuts = [0] * bom + [m.start() - k - bom for k, m in enumerate(_CRLF.finditer(text))]
    return text[bom:].replace("\r\n", "\n").replace("\r", "\n"), tuple(cuts)


def _markdown(data: bytes) -> Extracted:
    from retrieval.formats.markdown import extract_markdown

    source, cuts = unified(decoded(data))
    extracted = extract_markdown(source)
    if not cuts:
        return extracted
    origin = tuple((t, f + bisect_right(cuts, f)) for t, f in extracted.origin)
    return Extracted(extracted.text, extracted.pages, origin, extracted.meta)


def _pdf(data: bytes) -> Extracted:
    from retrieval.formats.pdf import extract_pdf

    return extract_pdf(data)


def _webpage(data: bytes) -> Extracted:
    from retrieval.formats.webpage import extract_webpage

    return extract_webpage(data)


def _word(data: bytes) -> Extracted:
    from retrieval.formats.word import extract_word

    return extract_word(data)


EXTRACTORS: dict[str, Callable[[bytes], Extracted]] = {
    ".txt": plain, ".md": _markdown, ".markdown": _markdown, ".pdf": _pdf,
    ".html": _webpage, ".htm": _webpage, ".docx": _word,
}
SUFFIXES = tuple(EXTRACTORS)


def extract(path: Path, data: bytes) -> Extracted:
    """The text of a file by its suffix; ExtractionFailed says why there is none."""
    extracted = EXTRACTORS[path.suffix.lower()](data)
    if not extracted.text.strip():
        raise ExtractionFailed("empty")
    return extracted
