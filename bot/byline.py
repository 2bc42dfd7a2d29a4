"""Who wrote a document, quoted from the document: its byline.

"Vem skrev artikeln om Växjö?" is a question journalists ask, and its answer is no sentence of
the text but the author's name where the file gives it ("Kerstin Haggren" above the article's
footer, "Jan Hägglund" under the photo). The name comes from the document's metadata
(sources.toml) and is quoted only where the file itself has it, so the quote stays a span of the
file; a document whose file does not name its author gets no byline quote.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.answer import Quote
from retrieval.passage import Document, Hit


def byline_quote(document: Document, hits: Sequence[Hit]) -> Quote | None:
    """The author's name as the document's file writes it (its first occurrence), held by the
    hit of that document nearest to it (what "stycke" shows); None when the file lacks it."""
    name = document.author.strip()
    start = document.raw.find(name) if name else -1
    own = [h for h in hits if h.passage.doc == document.name]
    if start < 0 or not own:
        return None
    end = start + len(name)
    nearest = min(own, key=lambda h: min(abs(s - start) + abs(e - end) for s, e in h.passage.spans))
    return Quote(nearest.passage, start, end, document.raw[start:end], nearest.score)
