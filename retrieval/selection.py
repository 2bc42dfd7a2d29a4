"""The k best of many scores, without sorting them all and, when a score is a lexical score
times factors known to lie below a bound, without computing every final score.

Both give exactly what a stable sort of every final score gives (best first, ties by id): what
they leave out is shown, by a sample, to lie strictly below the k-th best.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# top_k first drops what cannot be among the best, by the k-th best of every SAMPLE_STEP-th
# value, when there are more than SAMPLED_TOP times k values.
SAMPLE_STEP = 16
SAMPLED_TOP = 4 * SAMPLE_STEP
# A threshold on lexical scores is lowered by this share, far more than the few roundings
# between a lexical score and its final score can move it (2^-53 each).
MARGIN = 2.0 ** -40


def kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest of `values` (1 ≤ k ≤ len(values)), by partial selection."""
    return float(values[np.argpartition(values, len(values) - k)[len(values) - k]])


def top_k(ids: np.ndarray, values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k largest values, best first; equal values keep the order of `ids` (ascending)."""
    if k >= 1 and len(values) > SAMPLED_TOP * k:
        # The k-th largest of every SAMPLE_STEP-th value is no larger than the k-th largest of
        # all: the values below it cannot be among the k best, and one comparison drops them
        # before the selection (a 1M corpus gives a common word's question 600k candidates).
        sample = values[::SAMPLE_STEP]
        if len(sample) >= k:
            keep = values >= kth_largest(sample, k)
            ids, values = ids[keep], values[keep]
    if len(values) > k:
        # Ties at the cut may keep a few more; the stable sort decides.
        keep = values >= kth_largest(values, k)
        ids, values = ids[keep], values[keep]
    order = np.argsort(-values, kind="stable")[:k]
    return ids[order], values[order]


def top_weighed(lexical: np.ndarray, k: int,
                weigh: Callable[[np.ndarray, np.ndarray], np.ndarray],
                bound: float) -> tuple[np.ndarray, np.ndarray]:
    """The k best passages with a positive lexical score by their final scores, as top_k over
    all of them gives them; `weigh(rows, lexical[rows])` gives the final scores of `rows`
    (ascending), each the lexical score times factors (rounded after each) whose product is at
    most `bound`. A 1M-passage question's common word gives 600k such passages: the final
    scores of a sample set a floor, and only the passages whose lexical score times `bound`
    reaches it are weighed."""
    floor = 0.0
    if k >= 1 and len(lexical) > SAMPLED_TOP * k and bound > 0:
        rows = np.flatnonzero(lexical[::SAMPLE_STEP] > 0) * SAMPLE_STEP
        if len(rows) >= k:
            floor = kth_largest(weigh(rows, lexical[rows]), k)
    if floor > 0:
        # A final score is at most fl(fl(lexical × factor) × factor …) ≤ lexical × bound
        # × (1 + 2^-53)^n: below the lowered threshold it is below the floor, which the k-th
        # best of all reaches (the sample is some of all). So what is left out is strictly
        # below the k best and ties none of them.
        rows = np.flatnonzero(lexical >= floor / bound * (1.0 - MARGIN))
    else:
        rows = np.flatnonzero(lexical > 0)
    return top_k(rows, weigh(rows, lexical[rows]), k)
