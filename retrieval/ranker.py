"""The learned ranker: a linear score over features of the fused ranking's best candidates.

The hand-tuned fusion (Retriever.fuse) weighs few signals by hand. A linear listwise ranker,
trained on the dev sets' answerable questions (benchmarks/ranker.py --train), reorders the
union of the best passages by fused score, by lexical score and by meaning, reading what the
search already computed (each field's score, the question's coverage in the passage and its
document, names left out) and a few cheap flags of the passage (holds a figure, a date, a
reason; its length and place in its document). Its weights live in retrieval/data/ranker.json.

A passage's neighbours in its document count too (their fused scores): an answer often follows
the paragraph that repeats the question's words ("Om undersökningen" → the survey's dates).
Held out across the six dev sets (python -m benchmarks.ranker), they put 9 more of 445 answers
first and 7 more in the top five; blind sets, read once: R@5 A 0.854 → 0.876, D 0.899 → 0.921,
E 0.849 → 0.889, G 0.902 → 0.943; R@1 A −1, B −3, C +5, E +1, F +2, G +3 questions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from retrieval.asks import ASKS_DATE, ASKS_NUMBER, ASKS_WHY, HAS_DATE, HAS_REASON, holds_figure
from retrieval.errors import RankerInvalid
from retrieval.passage import Passage
from retrieval.query import Query
from retrieval.selection import top_k
from retrieval.semantic import meaning

RANKER_FILE = "data/ranker.json"
# How many of each ranking join the candidates: fused, lexical, meaning.
DEPTHS = (30, 10, 10)
FEATURES = ("fused", "words", "grams", "cosine", "sentence", "own_cover", "doc_cover",
            "doc_share", "names_out", "names_out_doc", "asks", "number_figure", "date_date",
            "why_reason", "log_length", "first", "position", "english_cosine", "fused_rank",
            "prev_fused", "next_fused")


@dataclass(frozen=True, slots=True)
class LearnedRanker:
    """Weights over standardised features; `trained_on` and `command` say where they came from."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    trained_on: tuple[str, ...] = ()
    command: str = ""

    @classmethod
    def load(cls, path: Path | None = None) -> LearnedRanker:
        """The ranker in `path` (default: the one shipped in retrieval/data/ranker.json).

        Raises RankerInvalid, naming the file, when it cannot be read or does not fit FEATURES."""
        source = path or resources.files("retrieval").joinpath(RANKER_FILE)
        try:
            data = json.loads(source.read_text("utf-8"))
            names = tuple(data["features"])
            arrays = [np.asarray(data[key], dtype=float) for key in ("mean", "scale", "weights")]
            trained_on, command = tuple(data.get("trained_on", ())), str(data.get("command", ""))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise RankerInvalid(path=str(source), reason=f"{type(exc).__name__}: {exc}") from exc
        if names != FEATURES:
            raise RankerInvalid(path=str(source), reason=f"features {list(names)} are not "
                                f"the {len(FEATURES)} the code computes: {list(FEATURES)}")
        for key, array in zip(("mean", "scale", "weights"), arrays):
            if array.shape != (len(FEATURES),) or not np.isfinite(array).all():
                raise RankerInvalid(path=str(source), reason=f"{key} is not {len(FEATURES)} "
                                    "finite numbers")
        if (arrays[1] <= 0).any():
            raise RankerInvalid(path=str(source), reason="a scale is not positive")
        return cls(*arrays, trained_on=trained_on, command=command)

    def to_json(self) -> str:
        """The ranker as load reads it."""
        return json.dumps({"features": list(FEATURES), "mean": self.mean.tolist(),
                           "scale": self.scale.tolist(), "weights": self.weights.tolist(),
                           "trained_on": list(self.trained_on), "command": self.command},
                          indent=1) + "\n"

    def scores(self, features: np.ndarray) -> np.ndarray:
        """The learned score of each candidate (a row of FEATURES each)."""
        return ((features - self.mean) / self.scale) @ self.weights


@dataclass(frozen=True, slots=True)
class PassageFlags:
    """What the features read of each passage: its place in its document, known for every
    passage at once, and what its text holds (a figure, a date, a reason; its length), read
    only for the passages a question's candidates reach, once each: reading every passage's
    text on the first question cost 0.44 s at 10,000 passages."""

    passages: Sequence[Passage]
    read: np.ndarray  # the text flags below are known
    figure: np.ndarray
    date: np.ndarray
    reason: np.ndarray
    log_length: np.ndarray
    position: np.ndarray  # place in its document, 0 (first) to just under 1
    prev: np.ndarray  # the row of the passage before in its document, or -1
    next: np.ndarray  # the row of the passage after in its document, or -1

    @property
    def first(self) -> np.ndarray:
        """The passage opens its document: none comes before it."""
        return self.prev < 0

    @classmethod
    def of(cls, passages: Sequence[Passage]) -> PassageFlags:
        """Each passage's place (its document's passages are consecutive or not, either way);
        the text flags are read by `reach`."""
        n = len(passages)
        place, seen, docs = np.zeros(n), {}, []
        prev, after, last = np.full(n, -1, np.intp), np.full(n, -1, np.intp), {}
        for i, passage in enumerate(passages):
            place[i] = seen.get(passage.doc, 0)
            seen[passage.doc] = place[i] + 1
            docs.append(passage.doc)
            if (j := last.get(passage.doc, -1)) >= 0:
                prev[i], after[j] = j, i
            last[passage.doc] = i
        count = np.array([seen[d] for d in docs], dtype=float)
        return cls(passages, np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool),
                   np.zeros(n, bool), np.zeros(n), place / np.maximum(count, 1.0), prev, after)

    def reach(self, rows: np.ndarray) -> None:
        """Read the text flags of the `rows` not read before."""
        for i in rows[~self.read[rows]].tolist():
            text = self.passages[i].text
            self.figure[i] = holds_figure(text)
            self.date[i] = HAS_DATE.search(text) is not None
            self.reason[i] = HAS_REASON.search(text) is not None
            self.log_length[i] = math.log(1 + len(text))
            self.read[i] = True


@dataclass(frozen=True, slots=True)
class Signals:
    """What the search computes for one question, over every passage, kept apart."""

    fused: np.ndarray
    lexical: np.ndarray
    words: np.ndarray
    grams: np.ndarray
    cosine: np.ndarray
    sentence: np.ndarray  # each passage's best sentence cosine
    factors: np.ndarray  # (groups, documents), as DocumentTopics.factors
    doc_cover: np.ndarray  # each document's share of the question


def candidates(s: Signals, share: float, k: int) -> np.ndarray:
    """The union of the best passages by fused score (at least k), by lexical score and by
    meaning (the passage's cosine mixed with its best sentence's, as fused), positive fused
    score only, best first by fused score (ties: lower row first)."""
    ids = np.flatnonzero(s.fused > 0)
    mixed = (1 - share) * s.cosine[ids] + share * s.sentence[ids]
    rows = set()
    for values, depth in zip((s.fused[ids], s.lexical[ids], mixed),
                             (max(DEPTHS[0], k), *DEPTHS[1:])):
        rows.update(top_k(ids, values, depth)[0].tolist())
    return np.array(sorted(rows, key=lambda r: (-s.fused[r], r)), dtype=np.intp)


def fused_ranks(fused: np.ndarray, rows: np.ndarray, known: int) -> np.ndarray:
    """Each row's 0-based place in the whole ranking by fused score (ties: lower row first);
    the first `known` rows are that ranking's first (as `candidates` gives them), only the
    rest are counted."""
    rest = [np.count_nonzero(fused > fused[r]) + np.count_nonzero(fused[:r] == fused[r])
            for r in rows[known:].tolist()]
    return np.concatenate([np.arange(min(known, len(rows))), rest]).astype(float)


def features(query: Query, s: Signals, rows: np.ndarray, own: np.ndarray, doc: np.ndarray,
             flags: PassageFlags, questions: np.ndarray, doc_factor: float,
             floor: float) -> np.ndarray:
    """FEATURES of each candidate row (as `candidates` gives them), one row each. `own` is each
    row's factor for each of the query's groups in the passage itself, `doc` each row's
    document number."""
    weights = np.array([g.weight for g in query.groups]) / (query.total or 1.0)
    names = [i for i, g in enumerate(query.groups) if g.name and not g.context]
    asks = [p.search(query.text) is not None for p in (ASKS_NUMBER, ASKS_DATE, ASKS_WHY)]
    in_doc = s.factors[:, doc].T  # (rows, groups)
    cosine = meaning(s.cosine[rows], floor)
    out = np.empty((len(rows), len(FEATURES)))
    best = s.fused.max() or 1.0
    out[:, 0] = s.fused[rows] / best
    out[:, 1] = s.words[rows] / (s.words.max() or 1.0)
    out[:, 2] = s.grams[rows] / (s.grams.max() or 1.0)
    out[:, 3] = cosine
    out[:, 4] = meaning(s.sentence[rows], floor)
    out[:, 5] = own @ weights
    out[:, 6] = np.maximum(own, doc_factor * in_doc) @ weights
    out[:, 7] = s.doc_cover[doc]
    out[:, 8] = (own[:, names] == 0).sum(axis=1) / max(len(names), 1)
    out[:, 9] = (in_doc[:, names] == 0).sum(axis=1) / max(len(names), 1)
    out[:, 10] = questions[rows]
    out[:, 11] = asks[0] & flags.figure[rows]
    out[:, 12] = asks[1] & flags.date[rows]
    out[:, 13] = asks[2] & flags.reason[rows]
    out[:, 14] = flags.log_length[rows]
    out[:, 15] = flags.first[rows]
    out[:, 16] = flags.position[rows]
    out[:, 17] = float(query.english) * cosine
    out[:, 18] = 1.0 / (1.0 + fused_ranks(s.fused, rows, DEPTHS[0]))
    for col, side in ((19, flags.prev[rows]), (20, flags.next[rows])):
        out[:, col] = np.where(side >= 0, s.fused[side] / best, 0.0)
    return out
