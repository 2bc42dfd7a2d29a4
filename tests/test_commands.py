"""One command vocabulary: the same words do the same in the conversation service, the REPL and
`citatbot ask` (Telegram's side is in test_telegram.py). Real pipeline, corpus and templates."""

from __future__ import annotations

import json

import pytest

from bot.commands import answer_once, command
from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.render import Renderer
from bot.terminal.cli import main
from bot.terminal.repl import run_repl
from tests.support.corpus import UMEA, VAXJO

HINT = "Skriv ”"


@pytest.mark.parametrize("text, kind", [
    ("mer", "more"), ("Fler svar", "more"), ("/mer", "more"),
    ("stycke 1", "paragraph"), ("Visa stycket", "paragraph"),
    ("källor", "sources"), ("Kallor", "sources"), ("/kallor", "sources"),
    ("hjälp", "help"), ("hjalp", "help"), ("?", "help"), ("/hjalp", "help"),
    ("avsluta", "goodbye"), ("Hej då!", "goodbye"), ("hejdå", "goodbye"), ("q", "goodbye"),
], ids=lambda value: value if isinstance(value, str) else "")
def test_every_command_word_is_handled_by_the_service(pipeline: Pipeline, text: str,
                                                      kind: str) -> None:
    chat = ConversationService(pipeline)
    chat.handle(1, VAXJO)
    assert chat.handle(1, text).kind == kind


@pytest.mark.parametrize("text", ["Mer pengar till socialtjänsten?", "källor om Växjö",
                                  "hjälp mig förstå budgeten"])
def test_a_question_that_starts_like_a_command_is_searched(text: str) -> None:
    assert command(text) is None


def test_sources_lists_the_last_answers_documents_first(pipeline: Pipeline) -> None:
    chat = ConversationService(pipeline)
    before = chat.handle(1, "källor")
    assert before.kind == "sources" and before.cited == ()
    answer = chat.handle(1, "Vad måste ses över enligt Veronica Magnusson?")
    cited = chat.handle(1, "källor")
    assert cited.cited == tuple(dict.fromkeys(q.doc for q in answer.quotes))
    text = Renderer(pipeline.settings.prompts_dir, "txt").answer(cited, pipeline.corpus)
    titles = [pipeline.corpus.documents[name].title for name in pipeline.corpus.documents]
    order = sorted(titles, key=text.index)
    assert order[: len(cited.cited)] == [pipeline.corpus.documents[d].title for d in cited.cited]
    assert all(title in text for title in titles)  # every document, whole titles


def test_the_repl_takes_the_same_words_and_ends_on_goodbye(pipeline: Pipeline, capsys) -> None:
    lines = ["hjälp", UMEA, "källor", "stycke 1", "hej då", VAXJO]
    assert run_repl(pipeline, pipeline.settings, lines) == 0
    out = capsys.readouterr().out
    assert "stycke N" in out and "1,6 miljard" in out
    assert out.index("Källorna till det senaste svaret") < out.index("Arbetarpartiets blogg, Jan")
    assert "Hej då!" in out and "lex Sarah" not in out  # nothing after the goodbye
    assert HINT + "mer”" in out or HINT + "stycke N”" in out


@pytest.mark.parametrize("word", ["mer", "stycke 2"])
def test_ask_says_in_one_line_where_a_conversation_command_works(word: str, capsys) -> None:
    assert main(["ask", word]) == 0
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and f"”{word}”" in out and "repl" in out
    assert "[1]" not in out
    assert main(["ask", "--json", word]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["answered"] is False and obj["quotes"] == [] and obj["text"] == out


def test_one_shot_takes_help_and_sources_without_a_search(pipeline: Pipeline) -> None:
    assert answer_once(pipeline, "källor").kind == "sources"
    assert answer_once(pipeline, "hjälp").kind == "help"
    assert answer_once(pipeline, UMEA).kind == "answer"


def test_ask_prints_no_hint_for_commands_it_cannot_take(capsys) -> None:
    assert main(["ask", UMEA]) == 0
    text = capsys.readouterr().out
    assert "1,6 miljard" in text and HINT not in text and "stycke N" not in text
    assert main(["ask", "--json", UMEA]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["answered"] and HINT not in obj["text"] and "stycke N" not in obj["text"]
    assert main(["ask", "hjälp"]) == 0
    help_text = capsys.readouterr().out
    assert "källor" in help_text and "stycke N" not in help_text and "mer / fler" not in help_text
