"""Synthetic Swedish-like corpora for exactness tests and benchmarks, as term lists.

Terms are drawn with the word frequencies of a real analysed corpus and passages get the lengths
of its passages, with a fixed seed. Term lists are generated directly (no text, no analyzer), so a
million passages take seconds; `synthetic_documents` turns them into Passages and Documents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.passage import Document, Passage


@dataclass(frozen=True, slots=True)
class SyntheticCorpus:
    """Passages as term ids into `vocabulary`: passage i is term_ids[offsets[i]:offsets[i + 1]]."""

    vocabulary: list[str]
    term_ids: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def docs(self) -> list[list[str]]:
        """Each passage as a list of terms (repeats kept), as an analyzer returns them."""
        flat = np.array(self.vocabulary, dtype=object)[self.term_ids]
        bounds = self.offsets.tolist()
        return [flat[a:b].tolist() for a, b in zip(bounds[:-1], bounds[1:])]


def synthetic_corpus(model: Sequence[Sequence[str]], size: int, seed: int = 6) -> SyntheticCorpus:
    """`size` passages with the term frequencies and passage lengths of the `model` term lists."""
    counts = Counter(t for terms in model for t in terms)
    vocabulary = sorted(counts)
    freq = np.array([counts[t] for t in vocabulary], dtype=np.float64)
    rng = np.random.default_rng(seed)
    lengths = rng.choice(np.array([len(t) for t in model if t]), size=size)
    offsets = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    term_ids = rng.choice(len(vocabulary), size=int(offsets[-1]), p=freq / freq.sum())
    return SyntheticCorpus(vocabulary, term_ids.astype(np.int32), offsets)


def synthetic_queries(model: Sequence[Sequence[str]], count: int, seed: int = 7) -> list[list[str]]:
    """Questions' terms: 2 to 6 consecutive distinct terms of a random `model` passage."""
    rng = np.random.default_rng(seed)
    usable = [t for t in model if len(t) >= 2]
    queries = []
    for _ in range(count):
        terms = usable[int(rng.integers(len(usable)))]
        width = int(rng.integers(2, 7))
        start = int(rng.integers(max(len(terms) - width, 0) + 1))
        queries.append(list(dict.fromkeys(terms[start:start + width])))
    return queries


def synthetic_documents(corpus: SyntheticCorpus, per_document: int = 300, separator: str = "\n\n"
                        ) -> tuple[list[Passage], dict[str, Document]]:
    """The corpus as citatbot's data: passage i's text is its terms joined by spaces, and every
    `per_document` consecutive passages are the paragraphs of one Document, each passage's span
    pointing into that document's raw text. A title is its first passage's first three terms."""
    flat = np.array(corpus.vocabulary, dtype=object)
    bounds = corpus.offsets.tolist()
    passages: list[Passage] = []
    documents: dict[str, Document] = {}
    for first in range(0, len(corpus), per_document):
        name = f"syn{first // per_document:05d}"
        last = min(first + per_document, len(corpus))
        # One document's terms at a time, so no term list of the whole corpus is ever held.
        terms = flat[corpus.term_ids[bounds[first]:bounds[last]]].tolist()
        texts = [" ".join(terms[bounds[i] - bounds[first]:bounds[i + 1] - bounds[first]])
                 for i in range(first, last)]
        start = 0
        for n, text in enumerate(texts):
            passages.append(Passage(f"{name}-p{n:03d}", name, "", ((start, start + len(text)),),
                                    text))
            start += len(text) + len(separator)
        title = " ".join(texts[0].split()[:3]) if texts else name
        documents[name] = Document(name, separator.join(texts), title)
    return passages, documents


def blank_passages(count: int) -> list[Passage]:
    """`count` passages with ids and no text, for a field that needs only their number and ids
    (the semantic vectors), so their own memory stays out of its measurement."""
    return [Passage(f"b{i:07d}", "blank", "", ((0, 1),), "") for i in range(count)]


def unit_vectors(rows: int, dim: int, seed: int = 8) -> np.ndarray:
    """Random float32 rows of length one, standing in for an encoder's embeddings."""
    vectors = np.random.default_rng(seed).standard_normal((rows, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors
