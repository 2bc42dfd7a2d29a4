"""Synlex for question words the corpus lacks: the shipped file, base forms, one way only, lazy."""

from __future__ import annotations

import dataclasses
import re
from importlib import resources

import pytest

from bot.pipeline import Pipeline
from retrieval.analyzer import SwedishAnalyzer
from retrieval.reader import QuestionReader
from retrieval.thesaurus import THESAURUS_FILE, Thesaurus, read_mythes
from retrieval.tuning import Tuning

STEM = SwedishAnalyzer().stem


@pytest.fixture(scope="module")
def thesaurus() -> Thesaurus:
    return Thesaurus(STEM)


def _group(pipeline: Pipeline, question: str, word: str):
    return next(g for g in pipeline.query(question).groups if g.term == STEM(word))


def _reader(pipeline: Pipeline, tuning: Tuning, thesaurus: Thesaurus | None) -> QuestionReader:
    r = pipeline.reader
    return QuestionReader(r.analyzer, r.index, r.expander, r.synonyms, tuning, thesaurus)


def test_the_shipped_file_is_sorted_single_words_with_its_licence(thesaurus: Thesaurus) -> None:
    notice = thesaurus.notice
    assert "Copyright (c) Viggo Kann KTH 2009" in notice and "Permission is hereby granted" in notice
    assert "MODIFIED for citatbot" in notice  # the licence asks for a notice of the change
    text = resources.files("retrieval").joinpath(THESAURUS_FILE).read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert len(lines) > 10_000 and lines == sorted(lines)  # a lookup bisects them
    word = r"[^\W\d_]+"
    assert all(re.fullmatch(rf"{word}\t{word}(\|{word})*", line) and line == line.lower()
               for line in lines)


@pytest.mark.parametrize("word, synonym", [
    ("avgå", "lämna"),        # a headword as typed
    ("Leder", "styra"),       # case-folded, the headword of the same stem ("leda")
    ("avgått", "lämna"),      # the stem less the ending Snowball left ("avgåt" → "avgå")
], ids=["headword", "stem", "ending"])
def test_synonyms_by_the_word_or_its_base_form(thesaurus: Thesaurus, word: str,
                                               synonym: str) -> None:
    assert synonym in thesaurus.synonyms(word)


def test_a_word_without_entry_has_no_synonyms(thesaurus: Thesaurus) -> None:
    assert thesaurus.synonyms("qwertyuiop") == ()


@pytest.mark.parametrize("question, word, corpus_term", [
    ("Hur många socialsekreterare har avgått?", "avgått", "lämn"),
    ("Vad beskyller socialtjänstens chef nämndens ordförande för?", "beskyller", "anklag"),
], ids=["avgått-lämnat", "beskyller-anklagar"])
def test_a_word_the_corpus_lacks_reaches_a_corpus_word(pipeline: Pipeline, question: str,
                                                       word: str, corpus_term: str) -> None:
    off = _reader(pipeline, pipeline.reader.tuning, None).read(question)
    assert not next(g for g in off.groups if g.term == STEM(word)).matches
    matches = _group(pipeline, question, word).matches
    assert matches[corpus_term] == pipeline.reader.tuning.thesaurus_factor < 1


def test_a_synonym_the_corpus_lacks_reaches_it_by_its_head(pipeline: Pipeline) -> None:
    """"enkät" has no synonym in the corpus but "intervjuundersökning", whose head
    "undersökning" the corpus has: a survey is searched as one."""
    matches = _group(pipeline, "Hur många svarade på enkäten?", "enkäten").matches
    assert matches[STEM("undersökning")] == pipeline.reader.tuning.thesaurus_factor


def test_a_word_the_corpus_has_reaches_its_synonyms_as_the_corpus_writes_them(
        pipeline: Pipeline, thesaurus: Thesaurus) -> None:
    question = "Vem leder nämnden?"
    assert "styra" in thesaurus.synonyms("leder")  # Synlex widens it, and "styr" is a
    assert "styr" in pipeline.reader.expander.expand("styr")  # corpus word
    tuning = pipeline.reader.tuning
    assert _group(pipeline, question, "leder").matches["styr"] == tuning.thesaurus_known_factor
    own = _reader(pipeline, dataclasses.replace(tuning, thesaurus_known_factor=0.0),
                  pipeline.reader.thesaurus)
    assert own.read(question) == _reader(pipeline, tuning, None).read(question)


def test_a_corpus_words_synonyms_bring_no_compounds(pipeline: Pipeline) -> None:
    """"skola" → "akademi" would reach "akademikerförbundet" by its prefix: a question about
    Växjö's schools is not about the union, and is declined."""
    question = "Vilka skolor finns i Växjö?"
    assert "akademikerförbundet" not in _group(pipeline, question, "skolor").matches
    assert pipeline.answer(question).kind == "decline"


def test_off_or_factor_zero_changes_nothing(pipeline: Pipeline) -> None:
    assert Pipeline.from_settings(
        pipeline.settings.model_copy(update={"thesaurus": False})).reader.thesaurus is None
    question = "Hur många socialsekreterare har avgått?"
    off = _reader(pipeline, pipeline.reader.tuning, None)
    zero = _reader(pipeline, dataclasses.replace(pipeline.reader.tuning, thesaurus_factor=0.0,
                                                 thesaurus_known_factor=0.0),
                   pipeline.reader.thesaurus)
    assert zero.read(question) == off.read(question) != pipeline.query(question)
    answers = [dataclasses.replace(pipeline, reader=r).answer(question) for r in (off, zero)]
    assert answers[0] == answers[1]


def test_the_file_is_read_only_when_a_lookup_needs_it(pipeline: Pipeline) -> None:
    """Not at start-up: by the first question (whose corpus words look up their synonyms too),
    and not at all for corpus words when that lookup is off."""
    fresh = Pipeline.from_settings(pipeline.settings)
    assert fresh.reader.thesaurus is not None and not fresh.reader.thesaurus.loaded
    fresh.query("Vad kostar socialtjänsten i Umeå?")
    assert fresh.reader.thesaurus.loaded
    lean = Pipeline.from_settings(pipeline.settings, tuning=dataclasses.replace(
        pipeline.reader.tuning, thesaurus_known_factor=0.0))
    lean.query("Vad kostar socialtjänsten i Umeå?")  # every word is a corpus word
    assert not lean.reader.thesaurus.loaded
    lean.query("Hur många socialsekreterare har avgått?")
    assert lean.reader.thesaurus.loaded


def test_the_builder_keeps_single_words_once_lower_case() -> None:
    mythes = ("ISO-8859-1\nTV|2\n|dumburk|TV-apparat|television\n(subst)|Television|dumburk\n"
              "säga upp|1\n|avskeda\nopartisk|1\n|objektiv|ofärgad|opartisk\n")
    assert read_mythes(mythes) == {"tv": ["dumburk", "television"],
                                   "opartisk": ["objektiv", "ofärgad"]}
