"""Markdown rendered to the plain text a reader sees: no `**`, `[text](url)` or `##`.

A CommonMark parser (markdown-it-py, with GFM tables) gives the blocks; headings, paragraphs
and list items become lines, tables one line a row with cells between " | ". Each piece of
text is looked up in its block's source lines, so a quote maps back to the file's offsets.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from retrieval.formats import Extracted

CELL_SEPARATOR = " | "
BULLET = "• "


class _Writer:
    """The rendered text as it grows, and where each piece came from in the source."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.line_starts = [0]
        for i, ch in enumerate(source):
            if ch == "\n":
                self.line_starts.append(i + 1)
        self.parts: list[str] = []
        self.length = 0
        self.origin: list[tuple[int, int]] = []
        self.cursor = 0
        self.region_end = len(source)

    def region(self, lines: list[int] | None) -> None:
        """Look for the next pieces within these source lines."""
        if lines:
            starts = self.line_starts
            self.cursor = max(self.cursor, starts[min(lines[0], len(starts) - 1)])
            self.region_end = starts[lines[1]] if lines[1] < len(starts) else len(self.source)

    def text(self, piece: str) -> None:
        """Add text found in the source (its origin recorded when found)."""
        if not piece:
            return
        found = self.source.find(piece, self.cursor, self.region_end)
        if found >= 0:
            self.origin.append((self.length, found))
            # each line of a piece its own entry, so offsets map back line by line (a file's
            # "\r\n" line ends are one character longer than the parsed text's)
            line = piece.find("\n")
            while line >= 0:
                self.origin.append((self.length + line + 1, found + line + 1))
                line = piece.find("\n", line + 1)
            self.cursor = found + len(piece)
        self.add(piece)

    def skip(self, piece: str) -> None:
        """Move past source text that is not rendered (a link's url), when it comes next."""
        found = self.source.find(piece, self.cursor, self.region_end) if piece else -1
        if found >= 0:
            self.cursor = found + len(piece)

    def add(self, piece: str) -> None:
        """Add text of the rendering's own (a bullet, a line break)."""
        self.parts.append(piece)
        self.length += len(piece)

    def end_block(self, blank: bool = True) -> None:
        """End the current line; a blank line after it when `blank`."""
        text = "".join(self.parts[-2:])
        if not self.parts or text.endswith("\n\n"):
            return
        if not text.endswith("\n"):
            self.add("\n")
        if blank:
            self.add("\n")


def _inline(writer: _Writer, token: Token) -> None:
    links: list[str] = []
    for child in token.children or ():
        if child.type == "link_open":
            links.append(str(child.attrGet("href") or ""))
        elif child.type == "link_close" and links:
            writer.skip(links.pop())  # the url is not text: look for what follows after it
        elif child.type in ("text", "code_inline"):
            writer.text(child.content)
        elif child.type == "softbreak":
            writer.add(" ")
        elif child.type == "hardbreak":
            writer.add("\n")
        elif child.type == "image":
            _inline(writer, child)


def extract_markdown(source: str) -> Extracted:
    """The rendered text of a Markdown source, with its map back to the source offsets."""
    parser = MarkdownIt("commonmark").enable("table")
    writer = _Writer(source)
    lists: list[list[int]] = []  # per open list: [next number] or [] for bullets
    cells: list[str] | None = None
    for token in parser.parse(source):
        kind = token.type
        writer.region(token.map)
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([int(token.attrGet("start") or 1)] if kind.startswith("ordered") else [])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            writer.end_block(blank=not lists)
        elif kind == "list_item_open":
            writer.end_block(blank=False)
            writer.add("  " * (len(lists) - 1))
            numbers = lists[-1]
            if numbers:
                writer.add(f"{numbers[0]}. ")
                numbers[0] += 1
            else:
                writer.add(BULLET)
        elif kind == "tr_open":
            cells = []
        elif kind in ("th_close", "td_close") and cells is not None:
            cells.append("")
        elif kind == "tr_close":
            writer.end_block(blank=False)
            cells = None
        elif kind == "table_close":
            writer.end_block()
        elif kind == "inline":
            if cells:  # not the row's first cell
                writer.add(CELL_SEPARATOR)
            _inline(writer, token)
        elif kind in ("heading_close", "paragraph_close"):
            writer.end_block(blank=not lists)
        elif kind in ("fence", "code_block"):
            writer.text(token.content.rstrip("\n"))
            writer.end_block()
    return Extracted("".join(writer.parts).rstrip() + "\n", origin=tuple(writer.origin))
