"""The users' path the scale benchmarks time (tests/support/users_path.py) ranks as Pipeline does."""

from __future__ import annotations

from pathlib import Path

from bot.pipeline import Pipeline
from bot.settings import Settings
from retrieval.ingest import Corpus
from tests.support.synthetic import synthetic_corpus, synthetic_documents, synthetic_queries
from tests.support.users_path import UsersPath, bundled_terms


def test_ours_path_ranks_as_the_pipeline(tmp_path: Path):
    model = bundled_terms()
    passages, documents = synthetic_documents(synthetic_corpus(model, 600), per_document=200)
    settings = Settings(_env_file=None, semantic=False, index_cache=False)
    pipeline = Pipeline.from_settings(settings, corpus=Corpus(tmp_path, documents, passages))
    grams = pipeline.retriever.grams
    assert grams is not None and len(documents) == 3
    path = UsersPath.over(passages, documents, pipeline.retriever.words.postings,
                          grams.index.postings)
    questions = [" ".join(q) for q in synthetic_queries(model, 12)] + ["Vad kostar kommunen?"]
    for question in questions:
        users = pipeline.retriever.search(pipeline.query(question), 10)
        ours = path.search(question)
        assert ours.hits, question
        assert [(h.passage.id, h.score) for h in ours.hits] == [
            (h.passage.id, h.score) for h in users.hits], question
        assert ours.evidence == users.evidence
