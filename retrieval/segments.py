"""An index brought up to date without a rebuild, as search engines do it (Lucene's segments
and deletions): the saved index of an earlier corpus, its documents since removed or changed
masked, searched beside a small segment holding the documents added or changed since.

The saved index records the documents it was built from (names, digests of their passages,
rows; retrieval/table.py). A document of today's corpus with the same name and digest has the
same passages: its rows are mapped to today's. Every other document of the base is masked, and
every document today's corpus has that the base has not is analysed into the segment. BM25
reads both as one corpus (SegmentedPostings): the number of passages and their lengths are
today's, a term's document frequency counts live passages only, and a term no live passage
holds leaves the vocabulary; so the scores are those of an index built anew, to the bit
(bm25.okapi_idf sums exactly, in any order).

The segment, the masks and the base's key are saved beside the index (`…-segment.npz`), so the
next start reads them. A segment that outgrows a quarter of the base, or `citatbot index`,
makes a new base.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.bm25 import Contributions, Postings
from retrieval.table import PassageTable

# A segment may hold (and mask) this share of the base's passages, or this many, whichever is
# more; beyond, the index is built anew.
SEGMENT_SHARE = 0.25
SEGMENT_MIN = 2_000


@dataclass(frozen=True, slots=True)
class Base:
    """The documents a saved index was built from: names, passage digests and rows."""

    names: list[str]
    digests: list[str]
    first: np.ndarray

    @classmethod
    def of(cls, table: PassageTable) -> Base:
        return cls(list(table.names), list(table.digests), np.asarray(table.first))

    def header(self) -> dict:
        return {"names": self.names, "digests": self.digests}


@dataclass(frozen=True, slots=True)
class Plan:
    """How today's corpus meets a base: each base row's row today (-1: masked) and today's
    documents that are not in the base, to be analysed."""

    main_rows: np.ndarray
    added: list[int]
    added_rows: np.ndarray

    @property
    def changed(self) -> int:
        """Passages to analyse plus passages masked."""
        return len(self.added_rows) + int(np.count_nonzero(self.main_rows < 0))


def plan(base: Base, table: PassageTable) -> Plan:
    """Match today's documents to the base's by name and digest."""
    today = {(name, digest): d for d, (name, digest) in enumerate(zip(table.names, table.digests))}
    main_rows = np.full(int(base.first[-1]), -1, dtype=np.int64)
    kept: set[int] = set()
    for d, key in enumerate(zip(base.names, base.digests)):
        e = today.get(key)
        count = int(base.first[d + 1] - base.first[d])
        if e is None or count != int(table.first[e + 1] - table.first[e]):
            continue
        kept.add(e)
        start = int(table.first[e])
        main_rows[int(base.first[d]):int(base.first[d + 1])] = np.arange(start, start + count)
    added = [e for e in range(len(table.names)) if e not in kept
             and table.first[e + 1] > table.first[e]]
    rows = [np.arange(int(table.first[e]), int(table.first[e + 1])) for e in added]
    return Plan(main_rows, added, np.concatenate([np.empty(0, dtype=np.int64), *rows]))


def worth_a_segment(change: Plan, base_rows: int) -> bool:
    """Whether the change is small enough to search beside the base."""
    return change.changed <= max(SEGMENT_MIN, SEGMENT_SHARE * base_rows)


def masked_frequencies(main: Postings, main_rows: np.ndarray) -> np.ndarray:
    """How many masked passages hold each of the base's terms."""
    dead = main_rows < 0
    if not dead.any():
        return np.zeros(len(main.vocabulary), dtype=np.int64)
    positions = np.flatnonzero(dead[main.doc_ids])
    terms = np.searchsorted(main.indptr, positions, side="right") - 1
    return np.bincount(terms, minlength=len(main.vocabulary))


class SegmentedPostings:
    """A base index (its rows mapped to today's, masked ones left out) and a segment (its rows
    mapped to today's), read as the postings of today's corpus (bm25.PostingLists). Its
    scores are computed as questions ask: the saved ones are the base's corpus's."""

    contributions: Contributions | None = None

    def __init__(self, main: Postings, main_rows: np.ndarray, segment: Postings,
                 segment_rows: np.ndarray, num_docs: int, masked_df: np.ndarray) -> None:
        self.main, self.segment = main, segment
        self.main_rows, self.segment_rows = main_rows, segment_rows
        self.masked_df = masked_df
        main_index = {t: i for i, t in enumerate(main.vocabulary)}
        in_main = np.array([main_index.get(t, -1) for t in segment.vocabulary], dtype=np.int64)
        df = main.doc_freq() - masked_df
        shared = in_main >= 0
        segment_df = segment.doc_freq()
        df[in_main[shared]] += segment_df[shared]
        segment_of_main = np.full(len(main.vocabulary), -1, dtype=np.int64)
        segment_of_main[in_main[shared]] = np.flatnonzero(shared)
        live = np.flatnonzero(df > 0)
        new = np.flatnonzero(~shared)
        self.vocabulary = [main.vocabulary[i] for i in live.tolist()] + [
            segment.vocabulary[j] for j in new.tolist()]
        self._main_tid = np.concatenate([live, np.full(len(new), -1, dtype=np.int64)])
        self._segment_tid = np.concatenate([segment_of_main[live], new])
        self._df = np.concatenate([df[live], segment_df[new]])
        alive = main_rows >= 0
        self._all_alive = bool(alive.all())  # nothing masked: no filtering of postings
        # Nothing masked and nothing added before the base's last row: rows are the base's.
        self._same_rows = self._all_alive and bool(
            np.array_equal(main_rows, np.arange(len(main_rows))))
        doc_len = np.zeros(num_docs, dtype=np.int32)
        doc_len[main_rows[alive]] = main.doc_len[alive]
        doc_len[segment_rows] = segment.doc_len
        self.doc_len = doc_len

    @property
    def num_docs(self) -> int:
        return len(self.doc_len)

    def doc_freq(self) -> np.ndarray:
        return self._df

    def term(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        """The term's live passages (today's rows, ascending) and its frequency in each."""
        rows, tfs = [], []
        if (m := int(self._main_tid[tid])) >= 0:
            ids, freq = self.main.term(m)
            mapped = ids.astype(np.intp) if self._same_rows else self.main_rows[ids]
            if not self._all_alive:
                alive = mapped >= 0
                mapped, freq = mapped[alive], freq[alive]
            rows.append(mapped)
            tfs.append(freq)
        if (s := int(self._segment_tid[tid])) >= 0:
            ids, freq = self.segment.term(s)
            rows.append(self.segment_rows[ids])
            tfs.append(freq)
        if len(rows) == 1:
            return rows[0], tfs[0]
        merged, merged_tfs = np.concatenate(rows), np.concatenate(tfs)
        order = np.argsort(merged, kind="stable")
        return merged[order], merged_tfs[order]


def segment_path(path: Path) -> Path:
    """Where the segment of the index at `path` is kept."""
    return path.with_name(f"{path.stem}-segment{path.suffix}")


def segment_arrays(key: str, base_key: str, segmented: SegmentedPostings) -> dict[str, np.ndarray]:
    """What save_npz writes of a segment: its postings, the row maps and the masked counts."""
    segment = segmented.segment
    header = {"key": key, "base": base_key, "documents": segment.num_docs,
              "vocabulary": len(segment.vocabulary), "postings": len(segment.doc_ids),
              "rows": segmented.num_docs}
    return {"header": _json(header), "vocabulary": _json(segment.vocabulary),
            "indptr": segment.indptr, "doc_ids": segment.doc_ids, "tfs": segment.tfs,
            "doc_len": segment.doc_len, "main_rows": segmented.main_rows,
            "segment_rows": segmented.segment_rows, "masked_df": segmented.masked_df}


def read_segment(data: dict[str, np.ndarray], key: str, base_key: str, main: Postings,
                 num_docs: int) -> SegmentedPostings | None:
    """The segment saved in `data` when it is this corpus's (`key`) over this base; None when
    it is another's or does not hold together."""
    header = json.loads(data["header"].tobytes())
    if header.get("key") != key or header.get("base") != base_key or header.get("rows") != num_docs:
        return None
    segment = Postings(json.loads(data["vocabulary"].tobytes()), data["indptr"],
                       data["doc_ids"], data["tfs"], data["doc_len"])
    main_rows, segment_rows = data["main_rows"], data["segment_rows"]
    masked_df = data["masked_df"]
    n = segment.num_docs
    if (len(main_rows) != main.num_docs or len(segment_rows) != n
            or len(masked_df) != len(main.vocabulary) or len(segment.indptr)
            != len(segment.vocabulary) + 1 or segment.indptr[-1] != len(segment.doc_ids)
            or len(segment.tfs) != len(segment.doc_ids)):
        return None
    rows = np.concatenate([main_rows[main_rows >= 0], segment_rows])
    if len(rows) != num_docs or (len(rows) and (rows.min() < 0 or rows.max() >= num_docs)):
        return None
    if len(segment.doc_ids) and (segment.doc_ids.min() < 0 or segment.doc_ids.max() >= n):
        return None
    if np.any(masked_df < 0) or np.any(masked_df > main.doc_freq()):
        return None
    if len(rows) and int(np.bincount(rows, minlength=num_docs).max()) != 1:
        return None  # each of today's rows is given once
    return SegmentedPostings(main, main_rows, segment, segment_rows, num_docs, masked_df)


def _json(value: object) -> np.ndarray:
    return np.frombuffer(json.dumps(value, ensure_ascii=False).encode(), dtype=np.uint8)
