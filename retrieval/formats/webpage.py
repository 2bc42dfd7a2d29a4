"""A saved web page's article (trafilatura): no navigation, cookie banner, ads or comments,
and the title, author, date and site its metadata names."""

from __future__ import annotations

import re

from retrieval.formats import Extracted, ExtractionFailed

# Parts of a news page trafilatura may keep inside the article element: ads, cookie banners,
# share and subscription boxes, comment sections.
_PRUNE = [f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {c} ')]"
          for c in ("ad", "ads", "advert", "annons", "cookie", "cookie-banner", "consent",
                    "comments", "comment", "share", "newsletter", "paywall")]
_PRUNE += ["//aside", "//nav", "//form", "//footer"]
_DASH_ITEM = re.compile(r"^- (?=\S)", re.MULTILINE)


def extract_webpage(data: bytes) -> Extracted:
    """The article's text, one paragraph a line; list items start with "• " as in .md files."""
    import trafilatura

    try:
        found = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, include_tables=True,
            favor_precision=True, prune_xpath=_PRUNE)
    except (ValueError, TypeError):
        raise ExtractionFailed("unreadable") from None
    if found is None or not (found.text or "").strip():
        raise ExtractionFailed("empty")
    text = _DASH_ITEM.sub("• ", found.text.strip()) + "\n"
    meta = {"title": found.title, "author": found.author, "date": found.date,
            "publisher": found.sitename, "url": found.url}
    return Extracted(text, meta={k: v.strip() for k, v in meta.items() if v and v.strip()})
