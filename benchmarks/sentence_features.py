"""Features of the composer's candidate sentences, for benchmarks/sentences.py.

What the composer has, or could cheaply have, about each sentence it may quote first; the
benchmark fits re-scorers on them (score × exp(w · features), so w = 0 is today's order). It
reads the composer's analysed passages (`Composer._layout`), as only a benchmark should.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from retrieval.asks import ASKS_DATE, ASKS_NUMBER, ASKS_WHY, HAS_REASON
from retrieval.passage import Hit
from retrieval.query import Query
from retrieval.semantic import meaning

if TYPE_CHECKING:
    from bot.answer import Quote
    from bot.composer import Composer

FEATURES = (
    "log_score",       # log of today's score over the best candidate's: how sure today is
    "cosine",          # the sentence's cosine to the question, rescaled (0 when unknown)
    "cosine_gap",      # that minus the best candidate's: how far from the closest in meaning
    "best_in_passage",  # the closest in meaning of its passage
    "lexical",         # share of the question's weight the sentence alone holds
    "context",         # what its paragraph, heading and document add to that share
    "hit_factor",      # sqrt(hit score / top score)
    "top_hit",         # a sentence of the best passage
    "hit_rank",        # log(1 + the passage's rank)
    "type_match",      # a figure or date asked for and held
    "figure",          # holds a figure, asked or not
    "asks",            # a question itself
    "item",            # a list item
    "fragment",        # a headline, dateline, caption
    "first",           # the first sentence of its passage
    "length",          # log(characters / 100)
    "name",            # holds a name of the question
    "colon",           # a lead-in ending in a colon
    "why_reason",      # a "varför" question, and the sentence holds a reason word
    "english_cosine",  # the cosine again when the question is English (its cosines run lower)
    "who_name",        # a "vem"/"vilka" question, and the sentence names someone it does not
    "quoted",          # opens with a quotation mark or a dash: a pull quote or a reply
)
ASKS_WHO = re.compile(r"\b(vem|vilka|who)\b", re.IGNORECASE)


def features(composer: Composer, query: Query, hits: Sequence[Hit],
             similarity: Mapping[tuple[str, int], float],
             in_document: Mapping[str, Sequence[float]], quotes: Sequence[Quote],
             scores: Sequence[float]) -> np.ndarray:
    """One row of FEATURES for each quote (a candidate of `composer.rank_sentences`, with its
    score there)."""
    tune = composer.tuning
    indices = [i for i, g in enumerate(query.groups) if not g.context] or list(
        range(len(query.groups)))
    own = [query.groups[i] for i in indices]
    total = sum(g.weight for g in own) or 1.0
    rank = {h.passage.id: i for i, h in enumerate(hits)}
    score = {h.passage.id: h.score for h in hits}
    top = hits[0].score or 1.0
    wants_number = bool(ASKS_NUMBER.search(query.text))
    wants_date = bool(ASKS_DATE.search(query.text))
    why = bool(ASKS_WHY.search(query.text))
    who = bool(ASKS_WHO.search(query.text))
    matchable = query.match_terms()
    best: dict[str, float] = {}
    cosines = []
    for q in quotes:
        c = similarity.get((q.doc, q.start))
        c = float(meaning(c, tune.semantic_floor)) if c is not None else 0.0
        cosines.append(c)
        best[q.passage.id] = max(best.get(q.passage.id, 0.0), c)
    top_cosine = max(cosines, default=0.0)
    best_score = max(scores, default=0.0) or 1.0
    rows = np.zeros((len(quotes), len(FEATURES)))
    for n, q in enumerate(quotes):
        layout = composer._layout(q.passage)
        index = next(i for i, s in enumerate(layout.sentences) if s.start == q.start)
        s = layout.sentences[index]
        lexical = sum(g.weight * g.factor(s.terms) for g in own) / total
        doc = in_document.get(q.doc) if tune.names_from_document else None
        with_context = sum(g.weight * max(g.factor(s.terms),
                                          tune.sentence_context * g.factor(layout.terms),
                                          doc[i] if doc and g.name else 0.0)
                           for i, g in zip(indices, own)) / total
        r = rank[q.passage.id]
        rows[n] = (
            math.log(max(scores[n] / best_score, 1e-3)),
            cosines[n], cosines[n] - top_cosine,
            float(cosines[n] > 0 and cosines[n] >= best[q.passage.id]),
            lexical, with_context - lexical, math.sqrt(score[q.passage.id] / top), float(r == 0),
            math.log1p(r),
            float((wants_number and s.has_number) or (wants_date and s.has_date)),
            float(s.has_number), float(s.asks), float(s.role == "item"),
            float(s.role == "fragment"), float(index == 0), math.log(max(len(s.text), 10) / 100),
            float(any(g.name and g.factor(s.terms) for g in own)),
            float(s.text.rstrip().endswith(":")),
            float(why and bool(HAS_REASON.search(s.text))),
            cosines[n] if query.english else 0.0,
            float(who and _new_name(s.text, s.tokens, matchable)),
            float(s.text.lstrip()[:1] in "”\"«–—-"),
        )
    return rows


def _new_name(text: str, tokens: Sequence[tuple[str, int, int]],
              known: Mapping[str, float]) -> bool:
    """True when a capitalised word past the sentence's first is not a word of the question."""
    return any(start > tokens[0][1] and text[start:start + 1].isupper() and term not in known
               for term, start, _ in tokens[1:])
