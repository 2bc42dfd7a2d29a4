"""Sources people can open: source lines shared by a document's run of quotes, short titles,
links that scroll to the quote, balanced quote marks, and the `source` of `ask --json`.
Real corpus, real pipeline, real templates."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import unquote

import pytest

from bot.answer import Answer
from bot.pipeline import Pipeline
from bot.render import Renderer
from bot.sources import MAX_TITLE, fragment_link, short_title, text_directive
from bot.terminal.cli import main
from retrieval.tuning import Tuning
from tests.support.corpus import CORPUS, VAXJO

SMP = "https://www.smp.se/nyheter/omorganisation-skapade-kaos-pa-socialen-aldrig-varit-med-om-maken/"
LONG_TITLE = ("Socialtjänsten i Umeå kostar 1,6 miljarder – men får vi tillbaka detta i form av "
              "individ- och familjeomsorg? Del 3: Vad får vi för skatten?")


def rendered(pipeline: Pipeline, question: str, form: str = "txt") -> str:
    return Renderer(pipeline.settings.prompts_dir, form).answer(pipeline.answer(question),
                                                                pipeline.corpus)


def test_a_documents_run_of_quotes_shares_one_source_line(pipeline: Pipeline) -> None:
    answer = pipeline.answer("Vad måste ses över enligt Veronica Magnusson?")
    docs = [q.doc for q in answer.quotes]
    runs = sum(1 for i, doc in enumerate(docs) if i == 0 or docs[i - 1] != doc)
    assert runs < len(docs)  # the case to show: several quotes of one document in a row
    text = Renderer(pipeline.settings.prompts_dir, "txt").answer(answer, pipeline.corpus)
    lines = [line.strip() for line in text.splitlines()]
    assert sum(line.startswith("— ") for line in lines) == runs
    assert sum(line.startswith("[") for line in lines) == len(docs)


def test_long_titles_are_shortened_on_the_line_and_whole_in_sources(pipeline: Pipeline) -> None:
    short = short_title(LONG_TITLE)
    assert len(short) <= MAX_TITLE and short.endswith("…")
    assert LONG_TITLE.startswith(short[:-1]) and LONG_TITLE[len(short) - 1] == " "
    assert short_title("Kort titel") == "Kort titel"
    line = rendered(pipeline, "Vad kostar socialtjänsten i Umeå?")
    assert f"— {short}, Arbetarpartiets blogg" in line and LONG_TITLE not in line
    listing = Renderer(pipeline.settings.prompts_dir, "txt").answer(Answer("källor", "sources"),
                                                                    pipeline.corpus)
    assert LONG_TITLE in listing and SMP in listing


def test_the_terminal_prints_the_url_under_the_source_line(pipeline: Pipeline) -> None:
    lines = [line.strip() for line in rendered(pipeline, VAXJO).splitlines()]
    source = next(i for i, line in enumerate(lines) if line.startswith("— Omorganisation"))
    assert lines[source + 1] == SMP


def test_the_html_source_line_links_to_the_quote(pipeline: Pipeline) -> None:
    answer = pipeline.answer(VAXJO)
    html = Renderer(pipeline.settings.prompts_dir, "html").answer(answer, pipeline.corpus)
    assert f'<a href="{SMP}#:~:text=' in html
    assert "Omorganisation skapade kaos på socialen: ”Aldrig varit med om maken”</a>" in html
    link = fragment_link(SMP, [q.text for q in answer.quotes])
    for directive, quote in zip(link.split("#:~:")[1].split("&"), answer.quotes):
        start = unquote(directive.removeprefix("text=").split(",")[0])
        assert quote.text.startswith(start) or quote.text.lstrip("”•– ").startswith(start)


@pytest.mark.parametrize("text, directive", [
    ("Ytterligare fyra utredningar pågår.", "Ytterligare%20fyra%20utredningar%20p%C3%A5g%C3%A5r"),
    ("• Personal och kompetensförsörjningen", "Personal%20och%20kompetensf%C3%B6rs%C3%B6rjningen"),
    ("Fem lex Sarah-anmälningar gjordes på kort tid som ett desperat rop på hjälp.",
     "Fem%20lex%20Sarah%2Danm%C3%A4lningar%20gjordes,desperat%20rop%20p%C3%A5%20hj%C3%A4lp"),
], ids=["short", "bullet", "long-with-dash"])
def test_a_text_directive_names_the_quotes_words(text: str, directive: str) -> None:
    assert text_directive(text) == directive


def test_only_a_web_url_becomes_a_link() -> None:
    assert fragment_link("", ["ord"]) == ""
    assert fragment_link("javascript:alert(1)", ["ord"]) == ""
    assert fragment_link("https://x.se/a#del", ["två ord"]) == "https://x.se/a#del:~:text=tv%C3%A5%20ord"


@pytest.mark.parametrize("question, opening", [
    ("Vad drar kommuner med ekonomiskt underskott ner på först?", "”Det förebyggande"),
    ("Vad hindrar socionomer från att utföra socialt arbete?", "»”En tung"),
    ("Hur ska man kunna påverka en klient i positiv riktning?", "»Den renodlade"),
], ids=["whole-quotation", "begins-with-mark", "ends-with-mark"])
def test_quote_marks_are_never_doubled(pipeline: Pipeline, question: str, opening: str) -> None:
    if opening.startswith("”Det"):
        # The corpus's one sentence wholly in quote marks is a pull quote, which gives way to
        # the text it repeats; read without that lever, it leads.
        pipeline = Pipeline.from_settings(pipeline.settings, corpus=pipeline.corpus,
                                          previous=pipeline,
                                          tuning=replace(Tuning(), whole_repeats=False))
    answer = pipeline.answer(question)
    text = Renderer(pipeline.settings.prompts_dir, "txt").answer(answer, pipeline.corpus)
    quote_lines = [line.split("] ", 1)[1] for line in text.splitlines() if line.startswith("[")]
    assert quote_lines[0].startswith(opening)
    for line, quote in zip(quote_lines, answer.quotes):
        assert "””" not in line and "»»" not in line
        assert quote.text in line and len(line) - len(quote.text) in (0, 2)
        if len(line) == len(quote.text) + 2:
            assert line[0] == line[-1]  # one opening and its matching closing mark
        raw = (CORPUS / quote.doc).read_text(encoding="utf-8")
        assert raw[quote.start:quote.end] == quote.text


def test_ask_json_gives_each_quote_its_source(capsys) -> None:
    assert main(["ask", "--json", VAXJO]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["missing"] == []
    smp = [q["source"] for q in obj["quotes"] if q["doc"] == "002_2ff962fd2406e8a4.txt"]
    assert smp and smp[0] == {
        "title": "Omorganisation skapade kaos på socialen: ”Aldrig varit med om maken”",
        "publisher": "Smålandsposten", "author": "Kerstin Haggren", "date": "2018-11-07",
        "url": SMP}
    assert main(["ask", "--json", "varfor kritiseras feelgood utredningen"]) == 0
    comment = json.loads(capsys.readouterr().out)["quotes"][0]["source"]
    assert comment["title"] == LONG_TITLE and comment["url"] == ""
    assert comment["author"] == "Upprörd!"  # who wrote the quoted words: the commenter
