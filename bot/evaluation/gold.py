"""Gold question/answer pairs (JSONL), loaded and checked against the corpus before any eval.

A row is refused with GoldRow(path, line, reason); the reason is a Swedish sentence
because the person who wrote the file reads it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from bot.errors import GoldEmpty, GoldMissing, GoldRow, GoldUnreadable
from retrieval.passage import Document

FIELDS = {"id": str, "question": str, "answers": list, "doc": (str, type(None)),
          "answerable": bool, "kind": str, "premise": list}
REQUIRED = ("id", "question", "answers", "doc", "answerable")
TYPE_NAMES = {"id": "en sträng", "question": "en sträng", "answers": "en lista av strängar",
              "doc": "ett filnamn eller null", "answerable": "true eller false",
              "kind": "en sträng", "premise": "en lista av strängar"}


@dataclass(frozen=True, slots=True)
class GoldPair:
    """One gold question with the verbatim strings that answer it (none when unanswerable)."""

    id: str
    question: str
    answers: tuple[str, ...]
    doc: str | None
    answerable: bool
    kind: str
    line: int
    # A wrong detail the question takes for granted, as typed ("2 miljarder" in "stämmer det att
    # socialen får 2 miljarder?"), which the answer corrects: a note naming it is no wrong note.
    premise: tuple[str, ...] = ()


def collapse(text: str) -> str:
    """Whitespace runs as one space, ends trimmed: how answers are compared with the corpus."""
    return " ".join(text.split())


def load_gold(path: Path, documents: Mapping[str, Document]) -> list[GoldPair]:
    """Read and validate every row of a gold JSONL file; blank lines are skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise GoldMissing(path=str(path)) from None
    except OSError:
        raise GoldUnreadable(path=str(path)) from None
    pairs: list[GoldPair] = []
    seen: dict[str, int] = {}
    for number, raw_line in enumerate(data.splitlines(), 1):
        pair = _parse_line(raw_line, Where(str(path), number), documents)
        if pair is None:
            continue
        if pair.id in seen:
            _refuse(Where(str(path), number), f"id {pair.id!r} finns redan på rad {seen[pair.id]}")
        seen[pair.id] = number
        pairs.append(pair)
    if not pairs:
        raise GoldEmpty(path=str(path))
    return pairs


@dataclass(frozen=True, slots=True)
class Where:
    path: str
    line: int


def _refuse(where: Where, reason: str) -> NoReturn:
    raise GoldRow(path=where.path, line=where.line, reason=reason)


def _parse_line(raw: bytes, where: Where, documents: Mapping[str, Document]) -> GoldPair | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        _refuse(where, "raden är inte UTF-8-text")
    if not text.strip():
        return None
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        _refuse(where, f"ogiltig JSON (tecken {exc.colno}): {exc.msg}")
    if not isinstance(row, dict):
        _refuse(where, "raden måste vara ett JSON-objekt")
    check_fields(row, where)
    pair = GoldPair(row["id"], row["question"], tuple(row["answers"]), row["doc"],
                    row["answerable"], row.get("kind") or "", where.line,
                    tuple(row.get("premise", ())))
    check_content(pair, where, documents)
    return pair


def check_fields(row: dict, where: Where) -> None:
    for name in sorted(set(row) - set(FIELDS)):
        _refuse(where, f"okänt fält {name!r}; tillåtna fält är {', '.join(FIELDS)}")
    for name in REQUIRED:
        if name not in row:
            _refuse(where, f"fältet {name!r} saknas")
    for name, kind in FIELDS.items():
        if name in row and not isinstance(row[name], kind):
            _refuse(where, f"fältet {name!r} måste vara {TYPE_NAMES[name]}")
    for name in ("answers", "premise"):
        if not all(isinstance(a, str) for a in row.get(name, ())):
            _refuse(where, f"fältet {name!r} måste vara en lista av strängar")
    for name in ("id", "question"):
        if not row[name].strip():
            _refuse(where, f"fältet {name!r} är tomt")


def check_content(pair: GoldPair, where: Where, documents: Mapping[str, Document]) -> None:
    for wrong in pair.premise:
        if not wrong.strip() or wrong.casefold() not in pair.question.casefold():
            _refuse(where, f"premissen {wrong!r} står inte i frågan")
    if not pair.answerable:
        if pair.premise:
            _refuse(where, "en obesvarbar fråga har ingen premiss att rätta")
        if pair.answers or pair.doc is not None:
            _refuse(where, "en obesvarbar fråga ska ha answers [] och doc null")
        return
    if not pair.answers:
        _refuse(where, "en besvarbar fråga behöver minst ett svar i 'answers'")
    if pair.doc is None:
        _refuse(where, "en besvarbar fråga behöver ett filnamn i 'doc'")
    if pair.doc not in documents:
        _refuse(where, f"dokumentet {pair.doc!r} finns inte i korpusen")
    raw = collapse(documents[pair.doc].raw)
    for answer in pair.answers:
        if not collapse(answer):
            _refuse(where, "ett svar i 'answers' är tomt")
        if collapse(answer) not in raw:
            _refuse(where, f"svaret {answer!r} står inte ordagrant i {pair.doc}")
