"""The learned ranker (retrieval/ranker.py): its shipped weights fit the code, it reorders only
with the semantic field and its knob (Tuning.learned_ranker) on, and it moves a dev B answer to
first place."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.pipeline import Pipeline, known_vectors
from bot.render import Renderer
from bot.settings import DEFAULT_PROMPTS
from bot.terminal.cli import render_error
from retrieval.errors import RankerInvalid
from retrieval.ranker import FEATURES, RANKER_FILE, LearnedRanker
from retrieval.search import Retriever, with_semantic
from retrieval.selection import top_k
from retrieval.tuning import Tuning

N = len(FEATURES)
DEV_SETS = {"gold dev", "paraphrases", "dev B", "near-miss twins", "newsroom", "citizen"}
# dev B d059: today's fusion ranks the answering passage second, the learned ranker first.
MOVED = "vad kallar sandberg sina moten dar personalen far saga vad de vill"
MOVED_ANSWER = "kasta ägg och tomater"
QUESTIONS = ["Vad kostar socialtjänsten i Umeå?", MOVED, "When was the survey on municipal "
             "deficits carried out?", "Varför ifrågasätts Feelgoods granskning?"]


def copy(retriever: Retriever, *, learned: bool = True, semantic: bool = True,
         ranker: LearnedRanker | None = None) -> Retriever:
    """The retriever's fields with another knob, semantic field or ranker."""
    return Retriever(retriever.words, retriever.documents,
                     replace(retriever.tuning, learned_ranker=learned), grams=retriever.grams,
                     topics=retriever.topics, semantic=retriever.semantic if semantic else None,
                     ranker=ranker, digest=retriever.digest)


@pytest.fixture(scope="module")
def ranked(pipeline: Pipeline) -> Pipeline:
    """The bundled pipeline with the learned ranker on (its meaning vectors reused)."""
    return Pipeline.from_settings(pipeline.settings, corpus=pipeline.corpus,
                                  tuning=Tuning(learned_ranker=True), previous=pipeline)


def test_shipped_weights_load_and_fit_the_code() -> None:
    ranker = LearnedRanker.load()
    data = json.loads((Path(__file__).parents[1] / "retrieval" / RANKER_FILE).read_text("utf-8"))
    assert tuple(data["features"]) == FEATURES and ranker.weights.shape == (len(FEATURES),)
    # Trained on the dev sets only: never the gold holdout, never a blind set.
    assert set(ranker.trained_on) == DEV_SETS and "--train" in ranker.command


def test_the_knob_loads_the_shipped_ranker(pipeline: Pipeline, ranked: Pipeline) -> None:
    off = Pipeline.from_settings(pipeline.settings, corpus=pipeline.corpus,
                                 tuning=Tuning(learned_ranker=False), previous=pipeline)
    assert ranked.retriever.ranker is not None and off.retriever.ranker is None
    assert Tuning().learned_ranker  # shipped on


def test_the_knob_on_with_a_broken_file_fails_at_build(ranked: Pipeline, tmp_path: Path) -> None:
    broken = tmp_path / "ranker.json"
    broken.write_text("[]", "utf-8")
    lexical = copy(ranked.retriever, semantic=False)
    with pytest.raises(RankerInvalid, match="ranker.json"):
        with_semantic(lexical, ranked.retriever.semantic.embedder, ranker_file=broken,
                      known=known_vectors(ranked))


@pytest.mark.parametrize("question", QUESTIONS)
def test_knob_off_is_todays_fusion_exactly(ranked: Pipeline, question: str) -> None:
    retriever, query = ranked.retriever, ranked.query(question)
    off = copy(retriever, learned=False, ranker=retriever.ranker).search(query, 10)
    assert off == copy(retriever, ranker=None).search(query, 10)
    vector = retriever.semantic.vector(query.meaning)
    index = retriever.semantic.index
    factors = retriever.topics.factors(query)
    scores = retriever.fuse(retriever.scores(query, factors), index.passage_scores(vector),
                            index.sentence_cosines(vector))
    ids, values = top_k(np.flatnonzero(scores > 0), scores[np.flatnonzero(scores > 0)], 10)
    assert [(h.passage.id, h.score) for h in off.hits] == [
        (retriever.passages[i].id, v) for i, v in zip(ids.tolist(), values.tolist())]


class Refusing(LearnedRanker):
    """A ranker that fails the test if it is ever asked to score."""

    def scores(self, features: np.ndarray) -> np.ndarray:
        raise AssertionError("the ranker was used")


@pytest.mark.parametrize("question", QUESTIONS)
def test_without_the_semantic_field_the_ranker_is_not_used(ranked: Pipeline,
                                                          question: str) -> None:
    retriever, query = ranked.retriever, ranked.query(question)
    shipped = LearnedRanker.load()
    refusing = Refusing(shipped.mean, shipped.scale, shipped.weights)
    lexical = copy(retriever, semantic=False, ranker=refusing).search(query, 10)
    assert lexical == copy(retriever, semantic=False).search(query, 10)
    assert lexical.evidence.similarity is None


@pytest.mark.parametrize("content, reason", [
    ("{not json", "JSONDecodeError"),
    (json.dumps({"features": list(FEATURES)}), "KeyError"),
    (json.dumps({"features": list(FEATURES[:-1]), "mean": [0.0] * (N - 1),
                 "scale": [1.0] * (N - 1), "weights": [0.0] * (N - 1)}), "features"),
    (json.dumps({"features": list(FEATURES), "mean": [0.0] * N, "scale": [1.0] * N,
                 "weights": [0.0] * (N - 1)}), "weights"),
    (json.dumps({"features": list(FEATURES), "mean": [0.0] * N, "scale": [0.0] * N,
                 "weights": [0.0] * N}), "scale"),
], ids=["not json", "no weights", "a feature short", "weights short", "zero scale"])
def test_a_broken_weights_file_names_itself(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "ranker.json"
    path.write_text(content, "utf-8")
    with pytest.raises(RankerInvalid) as caught:
        LearnedRanker.load(path)
    assert caught.value.params["path"] == str(path) and reason in caught.value.params["reason"]
    line = render_error(caught.value, Renderer(DEFAULT_PROMPTS, "txt"))
    assert str(path) in line and "benchmarks.ranker --train" in line


def test_a_missing_weights_file_names_itself(tmp_path: Path) -> None:
    with pytest.raises(RankerInvalid, match="ranker.json"):
        LearnedRanker.load(tmp_path / "ranker.json")


def test_the_ranker_moves_a_dev_b_answer_to_first(ranked: Pipeline) -> None:
    retriever, query = ranked.retriever, ranked.query(MOVED)
    today = copy(retriever, learned=False).search(query, 10).hits
    learned = retriever.search(query, 10).hits
    assert MOVED_ANSWER not in today[0].passage.text
    assert MOVED_ANSWER in learned[0].passage.text
    # Each hit keeps its fused score, and the evidence reads today's top hits.
    fused = {h.passage.id: h.score for h in copy(retriever, learned=False).search(query, 40).hits}
    assert all(fused[h.passage.id] == h.score for h in learned)
    assert retriever.search(query, 10).evidence == copy(retriever, learned=False).search(
        query, 10).evidence


def test_passage_text_is_read_only_for_the_candidates(ranked: Pipeline) -> None:
    """Reading every passage's text on the first question cost 0.44 s at 10,000 passages:
    a passage's text flags are read when a question's candidates first reach it."""
    from retrieval.asks import HAS_DATE, holds_figure
    from retrieval.ranker import PassageFlags

    passages = ranked.retriever.passages
    flags = PassageFlags.of(passages)
    assert not flags.read.any()
    rows = np.array([0, 5, 7])
    flags.reach(rows)
    assert flags.read.nonzero()[0].tolist() == [0, 5, 7]
    for i in rows.tolist():
        assert flags.figure[i] == holds_figure(passages[i].text)
        assert flags.date[i] == (HAS_DATE.search(passages[i].text) is not None)


def test_a_passage_reads_its_neighbours_in_its_own_document(ranked: Pipeline) -> None:
    """prev_fused and next_fused are the fused scores of the passages before and after in the
    same document, 0 at a document's edge, never a passage of another document."""
    from retrieval.ranker import PassageFlags
    from benchmarks.ranker import signals

    retriever = ranked.retriever
    passages = retriever.passages
    flags = PassageFlags.of(passages)
    for i, p in enumerate(passages):
        before = [j for j in range(i) if passages[j].doc == p.doc]
        after = [j for j in range(i + 1, len(passages)) if passages[j].doc == p.doc]
        assert flags.prev[i] == (before[-1] if before else -1)
        assert flags.next[i] == (after[0] if after else -1)
    query = ranked.query("När genomfördes undersökningen om underskotten?")
    s = signals(retriever, query)
    rows, x = retriever.ranked_features(query, s, 10)
    col_prev, col_next = FEATURES.index("prev_fused"), FEATURES.index("next_fused")
    best = s.fused.max()
    for row, feats in zip(rows.tolist(), x):
        for side, col in ((flags.prev[row], col_prev), (flags.next[row], col_next)):
            assert feats[col] == pytest.approx(s.fused[side] / best if side >= 0 else 0.0)
    firsts = [i for i in range(len(passages)) if flags.prev[i] < 0]
    assert len(firsts) == len({p.doc for p in passages})
