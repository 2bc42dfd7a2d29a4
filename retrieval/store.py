"""The persisted index: one .npz file of plain arrays and a JSON header, never a pickle.

The header carries a key: a hash of the corpus files (names, sizes, modification times), of
every indexed passage and of the analyzer (class, source, settings, terms of a probe text). A file
whose key differs, or that cannot be read or fails a consistency check, is rebuilt, never trusted.
The file is written to a temporary name and renamed, so a crash never leaves half a file.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np
from numpy.lib.npyio import NpzFile

from retrieval.analyzer import Analyzer
from retrieval.bm25 import B, BM25Scorer, Contributions, PostingLists, Postings
from retrieval.index import PassageIndex, analyze_passages
from retrieval.ingest import file_manifest, named_corpus_files
from retrieval.mapped import mapped_npz
from retrieval.segments import (
    Base,
    SegmentedPostings,
    masked_frequencies,
    plan,
    read_segment,
    segment_arrays,
    segment_path,
    worth_a_segment,
)
from retrieval.passage import Passage
from retrieval.table import PassageTable, join_tables, passages_digest

FORMAT = 2  # 2: each posting's score saved with it
# Owner-only: the cache holds the corpus's text, which may be more private than its folder.
CACHE_MODE = 0o600
T = TypeVar("T")
# What reading a missing, truncated or tampered .npz can raise: each means "rebuild".
LOAD_ERRORS = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile)
# Swedish words that exercise case, compounds, stop words, numbers and stems: if an analyzer's
# behaviour changes, its terms for this text usually change too.
PROBE_TEXT = ("Socialtjänsten i Umeå kostar 1,6 miljarder kronor – individ- och familjeomsorgen, "
              "Barn- och ungdomspsykiatrin och SKR:s 13:00-möten; ÖVERSÄTTNINGAR av äldreboendena.")


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheStats:
    """What `citatbot index` reports of any field it built or loaded from its cache file."""

    passages: int
    seconds: float
    path: Path | None = None
    bytes: int = 0
    reused: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexStats(CacheStats):
    """A BM25 field's: its vocabulary and postings."""

    vocabulary: int
    postings: int


def index_path(corpus_dir: Path, cache_dir: Path | None = None) -> Path:
    """Where the persisted word index of a corpus folder lives: one file per folder, named by
    the folder and a hash of its absolute path, in `cache_dir` (default: .cache/citatbot beside
    the folder). Other fields of the same corpus go beside it with a suffix."""
    corpus = corpus_dir.resolve()
    folder = cache_dir or corpus.parent / ".cache" / "citatbot"
    tag = hashlib.sha256(str(corpus).encode()).hexdigest()[:12]
    return folder / f"index-{corpus.name}-{tag}.npz"


def extraction_path(corpus_dir: Path, cache_dir: Path | None = None) -> Path:
    """Where the extracted text of a folder's PDF, HTML, Word and Markdown files is kept."""
    return index_path(corpus_dir, cache_dir).with_suffix(".extracted.json")


def snapshot_path(corpus_dir: Path, cache_dir: Path | None = None) -> Path:
    """Where the snapshot of a folder's loaded documents and passages is kept."""
    return index_path(corpus_dir, cache_dir).with_suffix(".corpus.snapshot")


def analyzer_fingerprint(analyzer: Analyzer) -> str:
    """A hash of the analyzer's class, its module source, its simple settings and a probe's terms."""
    cls = type(analyzer)
    parts = [f"{cls.__module__}.{cls.__qualname__}", str(getattr(analyzer, "version", ""))]
    try:
        parts.append(hashlib.sha256(Path(inspect.getfile(cls)).read_bytes()).hexdigest())
    except (OSError, TypeError):
        parts.append("no-source")
    for name, value in sorted(getattr(analyzer, "__dict__", {}).items()):
        if isinstance(value, (str, int, float, bool, tuple, frozenset)):
            shown = sorted(value) if isinstance(value, frozenset) else value
            parts.append(f"{name}={shown!r}")
    parts.append("\x1f".join(analyzer.terms(PROBE_TEXT)))
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()


def corpus_manifest(folder: Path) -> list[tuple[str, int, int]]:
    """Name, size and modification time (ns) of every corpus file of a folder; a file removed
    while the folder is read is left out (the change that removed it brings a rebuild)."""
    return file_manifest(named_corpus_files(folder))


def cache_key(passages: Sequence[Passage], analyzer: Analyzer, folder: Path | None = None,
              digest: str | None = None,
              manifest: list[tuple[str, int, int]] | None = None) -> str:
    """The key a persisted index must carry to be used for these passages and this analyzer;
    `digest` is passages_digest(passages) and `manifest` corpus_manifest(folder) when the
    caller already has them (one hash and one walk of the folder a start)."""
    if manifest is None:
        manifest = corpus_manifest(folder) if folder and folder.is_dir() else []
    payload = [FORMAT, analyzer_fingerprint(analyzer), manifest,
               digest or passages_digest(passages)]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def save_postings(path: Path, postings: Postings, key: str, analyzer: str = "",
                  base: Base | None = None) -> int:
    """Write the arrays and header atomically; returns the file's size in bytes. `analyzer`
    (its fingerprint) and `base` (the documents indexed) let a later corpus be searched as
    this index and a segment (retrieval/segments.py)."""
    header = {"format": FORMAT, "key": key, "documents": postings.num_docs,
              "vocabulary": len(postings.vocabulary), "postings": len(postings.doc_ids),
              "analyzer": analyzer}
    arrays = {"header": json_array(header), "vocabulary": json_array(postings.vocabulary),
              "indptr": postings.indptr, "doc_ids": postings.doc_ids,
              "tfs": postings.tfs, "doc_len": postings.doc_len}
    if (scored := postings.contributions) is not None:
        header["scored"] = {"k1": scored.k1, "b": scored.b, "epsilon": scored.epsilon}
        arrays.update(header=json_array(header), contributions=scored.values)
    if base is not None:
        arrays.update(base=json_array(base.header()), base_first=base.first)
    return save_npz(path, arrays)


def save_npz(path: Path, arrays: Mapping[str, np.ndarray]) -> int:
    """Write `arrays` as one .npz under a temporary name, then rename; returns the size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        named: dict[str, Any] = dict(arrays)  # numpy's stubs mistake ** for allow_pickle
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **named)
        os.chmod(tmp, CACHE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path.stat().st_size


def load_postings(path: Path, key: str) -> Postings | None:
    """The persisted postings if the file exists, is intact and carries `key`; else None."""
    found = _load(path, lambda header: header.get("key") == key)
    return None if found is None else found[0]


def _load(path: Path, wanted: Callable[[dict], bool]
          ) -> tuple[Postings, dict, dict[str, np.ndarray]] | None:
    """The persisted postings, header and arrays if the file is intact and its header is
    `wanted`; else None."""
    try:
        data = mapped_npz(path)  # mapped: a posting list is read when a question touches it
        header = json.loads(data["header"].tobytes())
        if header.get("format") != FORMAT or not wanted(header):
            return None
        scored = header.get("scored")
        contributions = None if scored is None else Contributions(
            float(scored["k1"]), float(scored["b"]), float(scored["epsilon"]),
            data["contributions"])
        postings = Postings(json.loads(data["vocabulary"].tobytes()), data["indptr"],
                            data["doc_ids"], data["tfs"], data["doc_len"], contributions)
        return (postings, header, data) if _consistent(postings, header) else None
    except LOAD_ERRORS:
        return None


@contextmanager
def open_npz(path: Path) -> Iterator[NpzFile]:
    """The .npz archive at `path`, read without pickle; raises one of LOAD_ERRORS when broken."""
    # Open the file ourselves: np.load leaves its own handle open when a zip is broken.
    with open(path, "rb") as handle:
        _stored_only(handle)
        with _npz(np.load(handle, allow_pickle=False)) as data:
            yield data


def _stored_only(handle: BinaryIO) -> None:
    """Refuse an archive with a compressed member: np.savez stores its arrays as they are, so a
    deflated member is not ours, and inflating one (a 3 MB "zip bomb" grew to 6 GB) is what
    must not happen before the file is found wrong."""
    with zipfile.ZipFile(handle) as archive:
        for member in archive.infolist():
            if member.compress_type != zipfile.ZIP_STORED or member.file_size != member.compress_size:
                raise ValueError(f"{member.filename} is compressed: not an index citatbot wrote")
    handle.seek(0)


def _npz(loaded: object) -> NpzFile:
    """The archive np.load opened; a lone .npy array is no index."""
    if not isinstance(loaded, NpzFile):
        raise ValueError("not an .npz archive")
    return loaded


def _consistent(p: Postings, header: dict) -> bool:
    """Shapes, kinds and ranges agree, so no corrupt array can index out of bounds."""
    kinds = (p.indptr.dtype.kind, p.doc_ids.dtype.kind, p.tfs.dtype.kind, p.doc_len.dtype.kind)
    if kinds != ("i", "i", "u", "i") or not isinstance(p.vocabulary, list):
        return False
    n, v = len(p.doc_len), len(p.vocabulary)
    if (n, v, len(p.doc_ids)) != (header["documents"], header["vocabulary"], header["postings"]):
        return False
    if len(p.indptr) != v + 1 or p.indptr[0] != 0 or p.indptr[-1] != len(p.doc_ids):
        return False
    if len(p.tfs) != len(p.doc_ids) or np.any(np.diff(p.indptr) < 0):
        return False
    if p.contributions is not None and (p.contributions.values.dtype != np.float64
                                        or len(p.contributions.values) != len(p.doc_ids)):
        return False
    return len(p.doc_ids) == 0 or (int(p.doc_ids.min()) >= 0 and int(p.doc_ids.max()) < n)


def json_array(value: object) -> np.ndarray:
    """`value` as JSON in a uint8 array, so a header travels in an .npz without pickle."""
    return np.frombuffer(json.dumps(value, ensure_ascii=False).encode(), dtype=np.uint8)


def open_index(
    passages: Sequence[Passage],
    analyzer: Analyzer,
    path: Path | None,
    *,
    folder: Path | None = None,
    rebuild: bool = False,
    progress: Callable[[int], None] | None = None,
    b: float = B,
    digest: str | None = None,
    manifest: list[tuple[str, int, int]] | None = None,
    workers: int = 1,
) -> tuple[PassageIndex, IndexStats]:
    """The index from `path` when its key matches; else the saved index of an earlier corpus
    with a segment of what changed since (retrieval/segments.py) when the change is small;
    else built (on `workers` processes when large). Whatever is made is saved."""
    started = time.perf_counter()
    key = cache_key(passages, analyzer, folder, digest, manifest) if path else ""
    postings: PostingLists | None = None
    size, reused = 0, False
    if path is not None and not rebuild:
        postings = load_postings(path, key)
        reused = postings is not None
        if postings is None:
            postings, reused = _segmented(path, key, passages, analyzer, progress, workers)
        size = _size(path) + (_size(segment_path(path)) if not isinstance(postings, Postings)
                              else 0)
    if postings is None:
        built = analyze_passages(passages, analyzer, progress, workers)
        if path is not None:  # each posting's score, saved so no question computes it
            built = replace(built, contributions=BM25Scorer(built, b=b).all_contributions())
        postings = built
        if path is not None:
            base = Base.of(passages) if isinstance(passages, PassageTable) else None
            try:
                size = save_postings(path, built, key, analyzer_fingerprint(analyzer), base)
                segment_path(path).unlink(missing_ok=True)
            except OSError:
                size = 0
    index = PassageIndex(passages, analyzer, postings=postings, b=b)
    stats = IndexStats(passages=len(passages), vocabulary=len(postings.vocabulary),
                       postings=_posting_count(postings), seconds=time.perf_counter() - started,
                       path=path, bytes=size, reused=reused)
    return index, stats


def _segmented(path: Path, key: str, passages: Sequence[Passage], analyzer: Analyzer,
               progress: Callable[[int], None] | None, workers: int
               ) -> tuple[SegmentedPostings | None, bool]:
    """The saved index and a segment of what changed since it was built, and whether the
    segment was saved as it is (else it was made now, and saved); (None, False) when the saved
    index is another analyzer's, records no documents, or the change is too large."""
    if not isinstance(passages, PassageTable):
        return None, False
    fingerprint = analyzer_fingerprint(analyzer)
    found = _load(path, lambda header: header.get("analyzer") == fingerprint)
    if found is None or "base" not in found[2]:
        return None, False
    main, header, data = found
    try:
        saved = mapped_npz(segment_path(path))
        kept = read_segment(saved, key, header["key"], main, len(passages))
    except LOAD_ERRORS:
        kept = None
    if kept is not None:
        return kept, True
    try:
        names = json.loads(data["base"].tobytes())
        base = Base(names["names"], names["digests"], data["base_first"])
        if len(base.names) + 1 != len(base.first) or base.first[-1] != main.num_docs:
            return None, False
    except LOAD_ERRORS:
        return None, False
    change = plan(base, passages)
    if not worth_a_segment(change, main.num_docs):
        return None, False
    added = join_tables([(passages, d) for d in change.added], passages.text)
    segment = (analyze_passages(added, analyzer, progress, workers) if len(added)
               else Postings([], np.zeros(1, dtype=np.int64), np.empty(0, dtype=np.int32),
                             np.empty(0, dtype=np.uint8), np.empty(0, dtype=np.int32)))
    segmented = SegmentedPostings(main, change.main_rows, segment, change.added_rows,
                                  len(passages), masked_frequencies(main, change.main_rows))
    try:
        save_npz(segment_path(path), segment_arrays(key, header["key"], segmented))
    except OSError:
        pass
    return segmented, False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _posting_count(postings: PostingLists) -> int:
    return int(postings.doc_freq().sum())


def load_or_build(path: Path | None, rebuild: bool, load: Callable[[], T | None],
                  build: Callable[[], T], save: Callable[[T], int]) -> tuple[T, int, bool]:
    """A cached value: loaded from `path` when it is there and trusted, else built and saved.

    Returns the value, the file's size (0 when nothing could be saved) and whether it was
    loaded. A read-only or full disk only costs the next start a rebuild."""
    value = None if rebuild or path is None else load()
    if value is not None and path is not None:
        return value, path.stat().st_size, True
    value = build()
    try:
        size = save(value) if path is not None else 0
    except OSError:
        size = 0
    return value, size, False
