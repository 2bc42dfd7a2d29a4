"""Which sentence should answer first: the composer's candidates, their features, and learned
re-scorers and simple rules checked across question sets.

    python -m benchmarks.sentences [--out benchmarks/results] [--l2 0.01 1]

For each answerable question of the three dev sets (gold dev, dev paraphrased, dev B) the real
pipeline runs up to the composer; every candidate sentence gets the features the composer has
or could cheaply have (benchmarks/sentence_features.py), and a label: the first answer built
from it (the sentence and what `_continued` brings) holds an expected answer. The oracle table
says how often an answering sentence is among the candidates at all, among the quotes shown on
the first page, and at which rank today.

A re-scorer only reorders the quotes the composer shows (so accuracy stays): it multiplies
today's score by exp(w · features) (w = 0 is today's order), fitted by softmax over a
question's shown quotes or by pairwise logistic loss, L2 towards 0, on all features or on a
few; a rule lets the closest in meaning lead when its score is near the best's. Each is judged
by cross-validation across sets: fitted on two, tested on the third. The end-to-end figures
(accuracy, first answer, first quote) come from the real composer with its order replaced.
Writes benchmarks/results/sentences.{md,json}; about 15 s.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.measure import save_results
from benchmarks.sentence_features import FEATURES, features
from bot.answer import Quote
from bot.composer import Composer
from bot.evaluation.evaluate import select
from bot.evaluation.gold import GoldPair, load_gold
from bot.evaluation.metrics import is_relevant, is_right
from bot.pipeline import Pipeline, load_settings_corpus
from bot.settings import Settings
from bot.smalltalk import addressed_to_bot, smalltalk_kind
from retrieval.analyzer import clean_question
from retrieval.query import Query
from retrieval.search import Results

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SETS = {"gold dev": None, "dev paraphrased": HERE / "paraphrases_dev.jsonl",
        "dev B": HERE / "dev_b.jsonl"}
# Few features at a time: with some 35 questions where the order matters, fewer can generalise.
SUBSETS = (("cosine",), ("cosine", "log_score"), ("cosine_gap",), ("lexical",),
           ("hit_factor", "hit_rank"), ("context",), ("first",), ("name",), ("length",),
           ("type_match",), ("cosine", "lexical", "context"), ("who_name",), ("quoted",))


@dataclass(frozen=True, slots=True)
class Case:
    """One answerable question as the composer sees it (None: declined before it)."""

    pair: GoldPair
    query: Query | None
    found: Results | None


def reach_composer(pipeline: Pipeline, pair: GoldPair) -> Case:
    """Pipeline.answer up to the composer: what it would be handed, or None when it declines."""
    text = clean_question(pair.question[: pipeline.settings.max_question_chars])
    if smalltalk_kind(text):
        return Case(pair, None, None)
    query = pipeline.query(text)
    if not query.groups or addressed_to_bot(query):
        return Case(pair, None, None)
    tuning = pipeline.retriever.tuning
    found = pipeline.retriever.search(query, max(pipeline.settings.top_k, tuning.compose_hits))
    if pipeline.rule.declines(pipeline._about(query, found)):
        return Case(pair, None, None)
    return Case(pair, query, found)


def candidates(composer: Composer, case: Case, shown: bool = True
               ) -> tuple[list[Quote], np.ndarray, np.ndarray]:
    """The composer's ranked candidates (those it shows on the first page, or all), today's
    scores and each one's feature row."""
    found = case.found
    ranked = composer.rank_sentences(case.query, found.hits, found.sentences, found.in_document)
    if shown and ranked:
        ranked = ranked[:shown_count(composer, ranked)]
    quotes = [q for _, q in ranked]
    old = np.array([s for s, _ in ranked])
    rows = features(composer, case.query, found.hits, found.sentences, found.in_document, quotes,
                    old)
    return quotes, old, rows


def shown_count(composer: Composer, ranked: Sequence[tuple[float, Quote]]) -> int:
    """How many of the ranked candidates the composer shows on the first page (max_quotes that
    reach relative_floor of the best score; they lead the ranking)."""
    floor = ranked[0][0] * composer.tuning.relative_floor
    return sum(1 for s, _ in ranked[: composer.max_quotes] if s >= floor)


def group_of(composer: Composer, query: Query, quote: Quote) -> tuple[Quote, ...]:
    """The first answer the composer builds when `quote` leads."""
    return composer._continued(query, [quote], query.match_terms())[0]


@dataclass(slots=True)
class Table:
    """Per question: candidates' features, today's scores, sentence and group labels."""

    pair: GoldPair
    rows: np.ndarray
    old: np.ndarray
    sentence: np.ndarray
    group: np.ndarray


def tables(composer: Composer, cases: Sequence[Case], docs, shown: bool = True) -> list[Table]:
    out = []
    for case in cases:
        if case.query is None:
            continue
        quotes, old, rows = candidates(composer, case, shown)
        if not quotes:
            continue
        answers = case.pair.answers
        sentence = np.array([is_relevant(q.text, answers) for q in quotes])
        group = np.array([is_right(group_of(composer, case.query, q), answers, docs)
                          for q in quotes])
        out.append(Table(case.pair, rows, old, sentence, group))
    return out


# A scorer turns (feature rows, today's scores) into new scores; higher leads.
Scorer = Callable[[np.ndarray, np.ndarray], np.ndarray]


def linear(w: np.ndarray) -> Scorer:
    """Today's score times exp(w · features): w = 0 is today's order."""
    return lambda rows, old: old * np.exp(rows @ w)


def logits(table: Table, w: np.ndarray) -> np.ndarray:
    return np.log(table.old + 1e-6) + table.rows @ w


def fit_softmax(train: Sequence[Table], l2: float, steps: int = 400,
                mask: np.ndarray | None = None) -> np.ndarray:
    """Softmax over each question's candidates (the answering ones share the target), mean
    log-loss plus l2/2 · |w|²: the pull towards today's order."""
    usable = [t for t in train if t.group.any() and not t.group.all()]
    w = np.zeros(len(FEATURES))
    for _ in range(steps):
        grad = l2 * w
        for t in usable:
            z = logits(t, w)
            p = np.exp(z - z.max())
            p /= p.sum()
            target = t.group / t.group.sum()
            grad += t.rows.T @ (p - target) / len(usable)
        w -= 0.3 * (grad if mask is None else grad * mask)
    return w


def fit_pairwise(train: Sequence[Table], l2: float, steps: int = 400,
                 mask: np.ndarray | None = None) -> np.ndarray:
    """Logistic loss on every (answering, not answering) pair of a question's candidates."""
    diffs = []
    for t in train:
        z0 = np.log(t.old + 1e-6)
        for i in np.flatnonzero(t.group):
            for j in np.flatnonzero(~t.group):
                diffs.append((t.rows[i] - t.rows[j], z0[i] - z0[j]))
    if not diffs:
        return np.zeros(len(FEATURES))
    x = np.array([d for d, _ in diffs])
    base = np.array([b for _, b in diffs])
    w = np.zeros(len(FEATURES))
    for _ in range(steps):
        margin = base + x @ w
        p = 1 / (1 + np.exp(np.clip(margin, -30, 30)))  # sigmoid(-margin)
        grad = -(x * p[:, None]).mean(0) + l2 * w
        w -= 0.3 * (grad if mask is None else grad * mask)
    return w


def top1(tables_: Sequence[Table], scorer: Scorer, label: str = "sentence") -> float:
    hits = [getattr(t, label)[int(np.argmax(scorer(t.rows, t.old)))] for t in tables_]
    return float(np.mean(hits)) if hits else float("nan")


def today(rows: np.ndarray, old: np.ndarray) -> np.ndarray:
    return old


def near_tie_cosine(margin: float, lead: float = 0.0) -> Scorer:
    """The closest in meaning leads when its score is within `margin` (a share) of the best
    and its cosine beats the best-scored one's by more than `lead`."""
    col = FEATURES.index("cosine")

    def scorer(rows: np.ndarray, old: np.ndarray) -> np.ndarray:
        new = old.copy()
        first = int(np.argmax(old))
        close = np.flatnonzero(old >= old[first] * (1 - margin))
        best = close[np.argmax(rows[close, col])]
        if rows[best, col] > rows[first, col] + lead:
            new[best] = old[first] * 1.001
        return new
    return scorer


RULE_GRID = [(m, d) for m in (0.03, 0.05, 0.1, 0.15, 0.2) for d in (0.0, 0.02, 0.05, 0.1)]


def tuned_rule(train: Sequence[Table]) -> tuple[Scorer, dict]:
    """The near-tie rule with the margin and cosine lead that put most answers first on `train`."""
    m, d = max(RULE_GRID, key=lambda md: (top1(train, near_tie_cosine(*md), "group"), -md[0]))
    return near_tie_cosine(m, d), {"margin": m, "lead": d}


class Rescored(Composer):
    """The real composer, the quotes it shows put in the order a scorer gives them (each keeps
    its rank's score, so the floor picks the same quotes)."""

    def __init__(self, base: Composer, scorer: Scorer) -> None:
        super().__init__(base.documents, base.analyzer, max_quotes=base.max_quotes,
                         tuning=base.tuning)
        self.scorer = scorer

    def rank_sentences(self, query, hits, similarity, in_document=None):
        ranked = super().rank_sentences(query, hits, similarity, in_document)
        n = shown_count(self, ranked) if ranked else 0
        if n < 2:
            return ranked
        quotes = [q for _, q in ranked[:n]]
        old = np.array([s for s, _ in ranked[:n]])
        new = self.scorer(features(self, query, hits, similarity, in_document or {}, quotes, old),
                          old)
        order = sorted(range(n), key=lambda i: (-new[i], i))
        return [(s, quotes[i]) for (s, _), i in zip(ranked, order)] + ranked[n:]


def end_to_end(composer: Composer, cases: Sequence[Case], docs) -> dict[str, float]:
    """Accuracy, first answer and first quote of the composer over the cases (declined: wrong)."""
    right = first = quote = 0
    for case in cases:
        if case.query is None:
            continue
        f = case.found
        answer = composer.compose(case.query, f.hits, f.sentences, f.in_document)
        answers = case.pair.answers
        r = is_right(answer.quotes, answers, docs)
        fr = r and is_right(answer.quotes[: answer.lead], answers, docs)
        right += r
        first += fr
        quote += fr and is_right(answer.quotes[:1], answers, docs)
    n = len(cases) or 1
    return {"accuracy": right / n, "first_right": first / n, "first_quote_right": quote / n}


def oracle(tables_: Sequence[Table], cases: Sequence[Case]) -> dict:
    """How often an answering sentence is among the candidates at all, and its rank today."""
    ranks = []
    for t in tables_:
        hit = np.flatnonzero(t.sentence)
        ranks.append(int(hit[0]) + 1 if len(hit) else None)
    found = [r for r in ranks if r is not None]
    n = max(len(cases), 1)
    return {"questions": len(cases), "composed": len(tables_),
            "sentence_among": len(found) / n,
            "group_among": sum(t.group.any() for t in tables_) / n,
            "rank1": sum(r == 1 for r in found) / n,
            "rank2_3": sum(1 < r <= 3 for r in found) / n,
            "rank4_plus": sum(r > 3 for r in found) / n,
            "median_rank": float(np.median(found)) if found else None}


def scorers(train: Sequence[Table], l2s: Sequence[float]) -> dict[str, tuple[Scorer, dict]]:
    """Today's order, the learned re-scorers fitted on `train`, and fixed rules."""
    out: dict[str, tuple[Scorer, dict]] = {"today": (today, {})}
    for l2 in l2s:
        for name, fit in (("softmax", fit_softmax), ("pairwise", fit_pairwise)):
            w = fit(train, l2)
            out[f"{name} l2={l2:g}"] = (linear(w), dict(zip(FEATURES, np.round(w, 2).tolist())))
    for subset in SUBSETS:
        mask = np.array([f in subset for f in FEATURES], dtype=float)
        w = fit_pairwise(train, min(l2s), mask=mask)
        out[f"pairwise on {'+'.join(subset)}"] = (linear(w), dict(
            (f, round(float(v), 2)) for f, v in zip(FEATURES, w) if f in subset))
    for margin in (0.05, 0.1, 0.2):
        out[f"best cosine within {margin:g}"] = (near_tie_cosine(margin), {})
    out["near-tie rule tuned on train"] = tuned_rule(train)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--l2", type=float, nargs="*", default=[0.01, 0.1, 1.0])
    args = parser.parse_args(argv)
    settings = Settings(_env_file=None, top_k=10)
    corpus = load_settings_corpus(settings)
    pipeline = Pipeline.from_settings(settings, corpus=corpus)
    docs = corpus.documents
    cases = {}
    for name, path in SETS.items():
        pairs = (select(load_gold(ROOT / "corpus" / "gold.jsonl", docs), "dev") if path is None
                 else load_gold(path, docs))
        cases[name] = [reach_composer(pipeline, p) for p in pairs if p.answerable]
    composer = pipeline.composer
    data = {name: tables(composer, c, docs) for name, c in cases.items()}
    report: dict = {"features": list(FEATURES), "oracle": {}, "folds": {}}
    for name in SETS:
        report["oracle"][name] = oracle(tables(composer, cases[name], docs, shown=False),
                                        cases[name])
        report["oracle"][name]["shown_group_among"] = (
            sum(t.group.any() for t in data[name]) / max(len(cases[name]), 1))
    for held in SETS:
        train = [t for name in SETS if name != held for t in data[name]]
        fold = report["folds"][held] = {}
        for name, (scorer, weights) in scorers(train, args.l2).items():
            fold[name] = {"top1_sentence": top1(data[held], scorer),
                          "top1_group": top1(data[held], scorer, "group"),
                          **end_to_end(Rescored(composer, scorer), cases[held], docs),
                          "weights": weights}
    text = markdown(report)
    save_results(args.out, "sentences", report, text)
    print(text)
    return 0


METRICS = ("top1_sentence", "top1_group", "accuracy", "first_right", "first_quote_right")


def markdown(report: dict) -> str:
    out = ["### Oracle: is an answering sentence among the composer's candidates?\n",
           "| set | questions | composed | sentence among | group among | among shown | rank 1 "
           "| rank 2–3 | rank 4+ |", "|---|" + "---:|" * 8]
    for name, o in report["oracle"].items():
        out.append(f"| {name} | {o['questions']} | {o['composed']} | {o['sentence_among']:.3f} | "
                   f"{o['group_among']:.3f} | {o['shown_group_among']:.3f} | {o['rank1']:.3f} | "
                   f"{o['rank2_3']:.3f} | {o['rank4_plus']:.3f} |")
    for held, fold in report["folds"].items():
        out += [f"\n### Held out: {held} (learned on the other two)\n",
                "| scorer | top-1 sentence | top-1 group | accuracy | first answer | first quote |",
                "|---|---:|---:|---:|---:|---:|"]
        for name, row in fold.items():
            out.append(f"| {name} | " + " | ".join(f"{row[m]:.3f}" for m in METRICS) + " |")
    out.append("\nWeights per fold:\n")
    for held, fold in report["folds"].items():
        for name, row in fold.items():
            if row["weights"]:
                out.append(f"- {held}, {name}: " + ", ".join(
                    f"{k} {v:+.2f}" for k, v in row["weights"].items()))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
