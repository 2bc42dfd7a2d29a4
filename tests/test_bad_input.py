"""Whatever a stranger types, the service, the REPL and `ask` reply honestly and within bounds."""

from __future__ import annotations

import json

import pytest
from jinja2 import UndefinedError
from markupsafe import escape

from bot.answer import Answer
from bot.terminal.cli import main
from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.render import Renderer
from bot.telegram.replies import SERVICES
from bot.terminal.repl import run_repl
from tests.support.corpus import CORPUS

MAX_REPLY = 6000
BAD = {
    "empty": "",
    "whitespace": " \t\n ",
    "5k": "socialtjänsten " * 340,
    "100k": "å" * 100_000,
    "stopwords": "och det att i en som på den med var",
    "punctuation": "?!.,;:()[]{}–—…",
    "emoji": "😀🤖🇸🇪 👍",
    "rtl": "ما هي الخدمات الاجتماعية؟ \u202eabc",
    "zero-width": "soc\u200bial\u200btjänsten\u200d",
    "combining": "Va\u0308xjo\u0308 socialtja\u0308nst",
    "control": "Vad\x00 kostar\x07 \x1b[31msocialtjänsten\x1b[0m?",
    "markup-chars": "< > & \" ' * _ [ ] ( ) ~ ` # + - = | { } . !",
    "html": "<b>fet</b> <script>alert(1)</script>",
    "jinja": "{{ 7*7 }} {% include 'help.j2' %} {# x #}",
    "english": "What does the social service in Umeå cost?",
    "caps": "VAD KOSTAR SOCIALTJÄNSTEN I UMEÅ?",
    "no-diacritics": "vad kostar socialtjansten i umea",
}


@pytest.fixture
def chat(pipeline: Pipeline) -> ConversationService:
    return ConversationService(pipeline)


def _raw(doc: str) -> str:
    with open(CORPUS / doc, encoding="utf-8") as handle:
        return handle.read()


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_service_replies_within_bounds(chat: ConversationService, pipeline: Pipeline, text: str) -> None:
    answer = chat.handle(1, text)
    for quote in answer.quotes:
        assert _raw(quote.doc)[quote.start:quote.end] == quote.text
    rendered = Renderer(pipeline.settings.prompts_dir, "txt").answer(answer, pipeline.corpus)
    assert 0 < len(rendered) <= MAX_REPLY


def test_a_template_missing_a_variable_raises(pipeline: Pipeline) -> None:
    """The environment is strict: the rate-limit note without its seconds is an error, where a
    lenient Jinja would send "Vänta  sekunder"."""
    html = Renderer(pipeline.settings.prompts_dir, "html")
    with pytest.raises(UndefinedError):
        html.message("note", code="rate_limited")
    assert html.message("note", code="rate_limited", seconds=30) == (
        "Lugn, lugn! Du har frågat många gånger på kort tid. Vänta 30 sekunder och fråga igen.")


@pytest.mark.parametrize("key", ["jinja", "html"])
def test_typed_template_and_markup_are_shown_exactly_as_typed(chat: ConversationService,
                                                              pipeline: Pipeline, key: str) -> None:
    """Where a reply shows the question (an example button echoes it), the typed text is data:
    escaped, never evaluated ({{ 7*7 }} stays, no 49), never markup."""
    answer = chat.handle(1, BAD[key])
    html = Renderer(pipeline.settings.prompts_dir, "html")
    values = {"answer": answer, "documents": pipeline.corpus.documents, "info": pipeline.corpus.info}
    echoed = html.message(answer.kind, echo=True, **values)
    assert echoed == f"<b>{escape(BAD[key])}</b>\n\n" + html.message(answer.kind, echo=False, **values)


@pytest.mark.parametrize("key", ["empty", "whitespace", "stopwords", "punctuation", "emoji",
                                 "markup-chars", "html", "jinja"])
def test_nonsense_is_never_answered_with_quotes(chat: ConversationService, key: str) -> None:
    assert chat.handle(1, BAD[key]).quotes == ()


@pytest.mark.parametrize("key", ["caps", "no-diacritics", "combining", "english"])
def test_shouting_and_missing_diacritics_still_find_the_answer(chat: ConversationService, key: str) -> None:
    quotes = chat.handle(1, BAD[key]).quotes
    assert any("1,6 miljard" in q.text for q in quotes) or key == "combining" and quotes


def test_long_question_is_cut_with_a_note(chat: ConversationService, pipeline: Pipeline) -> None:
    answer = chat.handle(1, "Vad kostar socialtjänsten i Umeå? " + "x" * 100_000)
    assert answer.truncated and len(answer.question) == pipeline.settings.max_question_chars
    text = Renderer(pipeline.settings.prompts_dir, "txt").answer(answer, pipeline.corpus)
    assert "bara början" in text


def test_junk_command_arguments(chat: ConversationService) -> None:
    chat.handle(1, "Vad kostar socialtjänsten i Umeå?")
    for junk in ("stycke 999", "stycke ../../etc/passwd", "stycke -1", "stycke 1e9", "stycke ٣"):
        assert chat.handle(1, junk).kind == "paragraph_none"


def test_repl_survives_every_bad_line(pipeline: Pipeline, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_repl(pipeline, pipeline.settings, lines=list(BAD.values()) + ["hej"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("Hej! Ställ en fråga, så svarar jag med citat ur dokumenten.")


@pytest.mark.parametrize("key", ["jinja", "html", "control", "rtl"])
def test_ask_json_returns_the_question_as_typed(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", BAD[key]]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["question"] == BAD[key]
    assert obj["answered"] is (key == "control")  # NUL and escapes hide a real question


# Telegram never delivers an empty message, so those two rows are not sent through the bot.
SENDABLE = {k: v for k, v in BAD.items() if v.strip()}
JUNK_COMMANDS = ["/kallor 999", "/kallor ../../etc/passwd", "/mer junk ¤", "/fraga", "/hjalp {{ 7*7 }}",
                 "/start <b>x</b>", "stycke 999", "stycke ../../etc"]


async def test_every_bad_input_through_the_bot_gets_one_wellformed_reply(bot, fake) -> None:
    """The same table through the real Telegram Application and the fake Bot API: each message
    gets exactly one reply in its own chat that the fake accepted (well-formed HTML, at most
    4,096 characters), and text that looks like markup or a template never acts as either."""
    texts = list(SENDABLE.values()) + JUNK_COMMANDS
    for chat_id, text in enumerate(texts, 1000):
        fake.message(chat_id, text)
    for chat_id, text in enumerate(texts, 1000):
        replies = await fake.wait_sent(chat_id)
        assert len(replies) == 1, text
        assert 0 < len(replies[0]["text"]) <= 4096
    await fake.settle()
    assert all(len(fake.sent_to(chat_id)) == 1 for chat_id in range(1000, 1000 + len(texts)))
    assert "<script>" not in "\n".join(m["html"] for m in fake.sent)  # escaped, never markup
    jinja = fake.sent_to(1000 + list(SENDABLE).index("jinja"))[0]["html"]
    assert jinja == bot.bot_data[SERVICES].render(Answer("", "decline"))[0]  # as any decline


@pytest.mark.parametrize("semantic, kind", [(True, "answer"), (False, "decline")])
def test_a_corpus_of_two_short_documents_still_reads_the_question(
        tmp_path, semantic: bool, kind: str) -> None:
    """Issue 17.24: with two passages every word's BM25 idf is 0, and every question was
    "no question to search for". The words are the question; meaning finds the passage."""
    from bot.pipeline import Pipeline
    from bot.settings import Settings

    (tmp_path / "a.txt").write_text("Bussarna i Granby\n\nEtt månadskort kostar 450 kronor i "
                                    "Granby.\n", "utf-8")
    (tmp_path / "b.txt").write_text("Biblioteket\n\nBiblioteket stänger klockan 15 på "
                                    "lördagar.\n", "utf-8")
    pipeline = Pipeline.from_settings(Settings(_env_file=None, corpus_dir=tmp_path,
                                               index_cache=False, semantic=semantic))
    answer = pipeline.answer("Vad kostar ett månadskort?")
    assert answer.kind == kind
    if semantic:
        assert "450 kronor" in answer.quotes[0].text


@pytest.mark.parametrize("iso, shown", [
    ("2018-11-07", "7 november 2018"), ("2023-04", "april 2023"), ("2023-00", "2023-00"),
    ("2023-13", "2023-13"), ("2023-02-00", "2023-02-00"), ("2023-٠٤", "2023-٠٤"), ("", ""),
    ("odaterad", "odaterad"),
])
def test_a_date_that_is_no_date_is_shown_as_written(iso: str, shown: str) -> None:
    """Issue 17.25: "2023-00" was shown as "december 2023"."""
    from bot.render import swedish_date

    assert swedish_date(iso) == shown
