"""Ingestion of the real corpus: boilerplate out, duplicates once, comments kept, exact offsets."""

from __future__ import annotations

import shutil
import tracemalloc
from pathlib import Path

import pytest

from bot.terminal.cli import main
from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.render import Renderer
from bot.settings import DEFAULT_PROMPTS, Settings
from retrieval.errors import CorpusError
from retrieval.ingest import load_corpus
from tests.support.corpus import CORPUS

BOILERPLATE = ["Annons", "Lämna ett svar", "Lämna en kommentar", "E-postadressen publiceras",
               "Prenumerera", "Starta din prenumeration", "Foto:", "Lästid 4 min", "Publicerad i",
               "Skicka e-post", "Läs mer om Vision Chef", "Texten är en annons", "IP-nummer",
               "Hör av dig – hjälp till", "_____", "Etikettarkiv"]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


def test_all_five_documents_load_without_problems(corpus) -> None:
    assert len(corpus.documents) == 5
    assert corpus.problems == []


@pytest.mark.parametrize("junk", BOILERPLATE)
def test_boilerplate_is_not_a_passage(corpus, junk: str) -> None:
    offenders = [p.id for p in corpus.passages if junk in p.text]
    assert offenders == []


def test_a_dated_publication_line_is_its_own_passage_under_the_title(corpus) -> None:
    datelines = {p.text: p for p in corpus.passages if "Publicerad" in p.text}
    assert set(datelines) == {"Växjö • Publicerad 7 november 2018", "Publicerad: 7 april 2021, 12:19"}
    for p in datelines.values():
        assert p.heading == corpus.documents[p.doc].title


def test_every_passage_is_its_raw_spans(corpus) -> None:
    for p in corpus.passages:
        raw = (CORPUS / p.doc).read_text(encoding="utf-8")
        assert p.text == "\n".join(raw[s:e] for s, e in p.spans)
        assert p.start == p.spans[0][0] and p.end == p.spans[-1][1]
        assert raw[p.start:p.end].startswith(p.text.split("\n")[0])


def test_passage_ids_are_unique_and_stable(corpus) -> None:
    ids = [p.id for p in corpus.passages]
    assert len(ids) == len(set(ids))
    assert ids == [p.id for p in load_corpus(CORPUS).passages]


def test_paragraph_printed_twice_is_kept_once(corpus) -> None:
    line = "– Som helhet är vi väl fungerande, säger Per Sandberg."
    assert sum(line in p.text for p in corpus.passages) == 1
    assert (CORPUS / "002_2ff962fd2406e8a4.txt").read_text(encoding="utf-8").count(line) == 2


def test_reader_comments_stay_with_their_authors(corpus) -> None:
    authors = {p.author for p in corpus.passages if p.doc.startswith("000")} - {""}
    assert authors == {"Gracchus", "Tomas", "Upprörd!", "Jan Hägglund (inläggsförfattare)"}
    gracchus = [p for p in corpus.passages if p.author == "Gracchus"]
    assert any("tystnadskulturen" in p.text for p in gracchus)


def test_a_reply_keeps_its_header_with_the_date(corpus) -> None:
    """"Svar på Gracchus kommentar 29/4-2023" is the only place the reply's date is written:
    it opens the reply's passage, so "När svarade Hägglund …?" can be answered."""
    (reply,) = [p for p in corpus.passages if "Svar på Gracchus kommentar" in p.text]
    assert reply.text.startswith("Svar på Gracchus kommentar 29/4-2023\nDet borde vara självklart")
    assert reply.author == "Jan Hägglund (inläggsförfattare)" and len(reply.spans) == 2


def test_a_caption_keeps_who_is_pictured_not_the_photographers_credit(corpus) -> None:
    """"Heike Erkers förbundsordförande i Akademikerförbundet SSR. Foto: Lena Dahlström" is the
    only place that says so without a comma: the caption is a passage, its credit is not."""
    captions = [p for p in corpus.passages
                if p.text == "Heike Erkers förbundsordförande i Akademikerförbundet SSR."]
    assert len(captions) == 1  # printed twice in the file, kept once
    assert not any("Foto:" in p.text or "Dahlström" in p.text for p in corpus.passages)


def test_headings_belong_to_the_passage_they_introduce(corpus) -> None:
    by_heading = {p.heading: p for p in corpus.passages}
    assert "Många av de tillfrågade" in by_heading["Mer tid"].text
    assert "Mer tid" not in [p.text for p in corpus.passages]
    assert by_heading["Ingress"].text.startswith("Socialtjänsten i Umeå kommun")


def test_list_items_join_their_lead_in_across_dropped_ads(corpus) -> None:
    (lst,) = [p for p in corpus.passages if p.text.startswith("Utredaren pekar på tre områden")]
    assert len(lst.spans) == 4 and "Tillit och förståelse" in lst.text and "Annons" not in lst.text


def test_interview_question_joins_its_answer(corpus) -> None:
    (qa,) = [p for p in corpus.passages if p.text.startswith("Hur allvarlig är situationen?")]
    assert "– Det finns en prioritering" in qa.text


def test_new_files_are_picked_up_and_broken_ones_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "Min rapport om hemtjänst\n\nHemtjänsten i Lund fick 40 miljoner kronor 2022.\n", "utf-8")
    (tmp_path / "b.md").write_text("# Rubrik\n\nEn mening om skolan i Lund.\n", "utf-8")
    (tmp_path / "latin1.txt").write_bytes("Växjö kommun".encode("latin-1"))
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG")
    (tmp_path / "empty.txt").write_text("  \n", "utf-8")
    (tmp_path / "notes.csv").write_text("ignored", "utf-8")
    corpus = load_corpus(tmp_path)
    assert sorted(corpus.documents) == ["a.txt", "b.md"]
    assert corpus.documents["a.txt"].title == "Min rapport om hemtjänst"
    assert {(p.path, p.problem) for p in corpus.problems} == {
        ("latin1.txt", "not_utf8"), ("binary.txt", "binary"), ("empty.txt", "empty"),
        ("notes.csv", "unsupported")}


def test_broken_metadata_is_reported_and_documents_still_load(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Hemtjänsten i Lund fick 40 miljoner kronor 2022.\n", "utf-8")
    (tmp_path / "sources.toml").write_text('[documents."a.txt"\ntitle = ', "utf-8")
    corpus = load_corpus(tmp_path)
    assert list(corpus.documents) == ["a.txt"]
    assert [p.problem for p in corpus.problems] == ["metadata_syntax"]


@pytest.mark.parametrize("make", [lambda p: p / "missing", lambda p: p], ids=["missing", "empty"])
def test_unusable_corpus_folder_raises(tmp_path: Path, make) -> None:
    with pytest.raises(CorpusError):
        load_corpus(make(tmp_path))


LUND = "Hemtjänsten i Lund fick 40 miljoner kronor 2022.\n"
MB = 1024 * 1024


def test_a_file_over_the_limit_is_skipped_unread_with_one_line(tmp_path: Path, monkeypatch,
                                                               capsys) -> None:
    """The limit is CITATBOT_MAX_FILE_MB (10 by default); a 1 MB limit and a 2 MB file show the
    same as the default would with a 50 MB file, without writing 50 MB."""
    monkeypatch.setenv("CITATBOT_MAX_FILE_MB", "1")
    shutil.copy(CORPUS / "000_d2445805d168f45a.txt", tmp_path / "a.txt")
    (tmp_path / "big.txt").write_text(LUND * (2 * MB // len(LUND.encode())), "utf-8")
    tracemalloc.start()
    try:
        corpus = load_corpus(tmp_path, Settings(_env_file=None).max_file_bytes)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert list(corpus.documents) == ["a.txt"]
    assert peak < MB  # the 2 MB were never read (read, they take some 18 MB at the peak)
    monkeypatch.setenv("CITATBOT_CORPUS_DIR", str(tmp_path))
    monkeypatch.setenv("CITATBOT_INDEX_CACHE", "false")
    monkeypatch.setenv("CITATBOT_SEMANTIC", "false")  # the files read are what counts here
    assert main(["ask", "Vad kostar socialtjänsten i Umeå?"]) == 0
    out, err = capsys.readouterr()
    warnings = [line for line in err.splitlines() if not line.endswith("stycken …")]
    assert warnings == ["Varning: big.txt hoppas över: filen är 2 MB, mer än gränsen 1 MB."]
    assert "1,6 miljard" in out
    # A fraction of a megabyte is a limit too: lowered below a small file's size, it is skipped.
    (tmp_path / "big.txt").unlink()
    (tmp_path / "lund.txt").write_text(LUND * 4000, "utf-8")  # about 0.2 MB
    monkeypatch.setenv("CITATBOT_MAX_FILE_MB", "0.1")
    assert main(["ask", "Vad kostar socialtjänsten i Umeå?"]) == 0
    assert capsys.readouterr().err.startswith("Varning: lund.txt hoppas över: filen är 0 MB")


def test_a_file_changed_or_removed_while_running_is_quoted_as_loaded(tmp_path: Path) -> None:
    """The text is read once and kept: answers quote it, offsets and all, whatever the disk
    holds later (a restart loads the new text)."""
    umea, vaxjo = "000_d2445805d168f45a.txt", "002_2ff962fd2406e8a4.txt"
    for name in (umea, vaxjo):
        shutil.copy(CORPUS / name, tmp_path / name)
    loaded = (tmp_path / umea).read_text(encoding="utf-8")
    pipeline = Pipeline.from_settings(Settings(_env_file=None, corpus_dir=tmp_path, index_cache=False, semantic=False))
    chats = ConversationService(pipeline)
    before = chats.handle(1, "Vad kostar socialtjänsten i Umeå?").quotes
    (tmp_path / umea).write_text("Ny inledning.\n\n" + loaded.replace("miljard", "miljon"),
                                 encoding="utf-8")
    (tmp_path / vaxjo).unlink()
    after = chats.handle(2, "Vad kostar socialtjänsten i Umeå?").quotes
    paragraph = chats.handle(2, "stycke 1")
    assert after == before and any("miljard" in q.text for q in after)
    for quote in after:
        assert loaded[quote.start:quote.end] == quote.text
        assert pipeline.corpus.documents[quote.doc].raw[quote.start:quote.end] == quote.text
    assert paragraph.kind == "paragraph" and "miljard" in paragraph.paragraph.text
    assert chats.handle(3, "Hur många lex Sarah-anmälningar har utretts i Växjö?").quotes


def test_a_wrong_metadata_field_gives_one_clear_line_each(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Om hemtjänsten\n\n" + LUND, "utf-8")
    (tmp_path / "sources.toml").write_text(
        '[corpus]\nexamples = "inte en lista"\n\n'
        '[documents."a.txt"]\ntitle = 5\nfarg = "röd"\npublisher = "Lunds kommun"\n', "utf-8")
    corpus = load_corpus(tmp_path)
    txt = Renderer(DEFAULT_PROMPTS, "txt")
    assert [txt.message("problem", problem=p) for p in corpus.problems] == [
        "Varning: sources.toml rad 1: fältet corpus är okänt eller har fel typ och används inte.",
        "Varning: sources.toml rad 6: fältet a.txt: farg är okänt eller har fel typ och används "
        "inte.",
        "Varning: sources.toml rad 5: fältet a.txt: title är okänt eller har fel typ och används "
        "inte.",
    ]
    document = corpus.documents["a.txt"]
    assert document.title == "Om hemtjänsten" and document.publisher == "Lunds kommun"
