"""`citatbot eval`: ask every gold question, score retrieval, answers, faithfulness and latency.

The pipeline under test is the one `ask` uses; only top_k is raised to 10 so the answer's hits
are the ranking MRR@10 needs (the composer sees the same hits either way).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.evaluation import metrics
from bot.evaluation.view import print_tables
from bot.terminal.progress import Update, progress_bar
from bot.pipeline import Pipeline, load_settings_corpus
from bot.render import Renderer
from bot.settings import Settings
from bot.evaluation.baseline import WhitespaceAnalyzer
from bot.errors import ReportUnwritable
from bot.evaluation.dialogues import dialogue_scores, load_dialogues, run_dialogues
from bot.evaluation.gold import GoldPair, load_gold
from retrieval.ingest import Corpus

RANK_DEPTH = metrics.MRR_CUTOFF
NO_KIND = "–"  # rows without a kind are grouped under this label
FAR_KINDS = frozenset({"offtopic", "chitchat", "nonsense"})
OURS, BASELINE = "citatbot", "bm25"
EXIT_FLOOR = 1


@dataclass(frozen=True, slots=True)
class PairResult:
    """What one system did with one gold pair."""

    pair: GoldPair
    rank: int | None  # first relevant hit, 1-based, within the top RANK_DEPTH
    answered: bool
    right: bool
    quotes: tuple[str, ...]
    faithful: int  # how many of the quotes are exactly raw[start:end] on disk
    ms: float
    first_right: bool = False  # the first answer (a quote and what finishes it) holds an answer
    first_quote_right: bool = False  # the first quote alone does
    missing: tuple[str, ...] = ()  # what the answer said it lacks (bot/missing.py)

    @property
    def corrected(self) -> bool:
        """The answer's note names the wrong detail the question took for granted."""
        return any(metrics.names_premise(w, self.pair.premise) for w in self.missing)

    @property
    def wrong_note(self) -> bool:
        """A right answer that says something is missing other than the question's wrong
        detail: "Obs: 2 miljarder nämns inte …" corrects, it does not mislead."""
        return self.right and any(not metrics.names_premise(w, self.pair.premise)
                                  for w in self.missing)

    def as_json(self) -> dict:
        """This result as a JSON object of the report."""
        p = self.pair
        return {"id": p.id, "kind": p.kind, "answerable": p.answerable, "question": p.question,
                "answers": list(p.answers), "rank": self.rank, "answered": self.answered,
                "right": self.right, "first_right": self.first_right,
                "first_quote_right": self.first_quote_right, "missing": list(self.missing),
                "premise": list(p.premise), "quotes": list(self.quotes), "faithful": self.faithful,
                "ms": round(self.ms, 3)}


@dataclass(frozen=True, slots=True)
class Floor:
    """A threshold from the command line and whether the measured value holds it."""

    flag: str
    metric: str
    limit: float
    at_most: bool
    value: float | None

    @property
    def ok(self) -> bool:
        """True when the value was measured and lies on the right side of the limit."""
        if self.value is None:
            return False
        return self.value <= self.limit if self.at_most else self.value >= self.limit


FLOORS = (  # (argparse dest, flag, metric key, the limit is a ceiling)
    ("min_recall1", "--min-recall1", "recall@1", False),
    ("min_recall5", "--min-recall5", "recall@5", False),
    ("min_accuracy", "--min-accuracy", "accuracy", False),
    ("min_mrr", "--min-mrr", "mrr@10", False),
    ("max_false_decline", "--max-false-decline", "false_decline", True),
    ("min_decline", "--min-decline", "correct_decline", False),
    ("min_decline_far", "--min-decline-far", "correct_decline_far", False),
    ("min_nearmiss_noted", "--min-nearmiss-noted", "nearmiss_declined_or_noted", False),
    ("max_wrong_note", "--max-wrong-note", "wrong_missing_note", True),
    ("min_first_answer", "--min-first-answer", "first_right", False),
)


def judge(pipeline: Pipeline, pair: GoldPair, check: metrics.FileCheck) -> PairResult:
    """Ask one gold question and score what came back."""
    started = time.perf_counter()
    answer = pipeline.answer(pair.question)
    ms = (time.perf_counter() - started) * 1000
    docs = pipeline.corpus.documents
    hits = answer.hits[:RANK_DEPTH]
    rank = metrics.first_relevant(hits, pair.answers) if pair.answerable else None
    right = pair.answerable and metrics.is_right(answer.quotes, pair.answers, docs)
    first = right and metrics.is_right(answer.quotes[:answer.lead], pair.answers, docs)
    first_quote = first and metrics.is_right(answer.quotes[:1], pair.answers, docs)
    return PairResult(pair, rank, answer.answered, right, tuple(q.text for q in answer.quotes),
                      sum(check.faithful(q) for q in answer.quotes), ms, first, first_quote,
                      answer.missing)


def evaluate(pipeline: Pipeline, pairs: Sequence[GoldPair], check: metrics.FileCheck,
             step: Update = lambda done: None) -> list[PairResult]:
    """Judge every pair in order, calling `step` after each (the progress bar)."""
    results = []
    for pair in pairs:
        results.append(judge(pipeline, pair, check))
        step(len(results))
    return results


def scores(results: Sequence[PairResult]) -> dict[str, float | int | None]:
    """Every metric over a set of results; a rate is None when it has no pairs to count."""
    ans = [r for r in results if r.pair.answerable]
    un = [r for r in results if not r.pair.answerable]
    ranks = [r.rank for r in ans]
    quotes = sum(len(r.quotes) for r in results)
    ms = [r.ms for r in results]
    return {
        "pairs": len(results), "answerable": len(ans), "unanswerable": len(un),
        "recall@1": metrics.recall_at(ranks, 1), "recall@3": metrics.recall_at(ranks, 3),
        "recall@5": metrics.recall_at(ranks, 5), "mrr@5": metrics.mrr(ranks, 5),
        "mrr@10": metrics.mrr(ranks), "accuracy": metrics.share(r.right for r in ans),
        "first_right": metrics.share(r.first_right for r in ans),
        "first_quote_right": metrics.share(r.first_quote_right for r in ans),
        "false_decline": metrics.share(not r.answered for r in ans),
        "correct_decline": metrics.share(not r.answered for r in un),
        "correct_decline_far": metrics.share(
            not r.answered for r in un if r.pair.kind in FAR_KINDS),
        "correct_decline_nearmiss": metrics.share(
            not r.answered for r in un if r.pair.kind == "nearmiss"),
        # A near miss answered with a note of what is missing is not passed off as an answer.
        "nearmiss_declined_or_noted": metrics.share(
            not r.answered or bool(r.missing) for r in un if r.pair.kind == "nearmiss"),
        # A right answer that says something is missing misleads the other way, unless what
        # it says is missing is the wrong detail the question took for granted (its premise).
        "wrong_missing_note": metrics.share(r.wrong_note for r in ans),
        "noted_right": metrics.share(r.right and bool(r.missing) for r in ans),
        "premise_corrected": metrics.share(r.corrected for r in ans if r.pair.premise),
        "quotes": quotes, "unfaithful": quotes - sum(r.faithful for r in results),
        "faithfulness": sum(r.faithful for r in results) / quotes if quotes else None,
        "p50_ms": metrics.percentile(ms, 50), "p95_ms": metrics.percentile(ms, 95),
    }


def summary(results: Sequence[PairResult], build_seconds: float) -> dict:
    """Overall scores, index build time, and the same scores for each kind."""
    kinds = sorted({(not r.pair.answerable, r.pair.kind) for r in results})
    kinds = list(dict.fromkeys(k for _, k in kinds))
    return {**scores(results), "build_ms": build_seconds * 1000,
            "by_kind": {k or NO_KIND: scores([r for r in results if r.pair.kind == k])
                        for k in kinds}}


def select(pairs: Sequence[GoldPair], split: str) -> list[GoldPair]:
    """The pairs of one split: dev, holdout (about a quarter, by sha1 of the id) or all."""
    if split == "all":
        return list(pairs)
    return [p for p in pairs if metrics.in_holdout(p.id) == (split == "holdout")]


def floors(args: argparse.Namespace, ours: dict) -> list[Floor]:
    """The thresholds given on the command line, measured on our system."""
    return [Floor(flag, metric, getattr(args, dest), at_most, ours[metric])
            for dest, flag, metric, at_most in FLOORS if getattr(args, dest) is not None]


def run_system(name: str, corpus: Corpus, settings: Settings, pairs: Sequence[GoldPair],
               progress: Callable[[str, int], Update]) -> tuple[dict, list[PairResult]]:
    """Build one system's pipeline over the corpus and evaluate it."""
    if name == BASELINE:
        pipeline = Pipeline.baseline(corpus, settings, WhitespaceAnalyzer())
    else:
        pipeline = Pipeline.from_settings(settings, corpus=corpus)
    check = metrics.FileCheck(corpus.folder)
    results = evaluate(pipeline, pairs, check, progress(name, len(pairs)))
    return summary(results, pipeline.retriever.build_seconds), results


def report_json(gold: Path, split: str, runs: dict, held: list[Floor],
                wins: list[dict] | None = None) -> dict:
    """The whole report as one JSON object (`--json OUT`)."""
    return {
        "baseline_wins": wins or [],
        "gold": str(gold), "split": split,
        "systems": {name: {**s, "results": [r.as_json() for r in results]}
                    for name, (s, results) in runs.items()},
        "floors": [{"flag": f.flag, "metric": f.metric, "limit": f.limit, "value": f.value,
                    "ok": f.ok} for f in held],
        "ok": passed(runs[OURS][0], held),
    }


def failures(results: Sequence[PairResult]) -> list[PairResult]:
    """Answerable pairs not answered right, and unanswerable pairs that got an answer (a near
    miss answered with a note of what is missing is not one)."""
    return [r for r in results if (not r.right if r.pair.answerable else r.answered and not (
        r.pair.kind == "nearmiss" and r.missing))]


def baseline_wins(ours: Sequence[PairResult], base: Sequence[PairResult]) -> list[dict]:
    """Answerable pairs where plain BM25 does better: a right answer, or a better first rank."""
    out = []
    for o, b in zip(ours, base):
        if not o.pair.answerable:
            continue
        answer = b.right and not o.right
        rank = b.rank is not None and (o.rank is None or b.rank < o.rank)
        if answer or rank:
            out.append({"id": o.pair.id, "kind": o.pair.kind, "question": o.pair.question,
                        "answer": answer, "rank_ours": o.rank, "rank_bm25": b.rank})
    return out


def run_eval(args: argparse.Namespace, settings: Settings, err: Renderer) -> int:
    """The `citatbot eval` command: 0 when every floor holds, 1 when one does not."""
    corpus = load_settings_corpus(settings)
    for problem in corpus.problems:
        print(err.message("problem", problem=problem), file=sys.stderr)
    pairs = select(load_gold(args.gold, corpus.documents), args.split)
    eval_settings = settings.model_copy(update={"top_k": max(settings.top_k, RANK_DEPTH)})
    systems = (OURS, BASELINE) if args.baseline else (OURS,)
    with progress_bar() as progress:
        runs = {name: run_system(name, corpus, eval_settings, pairs, progress) for name in systems}
    ours, ours_results = runs[OURS]
    held = floors(args, ours)
    print(err.message("eval_summary", gold=str(args.gold), split=args.split, s=ours))
    print_tables({name: s for name, (s, _) in runs.items()})
    wins = baseline_wins(ours_results, runs[BASELINE][1]) if args.baseline else []
    if args.baseline:
        print(err.message("eval_baseline_wins", wins=wins))
    wrong = failures(ours_results)
    if args.show_failures and wrong:
        print(err.message("eval_failures", failures=wrong[: args.show_failures], total=len(wrong)))
    dialogues = None
    if args.dialogues:
        pipeline = Pipeline.from_settings(eval_settings, corpus=corpus)
        dialogues = dialogue_scores(run_dialogues(
            load_dialogues(args.dialogues, corpus.documents), pipeline))
        print(err.message("eval_dialogues", path=str(args.dialogues), s=dialogues))
    if args.json:
        report = report_json(args.gold, args.split, runs, held, wins)
        if dialogues is not None:
            report["dialogues"] = dialogues
        write_report(args.json, report)
    return verdict(ours, held, err)


def write_report(path: Path, report: dict) -> None:
    """Write the JSON report; a path that cannot be written is the user's to fix."""
    try:
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    except OSError:
        raise ReportUnwritable(path=str(path)) from None


def passed(ours: dict, held: Sequence[Floor]) -> bool:
    """Every floor holds and every quote is verbatim (faithfulness is not negotiable)."""
    return all(f.ok for f in held) and not ours["unfaithful"]


def verdict(ours: dict, held: Sequence[Floor], err: Renderer) -> int:
    """Print one line per broken floor (and for any unfaithful quote); the exit status."""
    for floor in held:
        if not floor.ok:
            print(err.message("eval_floor", floor=floor), file=sys.stderr)
    if ours["unfaithful"]:
        print(err.message("eval_unfaithful", s=ours), file=sys.stderr)
    return 0 if passed(ours, held) else EXIT_FLOOR
