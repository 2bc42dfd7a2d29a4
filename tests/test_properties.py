"""Property-based: any string in, no exception out, every quote a raw span, bounded output."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from bot.pipeline import Pipeline
from bot.render import Renderer
from retrieval.analyzer import SwedishAnalyzer
from retrieval.sentences import split_sentences
from tests.support.corpus import CORPUS

ANALYZER = SwedishAnalyzer()
RAW = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
SWEDISH = st.sampled_from(
    "socialtjänsten Umeå Växjö kostar miljard lex Sarah socionomer Vision chefer bistånd "
    "personalomsättning individ- och familjeomsorg 1,6 2017 vad hur många varför ? ! . , – ” "
    "<b> {{ 7*7 }} {% include %} & \u200b \u202e \x00 😀 é".split(" "))
TEXT = st.one_of(st.text(max_size=300), st.lists(SWEDISH, max_size=30).map(" ".join))


@given(TEXT)
def test_analyzer_never_fails_and_offsets_point_into_the_text(text: str) -> None:
    for token in ANALYZER.tokens(text):
        assert 0 <= token.start < token.end <= len(text)
        assert token.term


WORDY = st.lists(st.sampled_from(["Barn-", "och", "-", "ungdoms-psykiatrin", "SKR:s", "13:00",
                                   "e\u0301n", "Å\u030a", "1.6", "x_y", "²", "ÖVERSÄTTNINGAR",
                                   "–", "i", "Umeå"]), max_size=20).map(" ".join)


@given(st.one_of(TEXT, WORDY))
def test_terms_are_the_terms_of_the_tokens(text: str) -> None:
    """`terms` remembers each word's terms (the index build's hot path); it must give exactly
    what `tokens` gives, the first time and from memory."""
    assert ANALYZER.terms(text) == [t.term for t in ANALYZER.tokens(text)]
    assert ANALYZER.terms(text) == [t.term for t in ANALYZER.tokens(text)]


@given(TEXT)
def test_sentences_tile_the_text(text: str) -> None:
    spans = split_sentences(text)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXT)
def test_any_question_gets_a_bounded_verbatim_answer(pipeline: Pipeline, text: str) -> None:
    answer = pipeline.answer(text)
    for quote in answer.quotes:
        assert RAW[quote.doc][quote.start:quote.end] == quote.text
    rendered = Renderer(pipeline.settings.prompts_dir, "txt").answer(answer, pipeline.corpus)
    assert 0 < len(rendered) <= 8000
