"""What the corpus is about when sources.toml does not say ([corpus] description absent): a
few titles for a small folder, else the count and the publishers most documents come from.

Built from the documents as they are loaded, so the welcome and decline texts follow the
folder as documents are added, without anyone editing [corpus]."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from itertools import islice
from dataclasses import dataclass

from bot.sources import short_title
from retrieval.passage import Document, publisher_of, title_of

NAMED_TITLES = 3  # a folder of this many documents or fewer is described by its titles
NAMED_PUBLISHERS = 3
TITLE_CHARS = 60


@dataclass(frozen=True, slots=True)
class Overview:
    """The count, a few short titles and the most frequent publishers (with how many more)."""

    count: int
    titles: tuple[str, ...]
    publishers: tuple[str, ...]
    other_publishers: int


def overview(documents: Mapping[str, Document]) -> Overview:
    """The corpus summed up for one sentence of a welcome or a decline; read from the names,
    titles and publishers, so no document's text is decoded (a 5,000-file corpus's first
    decline decoded every one, a quarter of a second)."""
    publishers = (publisher_of(documents, name).strip() for name in documents)
    counts = Counter(p for p in publishers if p)
    named = tuple(short_title(name, TITLE_CHARS)
                  for name, _ in counts.most_common(NAMED_PUBLISHERS))
    titles = tuple(short_title(title_of(documents, name), TITLE_CHARS)
                   for name in islice(documents, NAMED_TITLES))
    return Overview(len(documents), titles, named, len(counts) - len(named))
