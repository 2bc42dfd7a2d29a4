"""The shipped gold set is valid, and our pipeline holds the floor CI sets on it."""

from __future__ import annotations

import pytest

from bot.terminal.cli import main
from bot.settings import DEFAULT_CORPUS
from bot.evaluation.gold import load_gold
from retrieval.ingest import load_corpus

GOLD = DEFAULT_CORPUS / "gold.jsonl"
# Written by a helper who read only the documents, never gold.jsonl: it measures generalisation.
BLIND = DEFAULT_CORPUS / "blind.jsonl"
# A second blind set, by another helper, in the style people type: paraphrases, telegraphic
# queries, typos, English, wrong details the documents correct.
BLIND_B = DEFAULT_CORPUS / "blind_b.jsonl"
# A third, written in the last session of 30 November after every lever then shipped: the team
# has seen its figures once, on the commit it arrived at.
BLIND_C = DEFAULT_CORPUS / "blind_c.jsonl"
# The shares that must stay low: their floors are maxima.
MAXIMA = {"false_decline", "wrong_note"}


def floors(**limits: float) -> list[str]:
    """`citatbot eval` floor options: recall1=0.84 → --min-recall1 0.84 (--max- for MAXIMA)."""
    return [arg for name, value in limits.items()
            for arg in (f"--{'max' if name in MAXIMA else 'min'}-{name.replace('_', '-')}",
                        f"{value:.2f}")]


# Just under what we measure on the shipped set, so a regression fails CI; raise as it improves.
# Issue 5's targets are R@1 0.65, R@5 0.90, MRR 0.75, accuracy 0.75, false declines 0.05 and
# far declines 0.95; each floor here is at or above its target.
FLOORS = floors(recall1=0.84, recall5=0.97, mrr=0.89, accuracy=0.88, false_decline=0.01,
                decline=0.68, decline_far=0.99, nearmiss_noted=0.80, wrong_note=0.02,
                first_answer=0.78)
# The blind set's floor, just under what the shipped system measures there (issues 12 and 13):
# it is never tuned on, so a change that loses it has lost generality. The learned ranker
# (Tuning.learned_ranker, 30 November) raised R@1, R@5 and MRR on all three; on B it also answered
# one more question right whose answer carries a note of something missing (wrong note 0.023 →
# 0.034, issue 13's limit 0.05), so that floor moved from 0.03 to 0.04.
# Small talk read as it is meant (the same session) declined or replied to every far question
# of A and C and 17 of B's 18. English questions read without their stop words and with a larger
# glossary (1 December) answered one more of A right (0.719 → 0.730) and one of A's 22 far
# questions (1.000 → 0.955, the target is 0.95); B gained on every figure. The ranker
# retrained on six dev sets instead of four (the same day) raised R@1 on all three: A 0.584 →
# 0.618, B 0.727 → 0.773, C 0.748 → 0.767; B's R@5 fell 0.932 → 0.920.
BLIND_FLOORS = floors(recall1=0.61, recall5=0.85, mrr=0.70, accuracy=0.72, false_decline=0.03,
                      decline_far=0.95, nearmiss_noted=0.50, wrong_note=0.05, first_answer=0.51)
BLIND_B_FLOORS = floors(recall1=0.77, recall5=0.91, mrr=0.83, accuracy=0.77, false_decline=0.06,
                        decline_far=0.94, nearmiss_noted=0.83, wrong_note=0.04,
                        first_answer=0.54)
BLIND_C_FLOORS = floors(recall1=0.76, recall5=0.93, mrr=0.82, accuracy=0.70, false_decline=0.08,
                        decline_far=0.99, nearmiss_noted=0.57, wrong_note=0.01,
                        first_answer=0.62)


@pytest.mark.parametrize("path", [GOLD, BLIND, BLIND_B, BLIND_C],
                         ids=["gold", "blind", "blind_b", "blind_c"])
def test_shipped_gold_sets_are_valid(path) -> None:
    """Every answer is a verbatim span of its document (load_gold refuses the file otherwise)."""
    pairs = load_gold(path, load_corpus(DEFAULT_CORPUS).documents)
    assert sum(p.answerable for p in pairs) >= 60
    assert sum(not p.answerable for p in pairs) >= 25
    assert {p.doc for p in pairs if p.answerable} == set(load_corpus(DEFAULT_CORPUS).documents)


@pytest.mark.parametrize("path, floors", [(GOLD, FLOORS), (BLIND, BLIND_FLOORS),
                                          (BLIND_B, BLIND_B_FLOORS), (BLIND_C, BLIND_C_FLOORS)],
                         ids=["gold", "blind", "blind_b", "blind_c"])
def test_shipped_sets_hold_their_floor(capsys: pytest.CaptureFixture[str], path, floors) -> None:
    code = main(["eval", "--gold", str(path), "--show-failures", "0", *floors])
    assert (code, capsys.readouterr().err) == (0, "")
