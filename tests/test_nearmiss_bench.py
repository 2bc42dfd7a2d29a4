"""The near-miss benchmark's classifier, threshold and cross-validation (benchmarks/nearmiss.py)
on rows built by hand."""

from __future__ import annotations

import numpy as np

from benchmarks.nearmiss import (
    FEATURES,
    TEST_SETS,
    Row,
    cross_validate,
    fit,
    logistic,
    single,
    threshold,
)
from bot.evaluation.gold import GoldPair

PAIR = GoldPair("x", "Vad heter pappan?", (), None, False, "nearmiss", 1)
SHARE = FEATURES.index("document_share")
GATE = FEATURES.index("name_absent_passage")
COUNTS = {"nearmiss": 20, "nearmiss_ok": 0, "answerable": 20, "right": 20, "right_noted": 0}


def rows(seed: int = 3) -> list[Row]:
    """In every set, near misses whose document holds less of the question than right answers'."""
    rng = np.random.default_rng(seed)
    out = []
    for name in (*TEST_SETS, "dev paraphrased"):
        for nearmiss in (True, False):
            for _ in range(20):
                x = rng.normal(0, 0.1, len(FEATURES))
                x[SHARE] += 0.5 if nearmiss else 1.0
                x[GATE] = 1.0
                out.append(Row(name, PAIR, nearmiss, not nearmiss, False, x, ()))
    return out


def test_threshold_flags_at_most_the_cap_and_never_splits_a_tie():
    scores = np.array([5.0, 4.0, 4.0, 1.0, 0.0] + [0.0] * 45)
    assert (scores > threshold(scores, 0.03)).sum() == 1
    assert (scores > threshold(scores, 0.05)).sum() == 1  # 2 allowed, but 4.0 comes twice
    assert (scores > threshold(scores, 0.08)).sum() == 4


def test_logistic_fit_weighs_the_feature_that_tells_near_misses():
    data = rows()
    x = np.array([r.features for r in data])
    y = np.array([r.nearmiss for r in data], dtype=float)
    w, _ = fit((x - x.mean(0)) / (x.std(0) + 1e-9), y, l2=1.0)
    assert w[SHARE] == min(w) < 0


def test_cross_validation_flags_near_misses_of_the_held_out_set_within_the_cap():
    counts = dict.fromkeys(TEST_SETS, COUNTS)
    for make in (logistic(("document_share",), 1.0),
                 single("document_share", -1.0, ("name_absent_passage",))):
        folds = cross_validate(rows(), counts, 0.03, make)
        assert set(folds) == set(TEST_SETS)
        for fold in folds.values():
            assert fold["right_newly_noted"] <= 1
            assert fold["nearmiss_newly_noted"] >= 15
            assert fold["noted_after"] >= 0.75


def test_a_gate_that_fails_flags_nothing():
    data = [Row(r.set, r.pair, r.nearmiss, r.right, r.noted,
                np.where(np.arange(len(FEATURES)) == GATE, 0.0, r.features), ()) for r in rows()]
    folds = cross_validate(data, dict.fromkeys(TEST_SETS, COUNTS), 0.03,
                           single("document_share", -1.0, ("name_absent_passage",)))
    assert all(f["nearmiss_newly_noted"] == 0 for f in folds.values())
