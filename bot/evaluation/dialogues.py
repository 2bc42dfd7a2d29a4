"""Dialogues: two- and three-turn conversations whose follow-ups lean on the turn before.

A gold dialogue is one JSONL line, `{"id": "dlg01", "turns": [turn, …]}`, each turn a gold pair
without its id (question, answers, doc, answerable, kind). A turn is answered right when its
quotes hold one of its answers; an unanswerable turn ("Och i Växjö?" where the documents say
nothing of Växjö) is right when it is declined or says what is missing. Every front end is
judged alike: the REPL's conversation service here, Telegram in tests/test_dialogues.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.answer import Answer
from bot.conversation import ConversationService
from bot.errors import GoldEmpty, GoldMissing, GoldRow, GoldUnreadable
from bot.evaluation import metrics
from bot.evaluation.gold import GoldPair, check_content, check_fields, Where
from bot.pipeline import Pipeline
from retrieval.passage import Document


@dataclass(frozen=True, slots=True)
class Dialogue:
    """One conversation: its turns in order, each a gold pair."""

    id: str
    turns: tuple[GoldPair, ...]


@dataclass(frozen=True, slots=True)
class TurnResult:
    """How one turn of one dialogue was answered."""

    dialogue: str
    turn: int  # 0 for the opening question
    question: str
    right: bool


def load_dialogues(path: Path, documents: Mapping[str, Document]) -> list[Dialogue]:
    """Read and validate every dialogue; a turn's answers must be verbatim in its document."""
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        raise GoldMissing(path=str(path)) from None
    except OSError:
        raise GoldUnreadable(path=str(path)) from None
    out = []
    for number, raw in enumerate(lines, 1):
        where = Where(str(path), number)
        try:
            row = json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise GoldRow(path=str(path), line=number, reason="raden är inte giltig JSON") from None
        if row is None:
            continue
        if not (isinstance(row, dict) and isinstance(row.get("id"), str)
                and isinstance(row.get("turns"), list) and row["turns"]):
            raise GoldRow(path=str(path), line=number,
                          reason="en dialog behöver 'id' och en lista 'turns'")
        turns = []
        for index, turn in enumerate(row["turns"]):
            if not isinstance(turn, dict):
                raise GoldRow(path=str(path), line=number, reason="en tur måste vara ett objekt")
            turn = {"id": f"{row['id']}.{index + 1}", **turn}
            check_fields(turn, where)
            pair = GoldPair(turn["id"], turn["question"], tuple(turn["answers"]), turn["doc"],
                            turn["answerable"], turn.get("kind") or "", number)
            check_content(pair, where, documents)
            turns.append(pair)
        out.append(Dialogue(row["id"], tuple(turns)))
    if not out:
        raise GoldEmpty(path=str(path))
    return out


def turn_right(turn: GoldPair, answer: Answer, documents: Mapping[str, Document]) -> bool:
    """Quotes that hold an answer; for an unanswerable turn, a decline or a missing-word note."""
    if turn.answerable:
        return metrics.is_right(answer.quotes, turn.answers, documents)
    return not answer.answered or bool(answer.missing)


def run_dialogues(dialogues: Sequence[Dialogue], pipeline: Pipeline,
                  ask: Callable[[ConversationService, str, str], Answer] | None = None
                  ) -> list[TurnResult]:
    """Every dialogue in its own chat of one conversation service, turn by turn."""
    service = ConversationService(pipeline)
    ask = ask or (lambda s, chat, text: s.handle(chat, text))
    results = []
    for dialogue in dialogues:
        for index, turn in enumerate(dialogue.turns):
            answer = ask(service, dialogue.id, turn.question)
            results.append(TurnResult(dialogue.id, index, turn.question,
                                      turn_right(turn, answer, pipeline.corpus.documents)))
    return results


def dialogue_scores(results: Sequence[TurnResult]) -> dict[str, float | int | None]:
    """Turns right, follow-ups right, whole dialogues right."""
    follow = [r for r in results if r.turn > 0]
    by_dialogue: dict[str, bool] = {}
    for r in results:
        by_dialogue[r.dialogue] = by_dialogue.get(r.dialogue, True) and r.right
    return {
        "dialogues": len(by_dialogue), "turns": len(results),
        "turns_right": metrics.share(r.right for r in results),
        "follow_ups_right": metrics.share(r.right for r in follow),
        "dialogues_right": metrics.share(by_dialogue.values()),
    }
