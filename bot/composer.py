"""Choose the sentences that answer, and decline when the evidence is too thin.

Every quote is one sentence span of a raw file (sentences never cross a passage span), so
raw[start:end] == text holds by construction; two sentences are two quotes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from bot.answer import Answer, Quote
from retrieval.analyzer import SwedishAnalyzer
from retrieval.passage import Document, Hit, Passage
from retrieval.sentences import split_sentences

# A quote on the first page must carry at least this share of the best sentence's score, so weak
# filler sentences never pad an answer; "mer" pages through the rest.
RELATIVE_FLOOR = 0.35
HEADING_WEIGHT = 0.5


class Composer:
    """Ranks the sentences of the top hits by the query weight they carry."""

    def __init__(
        self,
        documents: Mapping[str, Document],
        analyzer: SwedishAnalyzer,
        *,
        max_quotes: int,
        min_coverage: float,
    ) -> None:
        if max_quotes < 1:
            raise ValueError(f"max_quotes must be at least 1, got {max_quotes}")
        if not 0.0 <= min_coverage <= 1.0:
            raise ValueError(f"min_coverage must lie in [0, 1], got {min_coverage}")
        self.documents = documents
        self.analyzer = analyzer
        self.max_quotes = max_quotes
        self.min_coverage = min_coverage

    def coverage(self, weights: Mapping[str, float], terms: frozenset[str]) -> float:
        """Share of the question's weight that a passage's terms match."""
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0

    def compose(
        self,
        question: str,
        weights: Mapping[str, float],
        hits: Sequence[Hit],
        top_terms: frozenset[str],
    ) -> Answer:
        """An answer with the best sentences, or a decline when the top passage is too weak."""
        if not hits or self.coverage(weights, top_terms) < self.min_coverage:
            return Answer(question, "decline", hits=tuple(hits))
        ranked = self.rank_sentences(weights, hits)
        if not ranked:
            return Answer(question, "decline", hits=tuple(hits))
        floor = ranked[0][0] * RELATIVE_FLOOR
        candidates = [quote for _, quote in ranked]
        quotes = tuple(q for s, q in ranked[: self.max_quotes] if s >= floor)
        return Answer(
            question,
            "answer",
            quotes=quotes,
            hits=tuple(hits),
            more_available=len(candidates) > len(quotes),
            candidates=tuple(candidates),
        )

    def rank_sentences(
        self, weights: Mapping[str, float], hits: Sequence[Hit]
    ) -> list[tuple[float, Quote]]:
        """Every sentence of the hits that matches the question, with its score, best first."""
        total = sum(weights.values()) or 1.0
        top_score = hits[0].score or 1.0
        scored: list[tuple[float, int, Quote]] = []
        for rank, hit in enumerate(hits):
            raw = self.documents[hit.passage.doc].raw
            heading = {t.term for t in self.analyzer.tokens(hit.passage.heading)}
            for quote, matched in self._sentences(hit.passage, raw, weights):
                extra = sum(weights[t] for t in heading - matched if t in weights) * HEADING_WEIGHT
                share = (sum(weights[t] for t in matched) + extra) / total
                if matched:
                    score = share * math.sqrt(hit.score / top_score)
                    quote = Quote(quote.passage, quote.start, quote.end, quote.text, hit.score,
                                  quote.marks)
                    scored.append((score, rank, quote))
        scored.sort(key=lambda row: (-row[0], row[1], row[2].start))
        return [(s, q) for s, _, q in scored]

    def _sentences(self, passage: Passage, raw: str, weights: Mapping[str, float]):
        for span_start, span_end in passage.spans:
            for start, end in split_sentences(raw[span_start:span_end], span_start):
                text = raw[start:end]
                marks, matched = [], set()
                for token in self.analyzer.tokens(text):
                    if token.term in weights:
                        marks.append((token.start, token.end))
                        matched.add(token.term)
                yield Quote(passage, start, end, text, 0.0, tuple(marks)), matched
