"""A Word file's text (python-docx): paragraphs, list items and table rows in document order,
and the title, author and date of its core properties."""

from __future__ import annotations

import io
import zipfile

from retrieval.formats import Extracted, ExtractionFailed

CELL_SEPARATOR = " | "


def extract_word(data: bytes) -> Extracted:
    """One line a paragraph (a blank line between, none between list items), one a table row."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise ExtractionFailed("unreadable") from None
    lines: list[str] = []
    listed = False
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = [CELL_SEPARATOR.join(c.text.strip() for c in row.cells) for row in block.rows]
            lines.append("\n".join(r for r in rows if r.strip()))
            listed = False
            continue
        text = " ".join(block.text.split())
        if not text:
            continue
        style = (block.style.name if block.style is not None else "").casefold()
        item = style.startswith(("list", "liststycke"))
        line = f"• {text}" if item and not text.startswith("•") else text
        if item and listed:
            lines[-1] += "\n" + line
        else:
            lines.append(line)
        listed = item
    props = document.core_properties
    meta = {"title": props.title or "", "author": props.author or "",
            "date": props.created.date().isoformat() if props.created else ""}
    return Extracted("\n\n".join(lines) + "\n", meta={k: v for k, v in meta.items() if v})
