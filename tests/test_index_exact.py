"""Our inverted-index BM25 ranks exactly as rank-bm25's own BM25Okapi.get_scores."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings as hypothesis_settings, strategies as st
from rank_bm25 import BM25Okapi

from bot.pipeline import Pipeline
from retrieval.analyzer import SwedishAnalyzer
from retrieval.bm25 import BM25Scorer, build_postings
from retrieval.selection import top_k
from retrieval.index import indexed_text
from retrieval.sentences import split_sentences
from tests.support.synthetic import synthetic_corpus, synthetic_queries

TOLERANCE = 1e-9
TOP = 10
QUESTIONS = [
    "Vad kostar socialtjänsten i Umeå?",
    "Hur många socialsekreterare har slutat i Växjö?",
    "Varför är arbetsbelastningen så hög?",
    "Vad säger Akademikerförbundet SSR om personalomsättningen?",
    "Hur många orosanmälningar kom in förra året?",
    "Vad är individ- och familjeomsorg?",
    "Och hur många pågår?",
    "Mer tid",
    "xyzzy finns inte",
]


def reference_top(ref: BM25Okapi, query: Sequence[str], k: int) -> tuple[list[int], np.ndarray]:
    """rank-bm25's scores sorted best first (ties by corpus order), those above the tolerance.

    A score within the tolerance of zero is rounding, not a match: when the idfs sum to zero
    (words in half the documents and more, as many below as above), rank-bm25's running sum
    leaves ±4e-17, which epsilon turns into scores of either sign; ours sums exactly."""
    scores = ref.get_scores(list(query))
    order = [i for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > TOLERANCE]
    return order, scores[order]


def assert_same_ranking(ours: BM25Scorer, ref: BM25Okapi, query: Sequence[str]) -> None:
    ids, scores = ours.top(query, TOP)
    kept = scores > TOLERANCE
    ids, scores = ids[kept], scores[kept]
    want_ids, want_scores = reference_top(ref, query, TOP)
    # Same ids in the same order, except that documents whose scores tie within the tolerance
    # may swap (x + 2y and x + y + y can differ in the last bit): each of our ids must carry,
    # by rank-bm25's own score, the reference score of its rank.
    assert len(ids) == len(want_ids), query
    reference = ref.get_scores(list(query))
    np.testing.assert_allclose(reference[ids], want_scores, rtol=0, atol=TOLERANCE)
    assert len(set(ids.tolist())) == len(ids)
    np.testing.assert_allclose(scores, want_scores, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(ours.scores(query), ref.get_scores(list(query)), rtol=0,
                               atol=TOLERANCE)


@pytest.fixture(scope="module")
def bundled_terms(pipeline: Pipeline) -> list[list[str]]:
    """The analysed term lists of the bundled corpus's passages."""
    return [pipeline.analyzer.terms(indexed_text(p)) for p in pipeline.retriever.words.passages]


def bundled_queries(pipeline: Pipeline) -> list[list[str]]:
    """Every sentence of every third passage, the questions, and the pipeline's doubled terms."""
    queries = [pipeline.analyzer.terms(p.text[a:b]) for p in pipeline.retriever.words.passages[::3]
               for a, b in split_sentences(p.text)]
    queries += [pipeline.analyzer.terms(q) for q in QUESTIONS]
    queries += [pipeline.query(q).bm25_terms for q in QUESTIONS]
    return [q for q in queries if q]


def test_bundled_corpus_matches_rank_bm25(pipeline: Pipeline, bundled_terms: list[list[str]]):
    ref = BM25Okapi(bundled_terms, b=pipeline.retriever.words.bm25.b)  # the b citatbot ranks with
    queries = bundled_queries(pipeline)
    assert len(queries) > 100
    for query in queries:
        assert_same_ranking(pipeline.retriever.words.bm25, ref, query)


def test_bundled_idf_and_search_match(pipeline: Pipeline, bundled_terms: list[list[str]]):
    ref = BM25Okapi(bundled_terms, b=pipeline.retriever.words.bm25.b)
    for term, idf in ref.idf.items():
        assert pipeline.retriever.words.idf(term) == pytest.approx(max(idf, 0.0), abs=TOLERANCE)
    query = pipeline.query("Vad kostar socialtjänsten i Umeå?").bm25_terms
    hits = pipeline.retriever.words.search(query, TOP)
    want_ids, want_scores = reference_top(ref, query, TOP)
    assert [pipeline.retriever.words.passages.index(h.passage) for h in hits] == want_ids
    assert [h.score for h in hits] == pytest.approx(list(want_scores), abs=TOLERANCE)


def test_synthetic_10k_matches_rank_bm25(bundled_terms: list[list[str]]):
    docs = synthetic_corpus(bundled_terms, 10_000).docs()
    ours, ref = BM25Scorer(build_postings(docs)), BM25Okapi(docs)
    assert (ours.idf < ours.idf.max()).any() and len(ours.idf) == len(ref.idf)
    for query in synthetic_queries(bundled_terms, 40) + [docs[0], docs[1] + docs[1]]:
        assert_same_ranking(ours, ref, query)


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    docs=st.lists(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=6), min_size=1,
                  max_size=12),
    query=st.lists(st.sampled_from("abcdefg"), max_size=5),
)
@example(docs=[["b", "e", "f"], ["a", "b"], ["b", "c", "f"], ["b", "e", "f"], ["a", "b", "c", "e"],
               ["d", "e", "f"]], query=["b"])  # idfs summing to zero (found by hypothesis)
def test_tiny_corpora_with_ties_match(docs: list[list[str]], query: list[str]):
    """Few words, many equal scores, negative idfs: the edges where a ranking can differ."""
    assert_same_ranking(BM25Scorer(build_postings(docs)), BM25Okapi(docs), query)


def test_grouped_scores_take_the_best_form_once() -> None:
    docs = [["chef", "chefer", "budget"], ["chef", "budget"], ["chefer"]] + [["annat"]] * 7
    scorer = BM25Scorer(build_postings(docs))
    ref = BM25Okapi(docs)
    per_term = {t: ref.get_scores([t]) for t in ("chef", "chefer", "budget")}
    # One-term groups are plain weighted BM25.
    singles = scorer.grouped_scores([{"chef": 2.0}, {"budget": 1.0}])
    np.testing.assert_allclose(singles, scorer.weighted_scores({"chef": 2.0, "budget": 1.0}))
    # A group scores each document by its best weighted form, never by the sum of them.
    grouped = scorer.grouped_scores([{"chef": 1.0, "chefer": 0.7}])
    expected = np.maximum(per_term["chef"], 0.7 * per_term["chefer"])
    np.testing.assert_allclose(grouped, expected, atol=TOLERANCE)
    assert grouped[0] < per_term["chef"][0] + 0.7 * per_term["chefer"][0]
    assert grouped[0] > 0 and grouped[3] == 0.0


def test_grouped_scores_are_the_best_form_once_for_rare_and_common_words() -> None:
    """A group's best forms are gathered in one array a document and added whole (issue 15):
    for rare and common words alike, the same bits, and again the next time."""
    docs = [["chef", "chefer", "budget"], ["chefer", "budget"], ["budget"]] + [["annat"]] * 37
    docs += [["vanlig", "vanliga"]] * 15 + [["vanliga"]] * 10
    scorer = BM25Scorer(build_postings(docs))
    groups = [{"chef": 1.0, "chefer": 0.7}, {"vanlig": 2.0, "vanliga": 1.4}, {"budget": 1.0}]
    want = sum((np.max([scorer.weighted_scores({t: w}) for t, w in g.items()], axis=0)
                for g in groups), np.zeros(scorer.num_docs))
    np.testing.assert_array_equal(scorer.grouped_scores(groups), want)
    # Asked again, the scratch array the group was gathered in is zero again: the same bits.
    np.testing.assert_array_equal(scorer.grouped_scores(groups), want)


@hypothesis_settings(max_examples=60, deadline=None)
@given(values=st.lists(st.integers(0, 40), min_size=0, max_size=3000), k=st.integers(1, 12))
def test_top_k_is_the_first_k_of_a_stable_sort(values: list[int], k: int) -> None:
    """top_k drops what cannot be among the best by a sample before it selects (issue 15);
    with many ties at the cut it must still give what a full stable sort gives."""
    array = np.array(values, dtype=np.float64) / 7
    ids = np.arange(len(array)) * 3
    order = np.argsort(-array, kind="stable")[:k]
    got_ids, got_values = top_k(ids, array, k)
    np.testing.assert_array_equal(got_ids, ids[order])
    np.testing.assert_array_equal(got_values, array[order])


def test_the_search_scores_only_matching_passages_as_it_scores_every_one(pipeline: Pipeline):
    """A search multiplies the document boost and question factor into the passages with a
    positive score only (issue 15): the same passages, the same bits as over every passage."""
    retriever = pipeline.retriever
    for question in QUESTIONS:
        query = pipeline.query(question)
        scores = retriever.scores(query)
        ids, values = retriever.candidates(query)
        np.testing.assert_array_equal(ids, np.flatnonzero(scores > 0))
        np.testing.assert_array_equal(values, scores[ids])


def test_grouped_scores_equal_the_best_form_per_passage_on_real_questions(pipeline: Pipeline):
    """Each group adds, per passage, the largest of its terms' weighted scores: checked against
    dense per-term scores for questions whose words have several corpus forms."""
    scorer = pipeline.retriever.words.bm25
    for question in QUESTIONS:
        groups = pipeline.query(question).bm25_groups()
        want = sum((np.max([scorer.weighted_scores({t: w}) for t, w in g.items()], axis=0)
                    for g in groups if g), np.zeros(scorer.num_docs))
        np.testing.assert_array_equal(scorer.grouped_scores(groups), want)


def test_an_index_updated_by_a_segment_ranks_as_rank_bm25_and_as_a_rebuild(tmp_path):
    """Issue 15: a file added, one changed and one removed are searched as a segment beside
    the saved index, the removed passages masked, instead of rebuilding it; BM25 must stay
    exact over the whole corpus (rank-bm25's scores; a rebuild's, to the bit)."""
    import shutil

    from bot.settings import DEFAULT_CORPUS, Settings
    from retrieval.segments import SegmentedPostings

    folder = Path(shutil.copytree(DEFAULT_CORPUS, tmp_path / "corpus"))
    settings = Settings(_env_file=None, corpus_dir=folder, semantic=False)
    Pipeline.from_settings(settings)  # the saved index
    (folder / "005_nytt.txt").write_text(
        "Familjecentralen i Holmsund öppnade i mars.\n\nDen tar emot föräldrar med barn under "
        "sex år varje vardag, och socialtjänsten i Umeå betalar.\n", encoding="utf-8")
    changed = folder / "000_d2445805d168f45a.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nSocialsekreterare i Umeå "
                       "har fått ett nytt avtal.\n", encoding="utf-8")
    (folder / "004_d5b68a9dab65ddce.txt").unlink()
    assert_segment_is_exact(Pipeline.from_settings(settings))
    again = Pipeline.from_settings(settings)  # the segment was saved: read, not made again
    assert again.retriever.stats["words"].reused
    assert isinstance(again.retriever.words.postings, SegmentedPostings)
    # Files only added to a new base, after every other and before them: nothing masked.
    Pipeline.from_settings(settings, rebuild=True)
    for name, same_rows in (("zz_sist.txt", True), ("000_forst.txt", False)):
        (folder / name).write_text("Hemtjänsten i Umeå har fått fler socialsekreterare.\n",
                                   encoding="utf-8")
        pipeline = Pipeline.from_settings(settings)
        assert_segment_is_exact(pipeline)
        assert pipeline.retriever.words.postings._same_rows is same_rows


def assert_segment_is_exact(pipeline: Pipeline) -> None:
    """The pipeline's words are searched as a segment beside the saved index, and score every
    question as rank-bm25 does and, to the bit, as an index built anew."""
    from retrieval.index import PassageIndex
    from retrieval.segments import SegmentedPostings

    words = pipeline.retriever.words
    assert isinstance(words.postings, SegmentedPostings)  # no rebuild
    passages = list(pipeline.corpus.passages)
    docs = [pipeline.analyzer.terms(indexed_text(p)) for p in passages]
    ref = BM25Okapi(docs, b=words.bm25.b)
    rebuilt = PassageIndex(passages, pipeline.analyzer, b=words.bm25.b)
    assert sorted(words.vocabulary) == sorted(rebuilt.vocabulary)
    for question in QUESTIONS + ["familjecentralen i Holmsund", "nytt avtal i Umeå"]:
        terms = pipeline.query(question).bm25_terms
        if terms:
            assert_same_ranking(words.bm25, ref, terms)
            np.testing.assert_array_equal(words.scores(terms), rebuilt.scores(terms))


def test_saved_contributions_score_as_computed_ones(tmp_path: Path, bundled_terms):
    """A saved index carries each posting's score (issue 15): a question adds them as read
    from the file, to the bit what the scorer computes, and rank-bm25's; a scorer with another
    b computes its own."""
    from retrieval.index import PassageIndex
    from retrieval.store import open_index
    from tests.support.synthetic import synthetic_documents

    model = bundled_terms
    passages, _ = synthetic_documents(synthetic_corpus(model, 3000), per_document=200)
    analyzer = SwedishAnalyzer()
    built, _ = open_index(passages, analyzer, tmp_path / "index.npz", b=0.5)
    saved, stats = open_index(passages, analyzer, tmp_path / "index.npz", b=0.5)
    assert stats.reused and saved.postings.contributions is not None
    assert saved.bm25._saved is not None and built.bm25._saved is not None
    computed = PassageIndex(passages, analyzer, b=0.5)
    other_b = PassageIndex(passages, analyzer, postings=saved.postings, b=0.75)
    assert computed.bm25._saved is None and other_b.bm25._saved is None
    reference = PassageIndex(passages, analyzer, b=0.75)
    for query in synthetic_queries(model, 30):
        groups = [{t: 2.0} for t in query] + [{t: 1.0 for t in query}]
        np.testing.assert_array_equal(saved.grouped_scores(groups), computed.grouped_scores(groups))
        np.testing.assert_array_equal(saved.scores(query), computed.scores(query))
        np.testing.assert_array_equal(other_b.scores(query), reference.scores(query))


@hypothesis_settings(max_examples=80, deadline=None)
@given(size=st.integers(0, 3000), levels=st.integers(1, 9),
       boosts=st.lists(st.sampled_from([1.0, 1.1, 1.25, 1.5]), min_size=1, max_size=7),
       k=st.integers(1, 12), seed=st.integers(0, 1000))
def test_top_weighed_is_top_k_of_every_final_score(size, levels, boosts, k, seed) -> None:
    """Only the passages whose lexical score times the largest factor reaches a sample's k-th
    best are weighed (issue 15); with many ties it still gives what top_k over every final
    score gives."""
    from retrieval.selection import top_weighed

    rng = np.random.default_rng(seed)
    values = rng.integers(0, levels + 1, size=size) / 4  # a third or so zero; many ties
    boost = np.array(boosts)[rng.integers(len(boosts), size=size)]
    asks = rng.random(size) < 0.1

    def weigh(rows: np.ndarray, scores: np.ndarray) -> np.ndarray:
        scores *= boost[rows]
        scores *= np.where(asks[rows], 0.7, 1.0)
        return scores

    ids = np.flatnonzero(values > 0)
    want = top_k(ids, weigh(ids, values[ids]), k)
    got = top_weighed(values, k, weigh, max(boosts))
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_the_best_passages_are_the_top_k_of_every_candidate(tmp_path: Path, bundled_terms):
    """Retriever.best weighs only the passages that may be among the best (issue 15): the
    same passages and bits as top_k over every passage with a positive score."""
    from bot.settings import Settings
    from retrieval.ingest import Corpus
    from tests.support.synthetic import synthetic_documents

    passages, documents = synthetic_documents(synthetic_corpus(bundled_terms, 3000),
                                              per_document=200)
    settings = Settings(_env_file=None, semantic=False, index_cache=False)
    pipeline = Pipeline.from_settings(settings, corpus=Corpus(tmp_path, documents, passages))
    retriever = pipeline.retriever
    questions = [" ".join(q) for q in synthetic_queries(bundled_terms, 25)] + QUESTIONS
    for question in questions:
        query = pipeline.query(question)
        for k in (1, 10, 40):
            want = top_k(*retriever.candidates(query), k)
            got = retriever.best(query, k)
            np.testing.assert_array_equal(got[0], want[0])
            np.testing.assert_array_equal(got[1], want[1])
