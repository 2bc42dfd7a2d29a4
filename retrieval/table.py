"""A corpus's passages as arrays, each made into a Passage only when it is asked for; its
documents made when first asked for.

A start from the snapshot (retrieval/snapshot.py) made a Passage object for each of a million
passages (three seconds) and decoded every document's text (0.2 GB) before answering one
question, which quotes a dozen passages. The table holds what a passage is made of: its
document, its spans (character offsets into the document's text, `raw[start:end]` is the span),
its heading and comment author, and what start-up asked of every passage (does it ask a
question?), in numpy arrays that the snapshot maps from its file. `table[i]` makes passage i;
`Documents` (retrieval/passage.py) makes a document, decoding its text, when its name is first
looked up.

A passage's id is its document's id stem and its number in the document (ingest.passage_id),
so ids are not stored. Each document also carries the digest of its passages
(`document_digest`), and the corpus digest is made of those: a start with one changed file
hashes that file's passages only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import overload

import numpy as np

from retrieval.ingest import passage_id
from retrieval.passage import Document, Passage, is_question

ID_NUMBER = "-p"  # what parts a passage id's stem from its number (ingest.passage_id)


def indexed_text(passage: Passage) -> str:
    """What a passage is indexed by: its heading and comment author, then its text."""
    return f"{passage.heading}\n{passage.author}\n{passage.text}"


def indexed_texts(passages: Sequence[Passage]) -> Iterator[str]:
    """What each passage is indexed by (indexed_text), a table's without making passages."""
    if isinstance(passages, PassageTable):
        return passages.indexed_texts()
    return (indexed_text(p) for p in passages)


# Rows whose indexed texts are made at a time; and what they are made from: the documents'
# texts, each document's row count, each row's first span (from 0), the spans, each row's
# heading and author.
TEXT_BATCH = 5_000
TextBatch = tuple[list[str], list[int], np.ndarray, np.ndarray, list[str], list[str]]


def batch_texts(batch: TextBatch) -> Iterator[str]:
    """The indexed_text of each row of a batch (PassageTable.text_batches)."""
    raws, counts, ptr, spans, headings, authors = batch
    bounds, pairs = ptr.tolist(), spans.tolist()
    row = 0
    for raw, count in zip(raws, counts):
        for _ in range(count):
            text = "\n".join(raw[s:e] for s, e in pairs[bounds[row]:bounds[row + 1]])
            yield f"{headings[row]}\n{authors[row]}\n{text}"
            row += 1


def document_digest(passages: Iterable[Passage]) -> str:
    """A hash of one document's passages: each one's id and indexed text."""
    digest = hashlib.blake2b(digest_size=20)
    for p in passages:
        digest.update(f"{p.id}\x1f{indexed_text(p)}\x1e".encode())
    return digest.hexdigest()


def combined_digest(digests: Iterable[str]) -> str:
    """The corpus digest from its documents' digests, in corpus order."""
    return hashlib.blake2b("".join(digests).encode(), digest_size=20).hexdigest()


def passages_digest(passages: Sequence[Passage]) -> str:
    """A hash of exactly what the index is built from: every passage's id and indexed text,
    taken a document at a time (a table has them already)."""
    if isinstance(passages, PassageTable):
        return passages.digest()
    runs: list[list[Passage]] = []
    for p in passages:
        if not runs or runs[-1][0].doc != p.doc:
            runs.append([])
        runs[-1].append(p)
    return combined_digest(document_digest(run) for run in runs)


class PassageTable(Sequence[Passage]):
    """Passages as arrays, grouped by document in corpus order; see the module docstring.

    `first[d]:first[d + 1]` are document d's rows; row i's spans are
    `spans[span_ptr[i]:span_ptr[i + 1]]`; `heading[i]` and `author[i]` index `headings` and
    `authors`; `question[i]` says whether the passage asks (passage.is_question). `text(name)`
    gives a document's text, which spans are offsets into."""

    def __init__(self, names: list[str], stems: list[str], digests: list[str],
                 first: np.ndarray, span_ptr: np.ndarray, spans: np.ndarray,
                 heading: np.ndarray, headings: list[str], author: np.ndarray,
                 authors: list[str], question: np.ndarray,
                 text: Callable[[str], str]) -> None:
        self.names, self.stems, self.digests = names, stems, digests
        self.first, self.span_ptr, self.spans = first, span_ptr, spans
        self.heading, self.headings = heading, headings
        self.author, self.authors = author, authors
        self.question = question
        self.text = text
        self._doc: np.ndarray | None = None
        self._by_stem: dict[str, int] | None = None

    @classmethod
    def of_document(cls, document: Document, passages: Sequence[Passage]) -> PassageTable:
        """The rows of one document's freshly made passages (which are its, in order)."""
        stem = id_stem(passages[0].id) if passages else ""
        if any(p.id != passage_id(stem, n) for n, p in enumerate(passages, 1)):
            raise ValueError(f"{document.name}: passage ids not numbered as ingest numbers them")
        headings: dict[str, int] = {}
        authors: dict[str, int] = {}
        spans = [s for p in passages for s in p.spans]
        lengths = [len(p.spans) for p in passages]
        return cls(
            [document.name], [stem], [document_digest(passages)],
            np.array([0, len(passages)], dtype=np.int64),
            np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64),
            np.array(spans, dtype=np.int64).reshape(-1, 2),
            np.array([headings.setdefault(p.heading, len(headings)) for p in passages],
                     dtype=np.int32), list(headings),
            np.array([authors.setdefault(p.author, len(authors)) for p in passages],
                     dtype=np.int32), list(authors),
            np.array([is_question(p.text, document.title) for p in passages], dtype=bool),
            lambda name: document.raw)

    def parts(self) -> tuple:
        """Everything but the text, as plain data a worker process can send back."""
        return (self.names, self.stems, self.digests, self.first, self.span_ptr, self.spans,
                self.heading, self.headings, self.author, self.authors, self.question)

    @classmethod
    def from_parts(cls, parts: tuple, raw: str) -> PassageTable:
        """The rows of one document from `parts`, its text `raw`."""
        return cls(*parts, text=lambda name: raw)

    def with_text(self, text: Callable[[str], str]) -> PassageTable:
        """The same rows with their documents' text from `text`."""
        return PassageTable(self.names, self.stems, self.digests, self.first, self.span_ptr,
                            self.spans, self.heading, self.headings, self.author, self.authors,
                            self.question, text)

    def __len__(self) -> int:
        return len(self.heading)

    @overload
    def __getitem__(self, i: int) -> Passage: ...

    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...

    def __getitem__(self, i: int | slice) -> Passage | list[Passage]:
        if isinstance(i, slice):
            return [self._make(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        j = int(i) + n if i < 0 else int(i)
        if not 0 <= j < n:
            raise IndexError(f"passage {i} of {n}")
        return self._make(j)

    def __iter__(self) -> Iterator[Passage]:
        for j in range(len(self)):
            yield self._make(j)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # a table compares by its passages

    def _make(self, j: int) -> Passage:
        d = int(self.doc_of[j])
        name = self.names[d]
        raw = self.text(name)
        a, b = int(self.span_ptr[j]), int(self.span_ptr[j + 1])
        own = tuple((s, e) for s, e in self.spans[a:b].tolist())
        text = raw[own[0][0]:own[0][1]] if b - a == 1 else "\n".join(raw[s:e] for s, e in own)
        return Passage(passage_id(self.stems[d], j - int(self.first[d]) + 1), name,
                       self.headings[int(self.heading[j])], own, text,
                       self.authors[int(self.author[j])])

    def indexed_texts(self) -> Iterator[str]:
        """Each row's indexed_text, made from the arrays (a build reads every passage once)."""
        for batch in self.text_batches(TEXT_BATCH):
            yield from batch_texts(batch)

    def text_batches(self, size: int) -> Iterator[TextBatch]:
        """The rows in batches of whole documents, about `size` rows each, as the plain data
        batch_texts makes their indexed texts from: in a worker process, which then does
        that work instead of the parent (retrieval/index.py)."""
        first, names = self.first.tolist(), self.names
        d = 0
        while d < len(names):
            e, rows = d, 0
            while e < len(names) and (rows == 0 or rows + first[e + 1] - first[e] <= size):
                rows += first[e + 1] - first[e]
                e += 1
            a, b = first[d], first[e]
            full = [x for x in range(d, e) if first[x + 1] > first[x]]
            ptr = self.span_ptr[a:b + 1]
            yield ([self.text(names[x]) for x in full], [first[x + 1] - first[x] for x in full],
                   ptr - ptr[0], self.spans[int(ptr[0]):int(ptr[-1])],
                   [self.headings[i] for i in self.heading[a:b].tolist()],
                   [self.authors[i] for i in self.author[a:b].tolist()])
            d = e

    @property
    def doc_of(self) -> np.ndarray:
        """Each row's document number (int64)."""
        if self._doc is None:
            self._doc = np.repeat(np.arange(len(self.names), dtype=np.int64),
                                  np.diff(self.first))
        return self._doc

    def document_numbers(self, number: Mapping[str, int]) -> np.ndarray:
        """Each row's document under another numbering of the documents (by name)."""
        ours = np.array([number.get(name, -1) for name in self.names], dtype=np.int64)
        return ours[self.doc_of]

    def find(self, pid: str) -> int | None:
        """The row of the passage with id `pid`, or None."""
        stem, _, number = pid.rpartition(ID_NUMBER)
        if self._by_stem is None:
            self._by_stem = {s: d for d, s in enumerate(self.stems)}
        d = self._by_stem.get(stem)
        if d is None or not number.isdigit():
            return None
        row = int(self.first[d]) + int(number) - 1
        if not int(self.first[d]) <= row < int(self.first[d + 1]):
            return None
        return row if passage_id(stem, int(number)) == pid else None

    def digest(self) -> str:
        """passages_digest of the rows, from each document's digest."""
        sizes = np.diff(self.first).tolist()
        return combined_digest(g for g, size in zip(self.digests, sizes) if size)


def passage_lookup(passages: Sequence[Passage]) -> Callable[[str], Passage | None]:
    """What finds a passage by its id: a table by its arrays, other passages by a map."""
    if isinstance(passages, PassageTable):
        def find(pid: str) -> Passage | None:
            row = passages.find(pid)
            return None if row is None else passages[row]
        return find
    return {p.id: p for p in passages}.get


def id_stem(pid: str) -> str:
    """The stem of a passage id (what ingest.passage_id put before its number)."""
    return pid.rpartition(ID_NUMBER)[0]


def join_tables(parts: Sequence[tuple[PassageTable, int]], text: Callable[[str], str]
                ) -> PassageTable:
    """One table of the documents `parts` names (a table and one of its document numbers),
    in that order; the whole of one table when the parts are all of it, in order."""
    if parts and all(t is parts[0][0] for t, _ in parts) and \
            [d for _, d in parts] == list(range(len(parts[0][0].names))):
        return parts[0][0].with_text(text)
    headings: dict[str, int] = {}
    authors: dict[str, int] = {}
    remap: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    names, stems, digests, counts = [], [], [], []
    ptr_parts, span_parts, heading_parts, author_parts, question_parts = [], [], [], [], []
    span_base = 0
    for table, d in parts:
        if id(table) not in remap:
            remap[id(table)] = (
                np.array([headings.setdefault(h, len(headings)) for h in table.headings],
                         dtype=np.int32),
                np.array([authors.setdefault(a, len(authors)) for a in table.authors],
                         dtype=np.int32))
        to_heading, to_author = remap[id(table)]
        a, b = int(table.first[d]), int(table.first[d + 1])
        s0, s1 = int(table.span_ptr[a]), int(table.span_ptr[b])
        names.append(table.names[d])
        stems.append(table.stems[d])
        digests.append(table.digests[d])
        counts.append(b - a)
        ptr_parts.append(table.span_ptr[a + 1:b + 1] - s0 + span_base)
        span_parts.append(table.spans[s0:s1])
        heading_parts.append(to_heading[table.heading[a:b]])
        author_parts.append(to_author[table.author[a:b]])
        question_parts.append(table.question[a:b])
        span_base += s1 - s0
    first = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum(counts, out=first[1:])
    return PassageTable(
        names, stems, digests, first,
        np.concatenate([np.zeros(1, dtype=np.int64), *ptr_parts]).astype(np.int64),
        np.concatenate([np.empty((0, 2), dtype=np.int64), *span_parts]).astype(np.int64),
        np.concatenate([np.empty(0, dtype=np.int32), *heading_parts]),
        list(headings),
        np.concatenate([np.empty(0, dtype=np.int32), *author_parts]),
        list(authors),
        np.concatenate([np.empty(0, dtype=bool), *question_parts]),
        text)
