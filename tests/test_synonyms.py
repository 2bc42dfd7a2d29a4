"""The maintainer's synonym file: parsed like Elasticsearch's, applied to questions, bad lines named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.pipeline import Pipeline
from bot.settings import Settings
from retrieval.analyzer import SwedishAnalyzer
from retrieval.synonyms import parse_synonyms
from tests.support.corpus import CORPUS

TERMS = SwedishAnalyzer().terms


def test_equivalent_and_one_way_lines() -> None:
    synonyms, problems = parse_synonyms(
        "# kommentar\nenkät, undersökning\nsocialen => socialtjänsten\n\n", TERMS)
    assert problems == []
    enkat, undersokning = TERMS("enkät")[0], TERMS("undersökning")[0]
    assert synonyms.of(enkat) == {undersokning} and synonyms.of(undersokning) == {enkat}
    assert synonyms.of(TERMS("socialen")[0]) == {TERMS("socialtjänsten")[0]}
    assert synonyms.of(TERMS("socialtjänsten")[0]) == frozenset()  # one way only
    assert synonyms.of(TERMS("enkäten")[0]) == {undersokning}  # inflected forms meet the line


@pytest.mark.parametrize("line, problem", [
    ("ekonomiskt bistånd, försörjningsstöd", "phrase"), ("enkät", "empty_side"),
    ("socialen =>", "empty_side")])
def test_unusable_lines_are_reported_with_their_number(line: str, problem: str) -> None:
    synonyms, problems = parse_synonyms(f"enkät, undersökning\n{line}\n", TERMS)
    assert [(p.line, p.problem) for p in problems] == [(2, problem)]
    assert len(synonyms) == 2  # the good line still applies


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def _pipeline(folder: Path) -> Pipeline:
    return Pipeline.from_settings(Settings(_env_file=None, corpus_dir=folder, index_cache=False, semantic=False))


def test_the_shipped_file_is_empty_and_not_a_document(pipeline: Pipeline) -> None:
    assert len(pipeline.reader.synonyms) == 0 and pipeline.problems == []
    assert "synonyms.txt" not in pipeline.corpus.documents


def test_a_synonym_line_lets_a_question_find_the_corpus_word(corpus_copy: Path) -> None:
    question = "Hur många svarade på frågeformuläret om underskotten?"
    before = _pipeline(corpus_copy).query(question)
    assert not next(g for g in before.groups if g.term.startswith("frågeformulär")).matches
    (corpus_copy / "synonyms.txt").write_text("frågeformulär, undersökning\n", "utf-8")
    after = _pipeline(corpus_copy)
    group = next(g for g in after.query(question).groups if g.term.startswith("frågeformulär"))
    assert "undersökning" in group.matches
    assert after.answer(question).kind == "answer"


def test_a_bad_synonym_file_is_reported_and_the_rest_serves(corpus_copy: Path) -> None:
    (corpus_copy / "synonyms.txt").write_bytes(b"enk\xe4t, unders\xf6kning\n")  # Latin-1
    pipeline = _pipeline(corpus_copy)
    assert [p.problem for p in pipeline.problems] == ["synonyms_unreadable"]
    assert pipeline.answer("Vad kostar socialtjänsten i Umeå?").kind == "answer"


def test_ask_names_the_unusable_line(corpus_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from bot.terminal.cli import main

    (corpus_copy / "synonyms.txt").write_text("enkät, undersökning\nekonomiskt bistånd, x\n",
                                              "utf-8")
    monkeypatch.setenv("CITATBOT_CORPUS_DIR", str(corpus_copy))
    monkeypatch.setenv("CITATBOT_INDEX_CACHE", "false")
    monkeypatch.setenv("CITATBOT_SEMANTIC", "false")  # the synonym lines are what is read here
    assert main(["ask", "Vad kostar socialtjänsten i Umeå?"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["Varning: synonyms.txt rad 2: ekonomiskt bistånd, x: bara ett ord per synonym, "
                   "raden används inte."]


def test_a_line_of_thousands_of_words_is_refused_not_multiplied() -> None:
    """Issue 17.16: a 60 KB equivalence line mapped each of its words to every other (4.7 GB)."""
    import time

    line = ", ".join(f"ord{i}" for i in range(8000))
    started = time.perf_counter()
    synonyms, problems = parse_synonyms(f"enkät, undersökning\n{line}\n", TERMS)
    assert time.perf_counter() - started < 1.0
    assert [(p.line, p.problem) for p in problems] == [(2, "too_many")]
    assert len(synonyms) == 2  # the good line still applies
