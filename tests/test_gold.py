"""The gold loader: valid rows load, every kind of bad row is refused with its line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.terminal.cli import main
from bot.errors import GoldEmpty, GoldError, GoldMissing, GoldRow
from bot.evaluation.gold import GoldPair, load_gold
from retrieval.ingest import Corpus, load_corpus

DATA = Path(__file__).parent / "data"
TINY_CORPUS = DATA / "tiny_corpus"
TINY_GOLD = DATA / "tiny_gold.jsonl"
GOOD = ('{"id": "a", "question": "Vad kostar kortet?", "answers": ["450 kronor"], '
        '"doc": "a_bussar.txt", "answerable": true, "kind": "number"}')
UNANSWERABLE = ('{"id": "u", "question": "Vem vann?", "answers": [], "doc": null, '
                '"answerable": false, "kind": "offtopic"}')


@pytest.fixture(scope="module")
def tiny() -> Corpus:
    """The hand-made three-file corpus."""
    return load_corpus(TINY_CORPUS)


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_tiny_gold_loads_with_line_numbers(tiny: Corpus) -> None:
    pairs = load_gold(TINY_GOLD, tiny.documents)
    assert [p.id for p in pairs] == ["t1", "t2", "t3", "t4", "t5", "u1", "u2", "u3"]
    assert pairs[4] == GoldPair("t5", "Vad heter rektorn på Ekbyskolan?",
                                ("Maja Lind", "Rektorn heter Maja"), "c_skola.txt", True, "who", 6)
    assert pairs[5].doc is None and pairs[5].answers == ()


def test_answers_compare_with_whitespace_collapsed(tmp_path: Path, tiny: Corpus) -> None:
    row = GOOD.replace("450 kronor", "kostar\\n 450   kronor")
    assert load_gold(write(tmp_path, row), tiny.documents)[0].answers == ("kostar\n 450   kronor",)


def test_kind_is_optional(tmp_path: Path, tiny: Corpus) -> None:
    row = GOOD.replace(', "kind": "number"', "")
    assert load_gold(write(tmp_path, row), tiny.documents)[0].kind == ""


def test_a_premise_is_the_wrong_detail_as_typed(tmp_path: Path, tiny: Corpus) -> None:
    row = GOOD.replace("Vad kostar kortet?", "Kostar kortet 500 kr?").replace(
        '"kind"', '"premise": ["500 KR"], "kind"')
    assert load_gold(write(tmp_path, row), tiny.documents)[0].premise == ("500 KR",)
    assert load_gold(write(tmp_path, GOOD), tiny.documents)[0].premise == ()


BAD_ROWS = [
    ("malformed-json", ["{\"id\": \"a\","], 1, "ogiltig JSON"),
    ("not-an-object", [GOOD, "[1, 2]"], 2, "måste vara ett JSON-objekt"),
    ("missing-field", [GOOD.replace('"question": "Vad kostar kortet?", ', "")], 1,
     "fältet 'question' saknas"),
    ("wrong-type", [GOOD.replace("true", '"ja"')], 1,
     "fältet 'answerable' måste vara true eller false"),
    ("answers-not-strings", [GOOD.replace('["450 kronor"]', "[450]")], 1,
     "fältet 'answers' måste vara en lista av strängar"),
    ("answers-not-list", [GOOD.replace('["450 kronor"]', '"450 kronor"')], 1,
     "fältet 'answers' måste vara en lista av strängar"),
    ("unknown-field", [GOOD.replace('"kind"', '"sort"')], 1, "okänt fält 'sort'"),
    ("empty-question", [GOOD.replace("Vad kostar kortet?", " ")], 1, "fältet 'question' är tomt"),
    ("duplicate-id", [GOOD, UNANSWERABLE, GOOD], 3, "id 'a' finns redan på rad 1"),
    ("not-verbatim", [UNANSWERABLE, GOOD.replace("450 kronor", "460 kronor")], 2,
     "svaret '460 kronor' står inte ordagrant i a_bussar.txt"),
    ("doc-not-in-corpus", [GOOD.replace("a_bussar.txt", "saknas.txt")], 1,
     "dokumentet 'saknas.txt' finns inte i korpusen"),
    ("answerable-without-doc", [GOOD.replace('"a_bussar.txt"', "null")], 1,
     "en besvarbar fråga behöver ett filnamn i 'doc'"),
    ("answerable-without-answers", [GOOD.replace('["450 kronor"]', "[]")], 1,
     "minst ett svar"),
    ("unanswerable-with-answers", [UNANSWERABLE.replace("[]", '["450 kronor"]')], 1,
     "obesvarbar fråga ska ha answers [] och doc null"),
    ("unanswerable-with-doc", [UNANSWERABLE.replace("null", '"a_bussar.txt"')], 1,
     "obesvarbar fråga ska ha answers [] och doc null"),
    ("blank-lines-still-counted", ["", GOOD, "", "{oops}"], 4, "ogiltig JSON"),
    ("premise-not-in-question", [GOOD.replace('"kind"', '"premise": ["500 kronor"], "kind"')], 1,
     "premissen '500 kronor' står inte i frågan"),
    ("premise-not-strings", [GOOD.replace('"kind"', '"premise": [500], "kind"')], 1,
     "fältet 'premise' måste vara en lista av strängar"),
    ("premise-on-unanswerable", [UNANSWERABLE.replace('"kind"', '"premise": ["vann"], "kind"')],
     1, "en obesvarbar fråga har ingen premiss att rätta"),
]


@pytest.mark.parametrize(("lines", "line", "reason"), [r[1:] for r in BAD_ROWS],
                         ids=[r[0] for r in BAD_ROWS])
def test_bad_rows_are_refused_with_their_line(
    tmp_path: Path, tiny: Corpus, lines: list[str], line: int, reason: str
) -> None:
    path = write(tmp_path, *lines)
    with pytest.raises(GoldRow) as caught:
        load_gold(path, tiny.documents)
    assert caught.value.params["path"] == str(path)
    assert caught.value.params["line"] == line
    assert reason in caught.value.params["reason"]


def test_non_utf8_line_is_refused(tmp_path: Path, tiny: Corpus) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_bytes(GOOD.encode() + b"\n" + "{\"id\": \"å\"}".encode("latin-1") + b"\n")
    with pytest.raises(GoldError) as caught:
        load_gold(path, tiny.documents)
    assert (caught.value.params["line"], caught.value.params["reason"]) == (
        2, "raden är inte UTF-8-text")


@pytest.mark.parametrize(("content", "code"), [(None, GoldMissing), ("\n\n", GoldEmpty)],
                         ids=["missing-file", "no-rows"])
def test_unusable_files(tmp_path: Path, tiny: Corpus, content: str | None,
                        code: type[GoldError]) -> None:
    path = tmp_path / "gold.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(code):
        load_gold(path, tiny.documents)


def test_cli_prints_one_swedish_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CITATBOT_CORPUS_DIR", str(TINY_CORPUS))
    path = write(tmp_path, GOOD, GOOD.replace("450 kronor", "460 kronor").replace('"a"', '"b"'))
    assert main(["eval", "--gold", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"citatbot: {path}, rad 2: svaret '460 kronor' står inte "
                            "ordagrant i a_bussar.txt\n")
