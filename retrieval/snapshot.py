"""The loaded corpus kept between starts, so a start reads, cleans and splits only changed files.

Reading, cleaning and splitting every file cost a cached start at 100k passages four fifths
of its time. The snapshot holds what loading made: every document's text as one UTF-8 array,
each passage as numbers into it (document, spans, heading, author), and a small JSON record a
document (file size, modification time, content hash, the sources.toml entry it was made with,
its fields). A file is trusted by its size and modification time; when only the time changed,
or the file had been written just before it was recorded (the same size could come again at
the same coarse time), its bytes are hashed, and an equal hash keeps it too. Only files that
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
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import numpy as np

from retrieval.formats import Extracted
from retrieval.ingest import Corpus, passage_id, passage_stem
from retrieval.passage import Document, Passage
from retrieval.store import LOAD_ERRORS, json_array, open_npz, passages_digest, save_npz

FORMAT = 1
# A file modified this recently is checked by its hash (see _racy); 2 s covers the coarsest
# file clocks (FAT) as well as Linux's tick.
RACY_NS = 2_000_000_000
# The modules and data whose behaviour decides what a file becomes.
LOADER_SOURCES = ("snapshot.py", "ingest.py", "files.py", "metadata.py", "passage.py",
                  "formats/__init__.py", "formats/markdown.py", "formats/pdf.py",
                  "formats/webpage.py", "formats/word.py", "data/boilerplate_sv.txt")
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


class CorpusSnapshot:
    """The documents of the last load, by name (KnownDocuments for load_corpus), and the next
    snapshot as this load makes it."""

    def __init__(self, path: Path | None, key: str, *, trusted: bool = True) -> None:
        self.path = path
        self.key = key
        self._records: dict[str, dict] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._lists: dict[str, list] = {}
        self._digest: str | None = None
        self._order: list[str] = []
        self._made: dict[str, tuple[dict, Extracted, Document, list[Passage]]] = {}
        # Documents made afresh this time: their files' size, time and hash, taken right after
        # reading (None when the file changed meanwhile: the next load reads it again).
        self._fresh: dict[str, tuple[tuple[int, int] | None, str | None]] = {}
        self._unchanged = True  # every document so far came back as it was saved
        if path is not None and trusted:  # not trusted: every file read, the snapshot rewritten
            self._read(path)

    def _read(self, path: Path) -> None:
        try:
            with open_npz(path) as data:
                header = json.loads(data["header"].tobytes())
                if header.get("format") != FORMAT or header.get("key") != self.key:
                    return
                arrays = {k: data[k] for k in ("text", "bounds", "p_doc", "p_heading",
                                               "p_author", "span_ptr", "spans")}
        except LOAD_ERRORS:
            return
        records = header["documents"]
        if not _consistent(arrays, records, header):
            return
        self._arrays = arrays
        spans = arrays["spans"]
        self._lists = {"headings": header["headings"], "authors": header["authors"],
                       "span_ptr": arrays["span_ptr"].tolist(),
                       "spans": list(zip(spans[:, 0].tolist(), spans[:, 1].tolist())),
                       "p_heading": arrays["p_heading"].tolist(),
                       "p_author": arrays["p_author"].tolist()}
        self._records = {r["name"]: {**r, "number": n} for n, r in enumerate(records)}
        self._digest = header.get("digest")
        self._order = [r["name"] for r in records]

    # KnownDocuments
    def made(self, name: str, path: Path, meta: dict[str, str]
             ) -> tuple[Document, list[Passage]] | None:
        """The document and passages of the last load, when its file (by size and time, else
        by hash) and its sources.toml entry are unchanged."""
        record = self._current(name, path)
        if record is None or record["meta"] != meta:
            self._unchanged = False
            return None
        extracted = self._extracted(record)
        document = Document(name=name, raw=extracted.text, pages=extracted.pages,
                            origin=extracted.origin, **{f: record[f] for f in FIELDS})
        passages = self._passages(record, document)
        self._made[name] = (meta, extracted, document, passages)
        return document, passages

    def extracted(self, name: str, path: Path) -> Extracted | None:
        """The file's text of the last load while the file is unchanged."""
        record = self._current(name, path)
        return None if record is None else self._extracted(record)

    def remember(self, name: str, path: Path, meta: dict[str, str], extracted: Extracted,
                 document: Document, passages: list[Passage]) -> None:
        """Keep a document made afresh for the next snapshot."""
        self._unchanged = False
        self._made[name] = (meta, extracted, document, passages)
        self._fresh[name] = _fresh_stamp(path)

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

    def _extracted(self, record: dict) -> Extracted:
        bounds, n = self._arrays["bounds"], record["number"]
        text = self._arrays["text"][int(bounds[n]):int(bounds[n + 1])].tobytes().decode("utf-8")
        return Extracted(text, tuple(record["pages"]), tuple(map(tuple, record["origin"])),
                         dict(record["own"]))

    def _passages(self, record: dict, document: Document) -> list[Passage]:
        lists, raw, name = self._lists, document.raw, document.name
        ptr, spans, stem = lists["span_ptr"], lists["spans"], passage_stem(name)
        headings, authors = lists["headings"], lists["authors"]
        p_heading, p_author = lists["p_heading"], lists["p_author"]
        out = []
        for number, i in enumerate(range(record["first"], record["first"] + record["count"]), 1):
            a, b = ptr[i], ptr[i + 1]
            if b - a == 1:  # most passages are one span: skip the join
                s, e = spans[a]
                own, text = (spans[a],), raw[s:e]
            else:
                own = tuple(spans[a:b])
                text = "\n".join([raw[s:e] for s, e in own])
            out.append(Passage(passage_id(stem, number), name, headings[p_heading[i]], own,
                               text, authors[p_author[i]]))
        return out

    def finish(self, corpus: Corpus) -> Corpus:
        """The corpus with its passages' digest, the snapshot rewritten when anything changed
        (a read-only or full disk only costs the next start the reading)."""
        names = list(self._made)
        if self._unchanged and names == self._order and self._digest:
            corpus.digest = self._digest
            return corpus
        corpus.digest = passages_digest(corpus.passages)
        if self.path is not None:
            try:
                self._write(self.path, corpus.digest)
            except OSError:
                pass
        return corpus

    def _write(self, path: Path, digest: str) -> None:
        texts, records, headings, authors = [], [], {"": 0}, {"": 0}
        p_doc, p_heading, p_author, span_ptr, spans = [], [], [], [0], []
        for name, (meta, extracted, document, passages) in self._made.items():
            if name in self._fresh:
                stamp, hashed = self._fresh[name]
                if stamp is None:
                    continue
                racy = _racy(stamp)
            else:
                old = self._records[name]
                stamp, hashed, racy = old["stamp"], old["hash"], old["racy"]
            texts.append(extracted.text.encode("utf-8"))
            records.append({"name": name, "stamp": list(stamp), "hash": hashed, "racy": racy,
                            "meta": meta,
                            "own": dict(extracted.meta), "pages": list(extracted.pages),
                            "origin": [list(o) for o in extracted.origin],
                            "first": len(p_doc), "count": len(passages),
                            **{f: getattr(document, f) for f in FIELDS}})
            for p in passages:
                p_doc.append(len(records) - 1)
                p_heading.append(headings.setdefault(p.heading, len(headings)))
                p_author.append(authors.setdefault(p.author, len(authors)))
                spans.extend(p.spans)
                span_ptr.append(len(spans))
        blob = b"".join(texts)
        bounds = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in texts], out=bounds[1:])
        header = {"format": FORMAT, "key": self.key, "digest": digest, "documents": records,
                  "headings": list(headings), "authors": list(authors)}
        save_npz(path, {"header": json_array(header),
                        "text": np.frombuffer(blob, dtype=np.uint8),
                        "bounds": bounds, "p_doc": np.asarray(p_doc, dtype=np.int32),
                        "p_heading": np.asarray(p_heading, dtype=np.int32),
                        "p_author": np.asarray(p_author, dtype=np.int32),
                        "span_ptr": np.asarray(span_ptr, dtype=np.int64),
                        "spans": np.asarray(spans, dtype=np.int64).reshape(-1, 2)})



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
    bounds, text = arrays["bounds"], arrays["text"]
    n = len(arrays["p_doc"])
    if len(bounds) != len(records) + 1 or bounds[0] != 0 or bounds[-1] != len(text):
        return False
    if np.any(np.diff(bounds) < 0) or len(arrays["span_ptr"]) != n + 1:
        return False
    if arrays["span_ptr"][-1] != len(arrays["spans"]) or np.any(np.diff(arrays["span_ptr"]) < 1):
        return False
    firsts = np.cumsum([0] + [r["count"] for r in records])
    if firsts[-1] != n or [r["first"] for r in records] != firsts[:-1].tolist():
        return False
    return (n == 0 or (int(arrays["p_heading"].max()) < len(header["headings"])
                       and int(arrays["p_author"].max()) < len(header["authors"])
                       and int(arrays["p_heading"].min()) >= 0
                       and int(arrays["p_author"].min()) >= 0))
