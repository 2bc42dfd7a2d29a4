"""The sentence benchmark's re-scorers (benchmarks/sentences.py) on tables built by hand."""

from __future__ import annotations

import numpy as np

from benchmarks.sentence_features import FEATURES
from benchmarks.sentences import Table, fit_pairwise, near_tie_cosine, today, top1
from bot.evaluation.gold import GoldPair

PAIR = GoldPair("x", "Vem?", ("svar",), None, True, "who", 1)
COSINE = FEATURES.index("cosine")


def marked_tables(feature: int, count: int = 40) -> list[Table]:
    """Questions whose answering sentence is the one `feature` marks, today ranked last."""
    rng = np.random.default_rng(7)
    tables = []
    for _ in range(count):
        rows = rng.normal(0, 0.1, (3, len(FEATURES)))
        rows[2, feature] += 1.0
        label = np.array([False, False, True])
        tables.append(Table(PAIR, rows, np.array([1.0, 0.95, 0.9]), label, label))
    return tables


def test_pairwise_fit_learns_the_feature_that_marks_the_answer():
    train = marked_tables(COSINE)
    w = fit_pairwise(train, l2=0.01)
    assert w[COSINE] == max(w) > 0
    scorer = lambda rows, old: old * np.exp(rows @ w)  # noqa: E731
    assert top1(train, today) == 0.0 and top1(train, scorer) == 1.0


def test_the_closest_in_meaning_leads_only_from_a_near_tie():
    rows = np.zeros((3, len(FEATURES)))
    rows[:, COSINE] = [0.3, 0.5, 0.9]
    old = np.array([1.0, 0.97, 0.5])
    assert int(np.argmax(near_tie_cosine(0.05)(rows, old))) == 1
    assert int(np.argmax(near_tie_cosine(0.05, lead=0.3)(rows, old))) == 0
    assert int(np.argmax(near_tie_cosine(0.6)(rows, old))) == 2
