"""PDF, HTML, Word and Markdown as people have them: real files made by their libraries, read
through the one extraction step, answered from, every quote an exact span of the extracted text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.terminal.cli import main
from retrieval.formats import extract
from retrieval.ingest import load_corpus
from tests.support.documents import HTML, HTML_NOISE, MARKDOWN, PDF_PAGE_2, write_documents

QUESTIONS = {
    "rapporter/hemtjanst.pdf": "Hur stor var personalomsättningen i hemtjänsten i Mörbylånga?",
    "webb/kalmar.html": "Hur många socialsekreterare anställer Kalmar kommun?",
    "pm.docx": "Hur mycket minskade antalet hushåll med ekonomiskt bistånd i Borgholm?",
    "familjeratt.md": "Hur lång var väntetiden till familjerätten i Nybro?",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """One document of each format, two of them in subfolders."""
    path = tmp_path_factory.mktemp("documents")
    return path, write_documents(path)


@pytest.fixture(scope="module")
def pipeline(folder: tuple[Path, dict[str, str]]) -> Pipeline:
    return Pipeline.from_settings(Settings(_env_file=None, corpus_dir=folder[0], semantic=False,
                                           index_cache=False))


def test_markdown_is_read_as_its_reader_sees_it() -> None:
    text = extract(Path("a.md"), MARKDOWN.encode()).text
    assert "åtta veckor under 2023, enligt Nybro kommun." in text
    assert not any(mark in text for mark in ("**", "](", "##", "https://", "|---"))
    assert "• fler handläggare\n• digital tidsbokning" in text
    assert "2023 | 8" in text


def test_html_keeps_the_article_and_drops_the_page_around_it() -> None:
    found = extract(Path("a.html"), HTML.encode())
    assert "Kalmar kommun anställer tolv nya socialsekreterare" in found.text
    assert [noise for noise in HTML_NOISE if noise in found.text] == []
    assert found.meta == {"title": "Kalmar kommun satsar på socialtjänsten", "author": "Anna Berg",
                          "date": "2024-03-05", "publisher": "Barometern"}


def test_documents_in_subfolders_are_named_by_their_path(folder) -> None:
    corpus = load_corpus(folder[0])
    assert sorted(corpus.documents) == ["familjeratt.md", "pm.docx", "rapporter/hemtjanst.pdf",
                                        "webb/kalmar.html"]
    assert corpus.problems == []


def test_the_file_s_own_metadata_fills_in_for_sources_toml(folder) -> None:
    documents = load_corpus(folder[0]).documents
    pdf, word = documents["rapporter/hemtjanst.pdf"], documents["pm.docx"]
    assert (pdf.title, pdf.author, pdf.date) == ("Årsrapport om hemtjänsten i Mörbylånga",
                                                 "Vård- och omsorgsförvaltningen", "2024-02-01")
    assert (word.title, word.author, word.date) == ("PM om ekonomiskt bistånd i Borgholm",
                                                    "Karin Ek", "2024-01-15")


def test_sources_toml_wins_over_the_file(tmp_path: Path) -> None:
    write_documents(tmp_path)
    (tmp_path / "sources.toml").write_text(
        '[documents."rapporter/hemtjanst.pdf"]\ntitle = "Hemtjänstrapporten"\n', "utf-8")
    pdf = load_corpus(tmp_path).documents["rapporter/hemtjanst.pdf"]
    assert (pdf.title, pdf.author) == ("Hemtjänstrapporten", "Vård- och omsorgsförvaltningen")


@pytest.mark.parametrize("name", sorted(QUESTIONS), ids=lambda n: Path(n).suffix[1:])
def test_each_format_answers_with_an_exact_span_of_its_text(pipeline: Pipeline, folder,
                                                            name: str) -> None:
    answer = pipeline.answer(QUESTIONS[name])
    assert answer.answered
    quote = answer.quotes[0]
    assert quote.doc == name
    assert folder[1][name] in quote.text or quote.text in folder[1][name]
    for q in answer.quotes:
        assert pipeline.corpus.documents[q.doc].raw[q.start:q.end] == q.text
        assert not any(mark in q.text for mark in ("**", "](", "<p>", "##"))


def test_ask_json_says_which_page_a_pdf_quote_is_on(folder, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CITATBOT_CORPUS_DIR", str(folder[0]))
    monkeypatch.setenv("CITATBOT_SEMANTIC", "false")
    assert main(["ask", "--json", QUESTIONS["rapporter/hemtjanst.pdf"]]) == 0
    quote = json.loads(capsys.readouterr().out)["quotes"][0]
    assert (quote["doc"], quote["page"], quote["text"]) == ("rapporter/hemtjanst.pdf", 2,
                                                            PDF_PAGE_2)


def test_ask_json_maps_a_markdown_quote_back_to_the_file(folder, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CITATBOT_CORPUS_DIR", str(folder[0]))
    monkeypatch.setenv("CITATBOT_SEMANTIC", "false")
    assert main(["ask", "--json", QUESTIONS["familjeratt.md"]]) == 0
    quote = json.loads(capsys.readouterr().out)["quotes"][0]
    source = (folder[0] / "familjeratt.md").read_text("utf-8")
    assert "page" not in quote
    span = source[quote["file_start"]:quote["file_end"]]  # the quote as written, markup and all
    assert span.startswith("Väntetiden till en första kontakt")
    assert span.endswith("**åtta veckor** under 2023, enligt [Nybro kommun](https://nybro.se/familjeratt).")


def test_extracted_text_is_cached_and_a_changed_file_extracted_anew(tmp_path: Path) -> None:
    corpus_dir, cache = tmp_path / "c", tmp_path / "extracted.json"
    corpus_dir.mkdir()
    write_documents(corpus_dir)
    first = load_corpus(corpus_dir, cache_path=cache)
    assert "Personalomsättningen" in cache.read_text("utf-8")
    again = load_corpus(corpus_dir, cache_path=cache)
    assert again.documents["pm.docx"].raw == first.documents["pm.docx"].raw
    (corpus_dir / "familjeratt.md").write_text("# Ny\n\nHelt ny text om Nybro.\n", "utf-8")
    assert "Helt ny text" in load_corpus(corpus_dir, cache_path=cache).documents[
        "familjeratt.md"].raw


def test_citatbot_text_prints_what_the_offsets_refer_to(folder, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CITATBOT_CORPUS_DIR", str(folder[0]))
    monkeypatch.setenv("CITATBOT_SEMANTIC", "false")
    assert main(["ask", "--json", QUESTIONS["pm.docx"]]) == 0
    quote = json.loads(capsys.readouterr().out)["quotes"][0]
    assert main(["text", "pm.docx"]) == 0
    assert capsys.readouterr().out[quote["start"]:quote["end"]] == quote["text"]
    assert main(["text", "saknas.pdf"]) == 1
    assert capsys.readouterr().err.strip() == ("citatbot: det finns inget dokument saknas.pdf i "
                                               "korpusen. ”citatbot ask källor” visar dokumenten.")
