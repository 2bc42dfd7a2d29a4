"""sources.toml that fails softly, and `citatbot index --check`: one mistake costs one document
its metadata and is named with its line; the check exits 1 with one line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.render import Renderer
from bot.settings import DEFAULT_PROMPTS
from bot.terminal.cli import main
from retrieval.ingest import MAX_FALLBACK_TITLE, load_corpus

LUND = "Hemtjänsten i Lund fick 40 miljoner kronor 2022.\n"
TOML = '''[corpus]
examples = ["Vad fick hemtjänsten i Lund?"]

[documents."a.txt"]
title = "Hemtjänsten i Lund"
publisher = "Lunds kommun"

[documents."b.txt"]
title = "Skolan i Lund
publisher = "Sydsvenskan"

[documents."c.txt"]
title = "Äldreomsorgen i Lund"

[documents."borta.txt"]
title = "En fil som inte finns"
'''


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    tmp_path = tmp_path / "corpus"
    tmp_path.mkdir()
    for name, subject in (("a.txt", "Hemtjänsten"), ("b.txt", "Skolan"), ("c.txt", "Äldreomsorgen")):
        (tmp_path / name).write_text(f"Om {subject.lower()}\n\n{subject} i Lund fick 40 miljoner "
                                     "kronor 2022.\n", "utf-8")
    (tmp_path / "sources.toml").write_text(TOML, "utf-8")
    return tmp_path


def lines(corpus) -> list[str]:
    txt = Renderer(DEFAULT_PROMPTS, "txt")
    return [txt.message("problem", problem=p) for p in corpus.problems]


def test_a_syntax_error_costs_only_its_own_table(folder: Path) -> None:
    corpus = load_corpus(folder)
    documents = corpus.documents
    assert (documents["a.txt"].title, documents["a.txt"].publisher) == ("Hemtjänsten i Lund",
                                                                        "Lunds kommun")
    assert documents["b.txt"].title == "Om skolan"  # its table is lost, its first line serves
    assert documents["c.txt"].title == "Äldreomsorgen i Lund"
    assert corpus.info.examples == ("Vad fick hemtjänsten i Lund?",)
    assert lines(corpus) == [
        "Varning: sources.toml rad 9: syntaxfel; uppgifterna om b.txt används inte, resten av "
        "filen gäller.",
        "Varning: sources.toml rad 15: det finns ingen fil borta.txt i korpusmappen; tabellen "
        "används inte.",
    ]


def test_a_title_from_a_huge_first_line_is_shortened(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Lund " * 200_000 + "\n\n" + LUND, "utf-8")
    title = load_corpus(tmp_path).documents["a.txt"].title
    assert len(title) <= MAX_FALLBACK_TITLE and title.endswith("…")


def test_hidden_files_and_the_cache_are_not_documents(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(LUND, "utf-8")
    (tmp_path / ".utkast.txt").write_text(LUND, "utf-8")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "index.txt").write_text(LUND, "utf-8")
    (tmp_path / "bilder").mkdir()
    (tmp_path / "bilder" / "logo.png").write_bytes(b"\x89PNG")
    corpus = load_corpus(tmp_path)
    assert list(corpus.documents) == ["a.txt"]
    assert lines(corpus) == ["Varning: bilder/logo.png hoppas över: citatbot läser inte .png-filer "
                             "(bara .txt, .md, .pdf, .html, .docx)."]


def test_index_check_names_each_problem_and_exits_1(folder: Path, monkeypatch, capsys) -> None:
    (folder / "synonyms.txt").write_text("socialen, socialtjänsten\nett ord\n", "utf-8")
    (folder / "tom.txt").write_text("  \n", "utf-8")
    monkeypatch.setenv("CITATBOT_CORPUS_DIR", str(folder))
    assert main(["index", "--check"]) == 1
    out = capsys.readouterr()
    assert out.err.splitlines() == [
        "Varning: sources.toml rad 9: syntaxfel; uppgifterna om b.txt används inte, resten av "
        "filen gäller.",
        "Varning: tom.txt hoppas över: filen är tom.",
        "Varning: sources.toml rad 15: det finns ingen fil borta.txt i korpusmappen; tabellen "
        "används inte.",
        "Varning: synonyms.txt rad 2: ett ord: raden behöver minst två ord (eller ord på båda "
        "sidor om =>) och används inte.",
    ]
    assert not (folder.parent / ".cache").exists()  # a check builds no index


def test_index_check_passes_a_clean_folder(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "a.txt").write_text(LUND, "utf-8")
    monkeypatch.setenv("CITATBOT_CORPUS_DIR", str(tmp_path))
    assert main(["index", "--check"]) == 0
    assert capsys.readouterr().out.strip() == "Korpusen är i ordning: 1 dokument, inga problem."
