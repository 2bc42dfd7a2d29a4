"""The loaded corpus kept between starts, so a start reads, cleans and splits only changed files.

Reading, cleaning and splitting every file cost a cached start at 100k passages four fifths
of its time. The snapshot holds what loading made: every document's text as one UTF-8 array,
its passages as the arrays of a PassageTable (retrieval/table.py), and a small JSON record a
document (file size, modification time, content hash, the sources.toml entry it was made with,
its fields, its passages' id stem and digest). The arrays are mapped from the file, not read
(retrieval/mapped.py): a start makes no passage and decodes no text until a question needs it.

A file is trusted by its size and modification time; when only the time changed, or the file
had been written just before it was recorded (the same size could come again at the same
coarse time), its bytes are hashed, and an equal hash keeps it too. Only files that
really changed are read again.

The key covers the loader's code and data and the file size limit: any change there rebuilds
every document. A snapshot that cannot be read is ignored and rewritten.
"""

from __future__ import annotations

import gc
import hashlib
import json
import stat
import time
from collections.abc import Iterator, Mapping, Sequence, Sized
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import numpy as np

from retrieval.formats import Extracted
from retrieval.ingest import Corpus
from retrieval.mapped import mapped_npz
from retrieval.passage import Document, DocumentMaker, Passage
from retrieval.store import LOAD_ERRORS, json_array, save_npz
from retrieval.table import PassageTable, join_tables, passages_digest

FORMAT = 2
# A file modified this recently is checked by its hash (see _racy); 2 s covers the coarsest
# file clocks (FAT) as well as Linux's tick.
RACY_NS = 2_000_000_000
# The modules and data whose behaviour decides what a file becomes.
LOADER_SOURCES = ("snapshot.py", "table.py", "ingest.py", "files.py", "metadata.py",
                  "passage.py", "parallel.py", "formats/__init__.py", "formats/markdown.py",
                  "formats/pdf.py", "formats/webpage.py", "formats/word.py",
                  "data/boilerplate_sv.txt")
FIELDS = ("title", "publisher", "author", "date", "kind", "url")


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a corpus is made: a million passages hold no
    cycles, yet its passes over them took a 1M-passage start two of its five seconds."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def snapshot_key(max_file_bytes: int) -> str:
    """A hash of the loader's sources and data and the size limit: what a snapshot must match."""
    digest = hashlib.sha256(f"{FORMAT}\x1f{max_file_bytes}".encode())
    root = resources.files("retrieval")
    for name in LOADER_SOURCES:
        try:
            digest.update(root.joinpath(name).read_bytes())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


def file_hash(path: Path) -> str | None:
    """A hash of a file's bytes; None when it cannot be read."""
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=20).hexdigest()
    except OSError:
        return None


def _stamp(path: Path) -> tuple[int, int] | None:
    """Size and modification time of a regular file; None for anything else (never hashed)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns) if stat.S_ISREG(info.st_mode) else None


class _Kept:
    """A document of this load: its rows (document `number` of `table`) and what the next
    snapshot keeps of it."""

    __slots__ = ("meta", "record", "made", "table", "number")

    def __init__(self, meta: dict[str, str], record: dict | None,
                 made: tuple[Extracted, Document] | None, table: PassageTable,
                 number: int) -> None:
        self.meta, self.record, self.made = meta, record, made  # made: a fresh one's
        self.table, self.number = table, number


class _Later:
    """A saved document, made when first asked for (a DocumentMaker)."""

    __slots__ = ("snapshot", "record", "title", "publisher", "signature")

    def __init__(self, snapshot: CorpusSnapshot, record: dict) -> None:
        self.snapshot, self.record, self.title = snapshot, record, record["title"]
        self.publisher = record["publisher"]
        # The file's bytes decide its text, pages and origin (under one snapshot key).
        self.signature = (snapshot.key, record["hash"], *(record[f] for f in FIELDS))

    def __call__(self) -> Document:
        return self.snapshot.document(self.record)


class CorpusSnapshot:
    """The documents of the last load, by name (KnownDocuments for load_corpus), and the next
    snapshot as this load makes it."""

    def __init__(self, path: Path | None, key: str, *, trusted: bool = True) -> None:
        self.path = path
        self.key = key
        self._records: dict[str, dict] = {}
        self._table: PassageTable | None = None  # the saved rows, mapped from the file
        self._text = np.empty(0, dtype=np.uint8)
        self._bounds = np.zeros(1, dtype=np.int64)
        self._digest: str | None = None
        self._order: list[str] = []
        self._made: dict[str, _Kept | None] = {}  # None: to be made afresh
        self._passages: PassageTable | None = None
        # Documents made afresh this time: their files' size, time and hash, taken right after
        # reading (None when the file changed meanwhile: the next load reads it again).
        self._fresh: dict[str, tuple[tuple[int, int] | None, str | None]] = {}
        self._unchanged = True  # every document so far came back as it was saved
        if path is not None and trusted:  # not trusted: every file read, the snapshot rewritten
            self._read(path)

    def _read(self, path: Path) -> None:
        try:
            arrays = mapped_npz(path)
            header = json.loads(arrays["header"].tobytes())
            if header.get("format") != FORMAT or header.get("key") != self.key:
                return
            records = header["documents"]
            if not _consistent(arrays, records, header):
                return
            table = PassageTable([r["name"] for r in records], [r["stem"] for r in records],
                                 [r["digest"] for r in records], arrays["first"],
                                 arrays["span_ptr"], arrays["spans"], arrays["heading"],
                                 header["headings"], arrays["author"], header["authors"],
                                 arrays["question"], self._raw)
        except LOAD_ERRORS:
            return
        self._table, self._text, self._bounds = table, arrays["text"], arrays["bounds"]
        self._records = {r["name"]: {**r, "number": n} for n, r in enumerate(records)}
        self._digest = header.get("digest")
        self._order = [r["name"] for r in records]

    # KnownDocuments
    def made(self, name: str, path: Path, meta: dict[str, str]
             ) -> tuple[DocumentMaker, Sized] | None:
        """What makes the document of the last load, and its passages' count, when its file
        (by size and time, else by hash) and its sources.toml entry are unchanged."""
        record = self._current(name, path)
        if record is None or record["meta"] != meta or self._table is None:
            self._unchanged = False
            self._made.setdefault(name, None)  # its place in load order, should it be made
            return None
        number = record["number"]
        self._made[name] = _Kept(meta, record, None, self._table, number)
        first = self._table.first
        return _Later(self, record), range(int(first[number + 1] - first[number]))

    def extracted(self, name: str, path: Path) -> Extracted | None:
        """The file's text of the last load while the file is unchanged."""
        record = self._current(name, path)
        return None if record is None else self._extracted(record)

    def remember(self, name: str, path: Path, meta: dict[str, str], extracted: Extracted,
                 document: Document, passages: Sequence[Passage]) -> None:
        """Keep a document made afresh (its passages a list, or a table) for the next
        snapshot."""
        self._unchanged = False
        table = passages if isinstance(passages, PassageTable) else PassageTable.of_document(
            document, passages)
        self._made[name] = _Kept(meta, None, (extracted, document), table, 0)
        self._fresh[name] = _fresh_stamp(path)

    def passages(self, documents: Mapping[str, Document]) -> PassageTable:
        """Every passage of the documents made or remembered, in load order, their text from
        `documents`."""
        parts = [(k.table, k.number) for k in self._made.values() if k is not None]
        self._passages = join_tables(parts, lambda name: documents[name].raw)
        return self._passages

    def _current(self, name: str, path: Path) -> dict | None:
        """The record of `name` if its file still holds what the record was made from."""
        record = self._records.get(name)
        stamp = _stamp(path)
        if record is None or stamp is None:
            return None
        if tuple(record["stamp"]) == stamp and not record["racy"]:
            return record
        # Another size is another content; the same size at another time may be a touch only.
        if record["stamp"][0] != stamp[0] or file_hash(path) != record["hash"]:
            return None
        racy = _racy(stamp)
        if tuple(record["stamp"]) != stamp or racy != record["racy"]:
            record["stamp"], record["racy"] = list(stamp), racy  # trust the new time from now on
            self._unchanged = False
        return record

    def _raw(self, name: str) -> str:
        """A saved document's text."""
        n = self._records[name]["number"]
        return self._text[int(self._bounds[n]):int(self._bounds[n + 1])].tobytes().decode("utf-8")

    def _extracted(self, record: dict) -> Extracted:
        return Extracted(self._raw(record["name"]), tuple(record["pages"]),
                         tuple(map(tuple, record["origin"])), dict(record["own"]))

    def document(self, record: dict) -> Document:
        """A saved document, its text decoded."""
        extracted = self._extracted(record)
        return Document(name=record["name"], raw=extracted.text, pages=extracted.pages,
                        origin=extracted.origin, **{f: record[f] for f in FIELDS})

    def finish(self, corpus: Corpus) -> Corpus:
        """The corpus with its passages' digest, the snapshot rewritten when anything changed
        (a read-only or full disk only costs the next start the reading)."""
        names = [name for name, kept in self._made.items() if kept is not None]
        if self._unchanged and names == self._order and self._digest:
            corpus.digest = self._digest
            return corpus
        corpus.digest = passages_digest(corpus.passages)
        if self.path is not None and self._passages is not None:
            try:
                self._write(self.path, corpus.digest, self._passages)
            except OSError:
                pass
        return corpus

    def _write(self, path: Path, digest: str, table: PassageTable) -> None:
        texts, records = [], []
        made = [(name, kept) for name, kept in self._made.items() if kept is not None]
        for d, (name, kept) in enumerate(made):
            if kept.made is not None:
                stamp, hashed = self._fresh[name]
                if stamp is None:
                    continue  # written meanwhile: left out, so the next load reads it again
                extracted, document = kept.made
                texts.append(np.frombuffer(extracted.text.encode("utf-8"), dtype=np.uint8))
                record = {"name": name, "stamp": list(stamp), "hash": hashed,
                          "racy": _racy(stamp), "meta": kept.meta,
                          "own": dict(extracted.meta), "pages": list(extracted.pages),
                          "origin": [list(o) for o in extracted.origin],
                          **{f: getattr(document, f) for f in FIELDS}}
            else:
                assert kept.record is not None
                n = kept.record["number"]
                texts.append(self._text[int(self._bounds[n]):int(self._bounds[n + 1])])
                record = {k: v for k, v in kept.record.items() if k != "number"}
            record.update(stem=table.stems[d], digest=table.digests[d], row=d)
            records.append(record)
        rows = [r.pop("row") for r in records]
        if len(rows) != len(table.names):  # a file left out: its rows go too
            table = join_tables([(table, d) for d in rows], table.text)
        bounds = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in texts], out=bounds[1:])
        header = {"format": FORMAT, "key": self.key, "digest": digest, "documents": records,
                  "headings": table.headings, "authors": table.authors}
        save_npz(path, {"header": json_array(header),
                        "text": np.concatenate([np.empty(0, dtype=np.uint8), *texts]),
                        "bounds": bounds, "first": table.first, "span_ptr": table.span_ptr,
                        "spans": table.spans, "heading": table.heading,
                        "author": table.author, "question": table.question})


def _racy(stamp: tuple[int, int]) -> bool:
    """Whether a file was written so shortly before now that another write of the same size
    could still get the same time (file clocks tick coarsely): its hash is checked, not its
    time, until it is older (git's "racy clean" files)."""
    return time.time_ns() - stamp[1] < RACY_NS


def _fresh_stamp(path: Path) -> tuple[tuple[int, int] | None, str | None]:
    """Size, time and hash of a file read this time; None when it changes while hashed (its
    next load reads it again)."""
    before = _stamp(path)
    hashed = file_hash(path)
    return (before, hashed) if before is not None and before == _stamp(path) else (None, None)


def _consistent(arrays: dict[str, np.ndarray], records: list, header: dict) -> bool:
    """Shapes and ranges agree, so no damaged snapshot can slice out of bounds."""
    bounds, text, first = arrays["bounds"], arrays["text"], arrays["first"]
    span_ptr, spans = arrays["span_ptr"], arrays["spans"]
    heading, author = arrays["heading"], arrays["author"]
    n = len(heading)
    kinds = (bounds.dtype.kind, first.dtype.kind, span_ptr.dtype.kind, spans.dtype.kind,
             heading.dtype.kind, author.dtype.kind, arrays["question"].dtype.kind)
    if kinds != ("i", "i", "i", "i", "i", "i", "b") or spans.ndim != 2 or spans.shape[1:] != (2,):
        return False
    if len(bounds) != len(records) + 1 or bounds[0] != 0 or bounds[-1] != len(text):
        return False
    if len(first) != len(records) + 1 or first[0] != 0 or first[-1] != n:
        return False
    if np.any(np.diff(bounds) < 0) or np.any(np.diff(first) < 0):
        return False
    if len(span_ptr) != n + 1 or len(author) != n or len(arrays["question"]) != n:
        return False
    if span_ptr[0] != 0 or span_ptr[-1] != len(spans) or np.any(np.diff(span_ptr) < 1):
        return False
    return (n == 0 or (int(heading.max()) < len(header["headings"])
                       and int(author.max()) < len(header["authors"])
                       and int(heading.min()) >= 0 and int(author.min()) >= 0))
