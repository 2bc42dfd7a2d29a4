"""A PDF's text, page by page (pypdf), and what its document information says of it."""

from __future__ import annotations

import io
import logging

from retrieval.formats import Extracted, ExtractionFailed

PAGE_BREAK = "\n\n"


def extract_pdf(data: bytes) -> Extracted:
    """Each page's text, lines stripped, pages joined by a blank line; `pages` where each starts."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns on every odd object
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionFailed("encrypted")
        texts = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise ExtractionFailed("unreadable") from None
    parts, pages, length = [], [], 0
    for text in texts:
        lines = [line.rstrip() for line in text.replace("\x00", "").splitlines()]
        page = "\n".join(lines).strip("\n")
        pages.append(length)
        parts.append(page + PAGE_BREAK)
        length += len(page) + len(PAGE_BREAK)
    return Extracted("".join(parts), pages=tuple(pages), meta=_meta(info))


def _meta(info: object) -> dict[str, str]:
    if info is None:
        return {}
    meta = {"title": getattr(info, "title", None) or "",
            "author": getattr(info, "author", None) or ""}
    try:
        created = getattr(info, "creation_date", None)
    except ValueError:  # a malformed date string
        created = None
    if created is not None:
        meta["date"] = created.date().isoformat()
    return {k: str(v).strip() for k, v in meta.items() if v and str(v).strip()}
