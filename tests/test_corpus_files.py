"""Files a corpus folder may hold that are not plain documents (issue 17): names that share a
stem, links out of the folder or to nothing, named pipes, control characters and decomposed
letters in names, byte-order marks and "\\r\\n" line ends. Each is read, or skipped with one
line, and nothing outside the folder is ever read."""

from __future__ import annotations

import json
import os
import stat
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.chat_states import QuoteCodec
from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.telegram.feedback import FeedbackStore
from bot.terminal.cli import main
from retrieval.files import FileRefused, read_capped
from retrieval.ingest import load_corpus

UMEA = "Socialtjänsten i Umeå kostar nära 1,6 miljarder kronor för innevarande år.\n"
LUND = "Hemtjänsten i Lund fick 40 miljoner kronor år 2022 för fler anställda.\n"
KIRUNA = "Gruvstaden Kiruna flyttar sin kyrka fyra kilometer österut under sommaren.\n"
SECRET = "TELEGRAM_BOT_TOKEN=123456:hemligtvarde Kiruna kyrka flyttar token\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty corpus folder that `citatbot` commands use, words only (fast), cache on."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    monkeypatch.setenv("CITATBOT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("CITATBOT_SEMANTIC", "false")
    return corpus


def ask_json(question: str, capsys: pytest.CaptureFixture[str]) -> tuple[dict, list[str]]:
    """`citatbot ask --json QUESTION`: its object and its warning lines."""
    assert main(["ask", "--json", question]) == 0
    out, err = capsys.readouterr()
    return json.loads(out), [line for line in err.splitlines() if line.startswith("Varning")]


def as_stored(path: Path) -> str:
    """The file's characters as stored, which `file_start`/`file_end` refer to."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


# 17.2 — two files, one stem

def test_files_sharing_a_stem_keep_their_own_passages(folder: Path) -> None:
    """"a.md.txt" and "a.md" both had ids "a.md-p001": every cache keyed by id mixed them."""
    (folder / "a.txt").write_text(UMEA, "utf-8")
    (folder / "a.md").write_text(LUND, "utf-8")
    (folder / "a.md.txt").write_text(KIRUNA, "utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "a.txt").write_text(UMEA.replace("Umeå", "Piteå"), "utf-8")
    settings = Settings(_env_file=None)
    for start in ("built", "from the cache"):
        pipeline = Pipeline.from_settings(settings)
        ids = {p.id: p.doc for p in pipeline.corpus.passages}
        assert len(ids) == len(pipeline.corpus.passages) == 4, start
        assert ids["a-p001"] == "a.txt"  # an unambiguous name keeps the id it always had
        chats = ConversationService(pipeline)
        for question, doc, word in [("Vad flyttar Kiruna?", "a.md.txt", "kyrka"),
                                    ("Vad fick hemtjänsten i Lund?", "a.md", "40 miljoner")]:
            answer = chats.handle(1, question)
            [quote] = answer.quotes
            assert (quote.doc, quote.passage.doc) == (doc, doc) and word in quote.text
            assert pipeline.corpus.documents[doc].raw[quote.start:quote.end] == quote.text
            # the chat state keeps references by id: they come back as the same quote
            codec = QuoteCodec(pipeline.corpus)
            assert codec.load_quotes(codec.dump_quotes(answer.quotes)) == answer.quotes


# 17.3 — links out of the folder; owner-only caches and votes

def test_a_link_out_of_the_folder_is_never_read(folder: Path, capsys) -> None:
    """A link to a .env elsewhere made the bot quote the token to anyone who asked."""
    outside = folder.parent / "elsewhere"
    outside.mkdir()
    (outside / ".env").write_text(SECRET, "utf-8")
    (outside / "sources.toml").write_text('[documents."a.txt"]\ntitle = "token"\n', "utf-8")
    (folder / "a.txt").write_text(KIRUNA, "utf-8")
    (folder / "leak.txt").symlink_to(outside / ".env")
    (folder / "sources.toml").symlink_to(outside / "sources.toml")
    (folder / "synonyms.txt").symlink_to(outside / ".env")
    (folder / "same.txt").symlink_to("a.txt")  # a link within the folder is read
    answer, warnings = ask_json("Vad flyttar Kiruna?", capsys)
    shown = json.dumps(answer, ensure_ascii=False)
    assert "hemligt" not in shown and "TELEGRAM" not in shown
    assert warnings == [
        "Varning: sources.toml hoppas över: länken leder ut ur korpusmappen, och bara filer i "
        "den läses.",
        "Varning: leak.txt hoppas över: länken leder ut ur korpusmappen, och bara filer i den "
        "läses.",
        "Varning: synonyms.txt hoppas över: länken leder ut ur korpusmappen, och bara filer i "
        "den läses."]
    assert {q["doc"] for q in answer["quotes"]} <= {"a.txt", "same.txt"} and answer["quotes"]
    for cached in (folder.parent / ".cache" / "citatbot").iterdir():
        assert b"hemligt" not in cached.read_bytes()


def test_caches_and_votes_are_written_owner_only(folder: Path, tmp_path: Path, capsys) -> None:
    """They hold the documents' text and the users' questions; the extracted-text cache was
    written readable by all, and SQLite made the vote file with the umask's permissions."""
    (folder / "a.txt").write_text(KIRUNA, "utf-8")
    (folder / "b.md").write_text("# Lund\n\n" + LUND, "utf-8")
    old = os.umask(0o022)
    try:
        ask_json("Vad fick hemtjänsten i Lund?", capsys)
        votes = FeedbackStore(tmp_path / "votes" / "feedback.sqlite3")
        votes.check()
    finally:
        os.umask(old)
    written = [*(folder.parent / ".cache" / "citatbot").iterdir(), votes.path, votes.key_path]
    assert any(p.name.endswith(".extracted.json") for p in written)
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in written} == {
        p.name: 0o600 for p in written}


# 17.11 — a link to nothing

def test_a_dangling_link_is_named_once_and_every_command_works(folder: Path, capsys) -> None:
    (folder / "a.txt").write_text(KIRUNA, "utf-8")
    (folder / "gone.txt").symlink_to(folder / "removed.txt")
    line = "Varning: gone.txt hoppas över: länken leder till en fil som inte finns."
    for _ in ("first start", "from the cache"):
        answer, warnings = ask_json("Vad flyttar Kiruna?", capsys)
        assert warnings == [line] and answer["quotes"]
    for command, status in ((["index"], 0), (["index", "--check"], 1)):
        assert main(command) == status
        assert capsys.readouterr().err.splitlines() == [line]


# 17.15 — named pipes and devices

def unblocked(run: Callable[[], object], pipe: Path, seconds: float = 10.0) -> bool:
    """Whether `run` finished within `seconds`; if not, it is released by opening the pipe's
    other end (so a failing test ends) and False is returned."""
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(seconds)
        return False
    return True


def test_a_named_pipe_or_a_device_is_skipped_not_waited_on(folder: Path) -> None:
    """A pipe named *.txt held start-up forever; a link to /dev/zero read until MemoryError."""
    (folder / "a.txt").write_text(KIRUNA, "utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    loaded = []
    assert unblocked(lambda: loaded.append(load_corpus(folder)), folder / "pipe.txt")
    assert {(p.path, p.problem) for p in loaded[0].problems} == {
        ("pipe.txt", "not_regular"), ("zero.txt", "link_outside")}
    assert list(loaded[0].documents) == ["a.txt"]


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux's /proc")
def test_a_file_is_read_no_further_than_the_limit_whatever_its_size_says() -> None:
    """/proc files are regular files of size 0 that hold more: the size is no limit."""
    assert Path("/proc/self/status").stat().st_size == 0
    with pytest.raises(FileRefused, match="too_large"):
        read_capped(Path("/"), Path("/proc/self/status"), 100)
    assert read_capped(Path("/"), Path("/proc/self/status"), 1 << 20).startswith(b"Name:")


# 17.23 — what a file name may hold

def test_control_characters_in_file_names_are_shown_escaped(folder: Path, capsys) -> None:
    """A name with terminal codes retitled and coloured the terminal its warning was shown in."""
    (folder / "a.txt").write_text(KIRUNA, "utf-8")
    (folder / "x\x1b]0;pwned\x07\x1b[31m.txt").write_bytes(b"\xff\xfe not utf-8")
    _, warnings = ask_json("Vad flyttar Kiruna?", capsys)
    assert warnings == [r"Varning: x\x1b]0;pwned\x07\x1b[31m.txt hoppas över: filen är inte "
                        "UTF-8-text."]


def test_a_decomposed_file_name_keeps_its_metadata(folder: Path) -> None:
    """macOS writes "Växjö.txt" decomposed (NFD); sources.toml names it composed (NFC)."""
    name = unicodedata.normalize("NFD", "Växjö.txt")
    (folder / name).write_text(UMEA, "utf-8")
    (folder / "sources.toml").write_text('[documents."Växjö.txt"]\ntitle = "Rapport från '
                                         'Växjö"\npublisher = "Smålandsposten"\n', "utf-8")
    corpus = load_corpus(folder)
    assert list(corpus.documents) == [name]  # the name stays the file's, so it can be opened
    assert corpus.documents[name].title == "Rapport från Växjö"
    assert corpus.documents[name].publisher == "Smålandsposten" and corpus.problems == []


# 17.25 — byte-order marks and "\r\n"

def test_a_byte_order_mark_is_in_no_title(folder: Path, capsys) -> None:
    (folder / "a.txt").write_text("\ufeffKyrkan flyttar\n\n" + KIRUNA, "utf-8")
    (folder / "b.md").write_text("\ufeff# Lunds hemtjänst\n\n" + LUND, "utf-8")
    (folder / "c.txt").write_text(UMEA, "utf-8")
    (folder / "sources.toml").write_text('\ufeff[documents."c.txt"]\ntitle = "Umeå"\n', "utf-8")
    corpus = load_corpus(folder)
    titles = {name: doc.title for name, doc in corpus.documents.items()}
    assert titles == {"a.txt": "Kyrkan flyttar", "b.md": "Lunds hemtjänst", "c.txt": "Umeå"}
    assert corpus.problems == []
    answer, _ = ask_json("Vad flyttar Kiruna?", capsys)
    [quote] = answer["quotes"]
    assert (folder / "a.txt").read_text(encoding="utf-8")[quote["start"]:quote["end"]] == quote["text"]


def test_offsets_of_a_file_with_crlf_line_ends_are_the_files_own(folder: Path, capsys) -> None:
    """The contract's offsets are those of `open(path, encoding="utf-8").read()`, whose "\\r\\n"
    reads as "\\n"; where the quote lies in the file as stored was nowhere (off by one a line):
    `file_start`/`file_end` say it."""
    lines = ["Kyrkan", "", UMEA.strip(), "", LUND.strip(), "", KIRUNA.strip(), ""]
    (folder / "a.txt").write_bytes("\r\n".join(lines).encode())
    (folder / "b.md").write_bytes("\r\n".join(["# Rubrik", "", "Ett stycke om skolan.", "",
                                               "```", "kod", "rad", "```", "",
                                               LUND.replace("Lund", "Malmö").strip(), ""]
                                              ).encode())
    for question, doc in [("Vad flyttar Kiruna?", "a.txt"), ("Vad fick hemtjänsten i Malmö?",
                                                             "b.md")]:
        answer, _ = ask_json(question, capsys)
        quote = answer["quotes"][0]
        assert quote["doc"] == doc
        raw = as_stored(folder / doc)
        assert raw[quote["file_start"]:quote["file_end"]] == quote["text"]
        if doc.endswith(".txt"):
            read = (folder / doc).read_text(encoding="utf-8")  # newlines translated
            assert read[quote["start"]:quote["end"]] == quote["text"]
            assert quote["start"] < quote["file_start"]  # two "\r\n" before it
