"""Synlex for question words the corpus lacks: the shipped file, base forms, one way only, lazy."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from benchmarks.build_thesaurus import read_mythes
from retrieval.analyzer import SwedishAnalyzer
from retrieval.thesaurus import THESAURUS_FILE, Thesaurus

STEM = SwedishAnalyzer().stem


@pytest.fixture(scope="module")
def thesaurus() -> Thesaurus:
    return Thesaurus(STEM)


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


def test_the_builder_keeps_single_words_once_lower_case() -> None:
    mythes = ("ISO-8859-1\nTV|2\n|dumburk|TV-apparat|television\n(subst)|Television|dumburk\n"
              "säga upp|1\n|avskeda\nopartisk|1\n|objektiv|ofärgad|opartisk\n")
    assert read_mythes(mythes) == {"tv": ["dumburk", "television"],
                                   "opartisk": ["objektiv", "ofärgad"]}
