"""Pure scoring functions of `citatbot eval`: relevance, rank metrics, right answers, faithfulness.

Relevance and rightness follow ARCHITECTURE.md: a passage is relevant when it contains one of the
gold answers, an answer is right when its quotes contain one; both compare whitespace collapsed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from bot.answer import Quote
from bot.evaluation.gold import collapse
from retrieval.passage import Document, Hit

MRR_CUTOFF = 10
HOLDOUT_DIGITS = "0123"  # last hex digit of sha1(id): 4 of 16, about a quarter held out


def is_relevant(text: str, answers: Iterable[str]) -> bool:
    """True when `text` contains one of the answers, whitespace collapsed."""
    flat = collapse(text)
    return any(collapse(a) in flat for a in answers)


def first_relevant(hits: Sequence[Hit], answers: Sequence[str]) -> int | None:
    """1-based rank of the first relevant hit, or None when no hit is relevant."""
    return next((n for n, h in enumerate(hits, 1) if is_relevant(h.passage.text, answers)), None)


def recall_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of pairs with a relevant passage in the top k; None for no pairs."""
    return share(r is not None and r <= k for r in ranks)


def mrr(ranks: Sequence[int | None], cutoff: int = MRR_CUTOFF) -> float | None:
    """Mean reciprocal rank of the first relevant passage, 0 beyond the cutoff."""
    if not ranks:
        return None
    return sum(1 / r for r in ranks if r is not None and r <= cutoff) / len(ranks)


def names_premise(word: str, premise: Sequence[str]) -> bool:
    """A word the answer says is missing is (part of) a wrong detail of the question: "2022"
    of "våren 2022"."""
    word = word.casefold()
    return any(word in wrong.casefold() or wrong.casefold() in word for wrong in premise)


def share(flags: Iterable[bool]) -> float | None:
    """Share of true flags; None when there are none at all."""
    values = list(flags)
    return sum(values) / len(values) if values else None


def quoted_stretches(quotes: Sequence[Quote], documents: Mapping[str, Document]) -> list[str]:
    """The quoted text, with quotes that stand next to each other in a file joined into one."""
    stretches: list[tuple[str, int, str]] = []  # (doc, end, text)
    for q in sorted(quotes, key=lambda q: (q.doc, q.start)):
        if stretches and stretches[-1][0] == q.doc:
            doc, end, text = stretches[-1]
            gap = documents[doc].raw[end:q.start] if q.start >= end else None
            if gap is not None and not gap.strip():
                stretches[-1] = (doc, q.end, f"{text} {q.text}")
                continue
        stretches.append((q.doc, q.end, q.text))
    return [text for _, _, text in stretches]


def is_right(quotes: Sequence[Quote], answers: Sequence[str],
             documents: Mapping[str, Document]) -> bool:
    """True when the quotes (adjacent ones joined) contain one of the gold answers."""
    return any(is_relevant(text, answers) for text in quoted_stretches(quotes, documents))


class FileCheck:
    """Checks quotes against the files on disk, reading each file once per run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._raw: dict[str, str | None] = {}

    def raw(self, doc: str) -> str | None:
        """The file's text as the contract reads it, or None when it cannot be read."""
        if doc not in self._raw:
            try:
                with open(self.folder / doc, encoding="utf-8") as handle:
                    self._raw[doc] = handle.read()
            except (OSError, UnicodeDecodeError):
                self._raw[doc] = None
        return self._raw[doc]

    def faithful(self, quote: Quote) -> bool:
        """True when raw[start:end] of the quote's file is exactly its text."""
        raw = self.raw(quote.doc)
        return raw is not None and raw[quote.start:quote.end] == quote.text


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation), None for no values."""
    return float(np.percentile(values, q)) if len(values) else None


def in_holdout(pair_id: str) -> bool:
    """Stable split: the last hex digit of sha1(id) puts about a quarter in the holdout."""
    return hashlib.sha1(pair_id.encode("utf-8")).hexdigest()[-1] in HOLDOUT_DIGITS
