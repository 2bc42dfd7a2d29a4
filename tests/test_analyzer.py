"""The Swedish analyzer and sentence splitter on the cases the corpus and users produce."""

from __future__ import annotations

import pytest

from retrieval.analyzer import SwedishAnalyzer, stopwords
from retrieval.sentences import split_sentences

A = SwedishAnalyzer()


@pytest.mark.parametrize("forms", [
    ("socialsekreterare", "socialsekreterarna", "Socialsekreteraren"),
    ("utredning", "utredningar", "utredningarna"),
    ("chef", "chefer", "cheferna"),
    ("kommun", "kommuner", "kommunerna"),
], ids=lambda f: f[0])
def test_inflections_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len({tuple(A.terms(f)) for f in forms}) == 1


def test_suspended_and_hyphenated_compounds_give_their_parts() -> None:
    assert A.terms("individ- och familjeomsorg") == ["individ", "familjeomsorg"]
    assert A.terms("lex Sarah-anmälningar")[-2:] == ["sarah", "anmälning"]


def test_numbers_keep_decimal_commas_and_years() -> None:
    assert A.terms("nära 1,6 miljard för år 2023") == ["när", "1,6", "miljard", "år", "2023"]
    assert A.terms("1.6") == ["1,6"]


def test_stop_words_go_content_words_stay() -> None:
    assert A.terms("Vad är det som inte fungerar och varför?") == ["funger"]
    assert {"beslut", "sitta", "stöd", "personal"}.isdisjoint(stopwords())


def test_case_folding_and_swedish_letters() -> None:
    assert A.terms("VÄXJÖ Växjö växjö") == ["växjö"] * 3
    tokens = A.tokens("Här i Umeå")
    assert [("Här i Umeå"[t.start:t.end]) for t in tokens] == ["Umeå"]


@pytest.mark.parametrize("text, expected", [
    ("Det gäller t.ex. Umeå. Nästa mening.", ["Det gäller t.ex. Umeå.", "Nästa mening."]),
    ("Kritiken handlade bl a om stöd. Ärendet uppmärksammades.",
     ["Kritiken handlade bl a om stöd.", "Ärendet uppmärksammades."]),
    ("De slutade, tog ledigt, o s v. Sedan kom nya.", ["De slutade, tog ledigt, o s v.", "Sedan kom nya."]),
    ("Det kostar 1,6 miljard. Det är mycket.", ["Det kostar 1,6 miljard.", "Det är mycket."]),
    ("Publicerad 7 april 2021. Text.", ["Publicerad 7 april 2021.", "Text."]),
    ("Han sa: ”Det fungerar inte!” – Det är sant, säger hon.",
     ["Han sa: ”Det fungerar inte!”", "– Det är sant, säger hon."]),
    ("Arbete m.m. ingår. Bra.", ["Arbete m.m. ingår.", "Bra."]),
    ("1. Att varje chef ansvarar för få. Det räcker.", ["1. Att varje chef ansvarar för få.", "Det räcker."]),
    ("Det hände 2019. Sedan kom 12. Inget mer.", ["Det hände 2019.", "Sedan kom 12.", "Inget mer."]),
    ("Frågor fanns: 1. Ärendet, 2. Finns brister? Men nej.",
     ["Frågor fanns: 1. Ärendet, 2. Finns brister?", "Men nej."]),
], ids=["t.ex", "bl a", "o s v", "decimal", "date", "quote+dash", "m.m", "numbered item", "numbers end",
        "inline list"])
def test_sentence_splitting(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_sentence_offsets_are_shifted() -> None:
    assert split_sentences("  Ett. Två.", 100) == [(102, 106), (107, 111)]


def test_character_grams_of_terms() -> None:
    from retrieval.analyzer import CharGramAnalyzer

    grams = CharGramAnalyzer(A, 4)
    assert grams.grams(["bistånd"]) == ["_bis", "bist", "istå", "stån", "tånd", "ånd_"]
    assert grams.grams(["ss"]) == ["_ss_"]  # a term of two letters is one gram
    # A compound shares grams with its head: the second field meets what whole terms miss.
    assert set(grams.terms("sjukfrånvaron")) & set(grams.terms("frånvaro"))
    with pytest.raises(ValueError):
        CharGramAnalyzer(A, 1)


def test_the_stem_cache_is_bounded(monkeypatch) -> None:
    """Issue 17.13: every new word of every message stayed cached, so a stream of made-up words
    grew the process without end."""
    import retrieval.analyzer as analyzer

    monkeypatch.setattr(analyzer, "STEM_CACHE", 1000)
    swedish = analyzer.SwedishAnalyzer()
    grams = analyzer.CharGramAnalyzer(swedish)
    for i in range(5000):
        swedish.stem(f"påhitt{i}ord")
        grams.terms(f"nyord{i}")  # each word's terms and each term's grams are remembered too
    assert len(swedish._stem_cache) <= 1000
    assert len(swedish._word_terms) <= 1000 and len(grams._grams) <= 1000
    assert swedish.stem("socialsekreterarna") == swedish.stem("socialsekreterarna")


def test_the_sentence_splitter_is_linear_on_long_runs_of_letters() -> None:
    """Issue 17.12: a 75,000-letter run ending in " ." took 34 s to split (a `\\S+$` search
    retried from every letter); a scraped page with a blob must cost milliseconds."""
    import time

    from retrieval.sentences import split_sentences

    text = "x" * 75_000 + " . Nästa mening. Se t.ex. Umeå."
    started = time.perf_counter()
    spans = split_sentences(text)
    assert time.perf_counter() - started < 0.5
    assert [text[s:e] for s, e in spans][1:] == ["Nästa mening.", "Se t.ex. Umeå."]


def test_a_pasted_window_title_sequence_is_no_part_of_the_question() -> None:
    """Issue 17.23: "ESC ] 0 ; title BEL" (and its ESC-backslash form) stayed in questions."""
    from retrieval.analyzer import clean_question

    typed = "Vad kostar \x1b]0;HACKED\x07socialtjänsten\x1b]2;x\x1b\\ i \x1b[1mUmeå\x1b[0m?"
    cleaned = clean_question(typed)
    assert cleaned.split() == ["Vad", "kostar", "socialtjänsten", "i", "Umeå", "?"]
    assert "HACKED" not in cleaned and "\x1b" not in cleaned
