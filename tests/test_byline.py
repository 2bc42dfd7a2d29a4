"""Who wrote a text is answered by its byline, quoted from the file, and nothing else is."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.asks import ASKS_AUTHOR
from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.settings import Settings


@pytest.mark.parametrize(("question", "author", "doc"), [
    ("Vem skrev artikeln om Växjö?", "Kerstin Haggren", "002_2ff962fd2406e8a4.txt"),
    ("vem skriver bloggserien om vad umeborna får för skattepengarna?", "Jan Hägglund",
     "000_d2445805d168f45a.txt"),
    ("Vem har skrivit debattartikeln om ledningen i Umeå?", "Jan Hägglund",
     "001_92a4d00e4818902d.txt"),
    # the asking words ("wrote", "article") are in no text: the rest says which one
    ("Who wrote the article about Växjö?", "Kerstin Haggren", "002_2ff962fd2406e8a4.txt"),
    # who interviewed someone is who wrote the interview
    ("Vem intervjuade förvaltningschef Per Sandberg?", "Kerstin Haggren",
     "002_2ff962fd2406e8a4.txt"),
])
def test_who_wrote_the_text_is_answered_by_its_byline(pipeline: Pipeline, question: str,
                                                       author: str, doc: str) -> None:
    answer = pipeline.answer(question)
    assert [q.text for q in answer.quotes] == [author]
    quote = answer.quotes[0]
    assert quote.doc == doc
    assert pipeline.corpus.documents[doc].raw[quote.start:quote.end] == author
    assert answer.more_available  # "mer" goes on to the text


def test_who_interviewed_someone_in_a_text_without_byline_is_said_to_be_unknown(
        pipeline: Pipeline) -> None:
    """The survey article names no writer: a quote of Heike Erkers is no answer to who asked."""
    answer = pipeline.answer("Vem intervjuade Heike Erkers om besluten i individärenden?")
    assert not answer.answered or "author" in answer.missing_kinds


def test_more_after_a_byline_quotes_the_text(pipeline: Pipeline) -> None:
    service = ConversationService(pipeline)
    first = service.handle("c", "Vem skrev artikeln om Växjö?")
    more = service.handle("c", "mer")
    assert first.quotes[0].text == "Kerstin Haggren"
    assert more.kind == "more" and more.quotes
    assert all(q.text != "Kerstin Haggren" for q in more.quotes)


@pytest.mark.parametrize("question", ["Vem skrev utredningen om Feelgood?",
                                      "Vem leder förvaltningen i Växjö?",
                                      "Vilka skriver om socialtjänsten i Umeå?"])
def test_a_question_about_what_the_text_reports_is_no_author_question(question: str) -> None:
    assert not ASKS_AUTHOR.search(question)


@pytest.mark.parametrize("question", ["Vem har skrivit texten?", "Vem skrev artikeln om fotboll?",
                                      "Who wrote the article about Harry Potter?"])
def test_who_wrote_a_text_it_does_not_name_is_no_byline(pipeline: Pipeline, question: str) -> None:
    """Five texts, and the question says which by none of them (or names one the corpus does
    not have): no author is picked at random."""
    assert pipeline.answer(question).quotes == ()


def test_a_file_that_does_not_name_its_author_gets_no_byline(tmp_path: Path,
                                                             settings: Settings) -> None:
    (tmp_path / "a.md").write_text(
        "# Budgeten i Lillby\n\nSocialtjänsten i Lillby kostar 40 miljoner kronor i år, "
        "skriver kommunen i sin budget.\n\nBudgeten för socialtjänsten i Lillby ökar.\n",
        encoding="utf-8")
    (tmp_path / "sources.toml").write_text(
        '[documents."a.md"]\ntitle = "Budgeten i Lillby"\nauthor = "Anna Andersson"\n',
        encoding="utf-8")
    pipeline = Pipeline.from_settings(settings.model_copy(update={
        "corpus_dir": tmp_path, "semantic": False}))
    answer = pipeline.answer("Vem skrev artikeln om budgeten för socialtjänsten i Lillby?")
    assert all("Anna Andersson" not in q.text for q in answer.quotes)


def test_an_author_question_answered_without_a_byline_says_so(pipeline) -> None:
    """The tag archive of the survey articles names no author in its file: its quotes are
    about the text, and Veronica Magnusson, quoted in it, must not pass for its writer."""
    answer = pipeline.answer("Vem skrev artikeln om underskott och social skuld?")
    assert answer.answered and answer.quotes[0].doc == "003_66b81b3ad505a8cf.txt"
    assert answer.missing_kinds == ("author",) and answer.missing == ("Vem skrev artikeln",)
    byline = pipeline.answer("Vem skrev artikeln om Växjö?")
    assert byline.quotes[0].text == "Kerstin Haggren" and byline.missing_kinds == ()
