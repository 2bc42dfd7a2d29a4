"""Can the answers a near miss gets be told from right ones? Features of (question, answer) and
a small logistic classifier judged across question sets.

    python -m benchmarks.nearmiss [--out benchmarks/results] [--l2 0.1 1 10] [--cap 0.03]

A near miss sounds answerable but is not (a swapped town, a wrong year, a detail the documents
never give). The bot declines some and notes what is missing for others (bot/missing.py); the
rest get an answer that looks like any other. For every near miss and every answerable question
of four dev sets (gold dev, dev B, benchmarks/nearmiss_dev.jsonl, dev paraphrased: answerable
only) the real pipeline answers; for each one it answers, FEATURES are read from the question,
the retriever's Results and the first quote. A logistic classifier (numpy, L2, standardised
features) is fitted near miss vs answerable, cross-validated across sets: each set with near
misses is tested in turn, fitted on the others (paraphrases only ever train). Its threshold is
set on the training folds so that at most `--cap` of their answered answerable questions are
flagged; on the test fold it reports how many near misses and answerable questions it flags,
and what that does to "near miss declined or noted" and "right answer with a note" if a flag
added a note. Single-feature rules are measured the same way. Writes
benchmarks/results/nearmiss.{md,json}; about 10 s.

The bar for shipping a flag (a note naming the question's words absent from the first quote's
passage): +0.10 near misses declined or noted on every test fold, right answers with a note at
most 0.05. Measured 2026-11-30: nothing clears it (see the report).
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.measure import save_results
from bot.answer import Answer
from retrieval.asks import ASKS_DATE, ASKS_NUMBER, ASKS_WHY, HAS_DATE, holds_figure
from bot.evaluation.evaluate import select
from bot.evaluation.gold import GoldPair, load_gold
from bot.evaluation.metrics import is_right
from bot.pipeline import Pipeline, load_settings_corpus
from bot.settings import Settings
from retrieval.analyzer import clean_question
from retrieval.query import Query
from retrieval.search import Results

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SETS = {"gold dev": None, "dev B": HERE / "dev_b.jsonl",
        "nearmiss dev": HERE / "nearmiss_dev.jsonl",
        "dev paraphrased": HERE / "paraphrases_dev.jsonl"}
TEST_SETS = ("gold dev", "dev B", "nearmiss dev")
ASKS_WHO = re.compile(r"\b(vem|vilka|who)\b", re.IGNORECASE)
ASKS_NAME = re.compile(r"\b(vad (heter|hette|kallas)|vilket namn|what is the name|what's the name|"
                       r"what (is|was) .* called)\b", re.IGNORECASE)
CAPITAL = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-ZÅÄÖ][a-zåäö]+")

FEATURES = (
    "coverage",        # Evidence.coverage: the best top passage's share of the question
    "unknown",         # Evidence.unknown: the share of the question no corpus word matches
    "similarity",      # Evidence.similarity: the best top passage cosine
    "quote_cosine",    # the first quote's own cosine to the question
    "quote_cosine_gap",  # the best sentence cosine among the hits minus the first quote's
    "passage_share",   # share of the question's own weight the first quote's passage holds
    "document_share",  # the same for its document (any passage or title)
    "sentence_share",  # the same for the first quote alone
    "doc_minus_passage",  # what the document adds to the passage
    "absent_passage",  # the highest weight of a question word absent from the first passage,
                       # over the question's highest weight
    "absent_document",  # the same, absent from the whole document
    "absent_passage_idf",  # the raw weight (idf) of that word
    "name_absent_passage",  # a name, year or figure of the question absent from the first passage
    "name_absent_document",  # the same, from its document
    "asks_figure", "asks_date", "asks_why", "asks_who", "asks_name",
    "first_figure",    # the first quote holds a figure
    "first_date",      # the first quote holds a date
    "first_new_name",  # the first quote has a capitalised word the question has not
    "top_agrees",      # the top hit holds the closest sentence in meaning among the hits
    "score_gap",       # (hit 1 - hit 2) / hit 1
    "groups",          # log of the number of the question's own word groups
    "noted",           # already noted today (bot/missing.py)
)


@dataclass(frozen=True, slots=True)
class Row:
    """One question the bot answered: its set, label, state today and features."""

    set: str
    pair: GoldPair
    nearmiss: bool
    right: bool
    noted: bool
    features: np.ndarray
    absent: tuple[str, ...]  # the question's words absent from the first passage, by weight


def own_groups(query: Query) -> list[int]:
    return [i for i, g in enumerate(query.groups) if not g.context] or list(
        range(len(query.groups)))


def features(pipeline: Pipeline, query: Query, found: Results, answer: Answer
             ) -> tuple[np.ndarray, tuple[str, ...]]:
    """The FEATURES row of one answered question, and its words absent from the first passage
    (highest weight first; those absent from the document too lead)."""
    words = pipeline.retriever.words
    first = answer.quotes[0]
    passage_terms = frozenset(words.terms_of(first.passage))
    sentence_terms = frozenset(pipeline.analyzer.terms(first.text))
    doc_factors = found.in_document.get(first.doc)
    idx = own_groups(query)
    groups = [query.groups[i] for i in idx]
    total = sum(g.weight for g in groups) or 1.0
    top_weight = max((g.weight for g in groups), default=1.0) or 1.0
    in_passage = [g.factor(passage_terms) > 0 for g in groups]
    in_sentence = [g.factor(sentence_terms) > 0 for g in groups]
    in_doc = [p or (doc_factors is not None and doc_factors[i] > 0)
              or g.term in pipeline.corpus.documents[first.doc].date
              for p, i, g in zip(in_passage, idx, groups)]
    share = lambda flags: sum(g.weight for g, f in zip(groups, flags) if f) / total  # noqa: E731
    absent_p = [g for g, f in zip(groups, in_passage) if not f and g.matches]
    absent_d = [g for g, f in zip(groups, in_doc) if not f and g.matches]
    named = [g.name or g.term[:1].isdigit() for g in groups]
    cos = found.sentences
    quote_cos = cos.get((first.doc, first.start), 0.0)
    best_by_passage: dict[str, float] = {}
    for h in found.hits:
        for (doc, start), c in cos.items():
            if doc == h.passage.doc and h.passage.start <= start < h.passage.end:
                best_by_passage[h.passage.id] = max(best_by_passage.get(h.passage.id, 0.0), c)
    best_cos = max(best_by_passage.values(), default=quote_cos)
    top = found.hits[0]
    agrees = bool(best_by_passage) and best_by_passage.get(top.passage.id, 0.0) >= best_cos
    second = found.hits[1].score if len(found.hits) > 1 else 0.0
    gap = (top.score - second) / top.score if top.score else 1.0
    q_caps = {w.lower() for w in re.findall(r"\w+", query.text)}
    new_name = any(w.lower() not in q_caps for w in CAPITAL.findall(first.text))
    ev = found.evidence
    row = [
        ev.coverage, ev.unknown, ev.similarity or 0.0, quote_cos, best_cos - quote_cos,
        share(in_passage), share(in_doc), share(in_sentence), share(in_doc) - share(in_passage),
        max((g.weight for g in absent_p), default=0.0) / top_weight,
        max((g.weight for g in absent_d), default=0.0) / top_weight,
        max((g.weight for g in absent_p), default=0.0),
        any(n and not f for n, f in zip(named, in_passage)),
        any(n and not f for n, f in zip(named, in_doc)),
        bool(ASKS_NUMBER.search(query.text)), bool(ASKS_DATE.search(query.text)),
        bool(ASKS_WHY.search(query.text)), bool(ASKS_WHO.search(query.text)),
        bool(ASKS_NAME.search(query.text)),
        holds_figure(first.text), bool(HAS_DATE.search(first.text)), new_name, agrees, gap,
        np.log(len(groups)), bool(answer.missing),
    ]
    absent_words = sorted(absent_p, key=lambda g: (g in absent_d, g.weight), reverse=True)
    return np.array(row, dtype=float), tuple(g.word or g.term for g in absent_words)


def rows_of(pipeline: Pipeline, name: str, pairs: Sequence[GoldPair]) -> tuple[list[Row], dict]:
    """The answered near misses and answerable questions of a set, and its counts today."""
    docs = pipeline.corpus.documents
    out, counts = [], {"nearmiss": 0, "nearmiss_ok": 0, "answerable": 0, "right": 0,
                       "right_noted": 0}
    for pair in pairs:
        if not pair.answerable and pair.kind != "nearmiss":
            continue
        answer = pipeline.answer(pair.question)
        right = pair.answerable and is_right(answer.quotes, pair.answers, docs)
        if pair.answerable:
            counts["answerable"] += 1
            counts["right"] += right
            counts["right_noted"] += right and bool(answer.missing)
        else:
            counts["nearmiss"] += 1
            counts["nearmiss_ok"] += not answer.answered or bool(answer.missing)
        if not answer.answered:
            continue
        query = pipeline.query(clean_question(pair.question))
        found = pipeline.retriever.search(query, max(pipeline.settings.top_k,
                                                     pipeline.retriever.tuning.compose_hits))
        row, absent = features(pipeline, query, found, answer)
        out.append(Row(name, pair, not pair.answerable, right, bool(answer.missing), row, absent))
    return out, counts


def fit(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 2000) -> tuple[np.ndarray, float]:
    """L2 logistic regression by gradient descent with balanced class weights: (w, b)."""
    w, b = np.zeros(x.shape[1]), 0.0
    cw = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    lr = 0.5
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        g = cw * (p - y) / len(y)
        w -= lr * (x.T @ g + l2 * w / len(y))
        b -= lr * g.sum()
    return w, b


def threshold(scores: np.ndarray, cap: float) -> float:
    """The lowest threshold that flags (score > t) at most `cap` of `scores` (ties count
    together: a threshold never splits them)."""
    allowed = int(np.floor(cap * len(scores)))
    ordered = np.sort(scores)[::-1]
    return float(ordered[allowed]) if allowed < len(ordered) else -np.inf


def outcome(test: Sequence[Row], flags: np.ndarray, counts: dict) -> dict:
    """What flagging (a note added) does to the test set's near-miss and wrong-note shares."""
    nm = [(r, f) for r, f in zip(test, flags) if r.nearmiss]
    an = [(r, f) for r, f in zip(test, flags) if not r.nearmiss]
    newly = sum(1 for r, f in nm if f and not r.noted)
    wrong_new = sum(1 for r, f in an if f and r.right and not r.noted)
    n, a = counts["nearmiss"] or 1, counts["answerable"] or 1
    return {
        "nearmiss_flagged": f"{sum(f for _, f in nm)}/{len(nm)}",
        "answerable_flagged": f"{sum(f for _, f in an)}/{len(an)}",
        "nearmiss_newly_noted": newly,
        "right_newly_noted": wrong_new,
        "noted_before": counts["nearmiss_ok"] / n,
        "noted_after": (counts["nearmiss_ok"] + newly) / n,
        "wrong_note_before": counts["right_noted"] / a,
        "wrong_note_after": (counts["right_noted"] + wrong_new) / a,
    }


def cross_validate(rows: Sequence[Row], counts: dict, cap: float, make) -> dict:
    """For each test set: fit `make(train) -> scorer` on the other sets' rows not noted today
    (a flag changes only those), threshold so that at most `cap` of the training sets'
    answered answerable questions are newly flagged, and the outcome on the test set."""
    out = {}
    for held in TEST_SETS:
        train = [r for r in rows if r.set != held and not r.noted]
        test = [r for r in rows if r.set == held]
        scorer = make(train)
        answerable = [r for r in rows if r.set != held and not r.nearmiss]
        scores = scorer([r for r in train if not r.nearmiss])
        t = threshold(np.concatenate([scores, np.full(len(answerable) - len(scores), -np.inf)]),
                      cap)
        flags = np.array([not r.noted for r in test]) & (scorer(test) > t)
        out[held] = outcome(test, flags, counts[held])
    return out


def logistic(names: Sequence[str], l2: float):
    """A maker of logistic scorers over the named features, standardised on the training rows."""
    cols = [FEATURES.index(n) for n in names]

    def make(train: Sequence[Row]):
        x = np.array([r.features[cols] for r in train])
        mu, sd = x.mean(0), x.std(0) + 1e-9
        w, b = fit((x - mu) / sd, np.array([r.nearmiss for r in train], dtype=float), l2)
        return lambda rs: ((np.array([r.features[cols] for r in rs]) - mu) / sd) @ w + b
    return make


def single(name: str, sign: float, gate: Sequence[str] = (), any_of: Sequence[str] = ()):
    """A one-feature rule: flag when sign × feature is high, only where every `gate` feature
    is set; a row with one of `any_of` set is flagged whatever its value."""
    col = FEATURES.index(name)
    gates = [FEATURES.index(g) for g in gate]
    always = [FEATURES.index(g) for g in any_of]

    def score(r: Row) -> float:
        if not all(r.features[g] > 0.5 for g in gates):
            return -np.inf
        return np.inf if any(r.features[a] > 0.5 for a in always) else sign * r.features[col]
    return lambda train: (lambda rs: np.array([score(r) for r in rs]))


def weights_all(rows: Sequence[Row], names: Sequence[str], l2: float) -> dict[str, float]:
    cols = [FEATURES.index(n) for n in names]
    x = np.array([r.features[cols] for r in rows])
    mu, sd = x.mean(0), x.std(0) + 1e-9
    w, _ = fit((x - mu) / sd, np.array([r.nearmiss for r in rows], dtype=float), l2)
    return {n: round(float(v), 3) for n, v in sorted(zip(names, w), key=lambda t: -abs(t[1]))}


def means(rows: Sequence[Row]) -> dict[str, tuple[float, float, float]]:
    """Per feature: mean over near misses not yet noted, right answers, all answerable."""
    nm = np.array([r.features for r in rows if r.nearmiss and not r.noted])
    ok = np.array([r.features for r in rows if not r.nearmiss and r.right])
    an = np.array([r.features for r in rows if not r.nearmiss])
    return {n: (round(float(nm[:, i].mean()), 3), round(float(ok[:, i].mean()), 3),
                round(float(an[:, i].mean()), 3)) for i, n in enumerate(FEATURES)}


def markdown(report: dict) -> str:
    lines = ["# Near misses: can a flag add a note?", "",
             f"Threshold: at most {report['cap']:.0%} of the training folds' answered answerable "
             "questions flagged. Test folds: " + ", ".join(TEST_SETS) + ".", "",
             "Bar for shipping: +0.10 near misses noted on every fold, wrong notes ≤ 0.05.", "",
             "| scorer | fold | NM newly flagged / answered | ans. newly flagged / answered | "
             "NM declined or noted before → after | "
             "wrong note before → after |", "|---|---|---|---|---|---|"]
    for name, folds in report["scorers"].items():
        for held, o in folds.items():
            lines.append(f"| {name} | {held} | {o['nearmiss_flagged']} | "
                         f"{o['answerable_flagged']} | {o['noted_before']:.3f} → "
                         f"{o['noted_after']:.3f} | {o['wrong_note_before']:.3f} → "
                         f"{o['wrong_note_after']:.3f} |")
    lines += ["", "## Feature means (near miss not noted / right answer / all answerable)", "",
              "| feature | near miss | right | answerable |", "|---|---|---|---|"]
    lines += [f"| {n} | {a} | {b} | {c} |" for n, (a, b, c) in report["means"].items()]
    lines += ["", "## Weights fitted on all sets", "", "```",
              json.dumps(report["weights"], indent=1), "```", ""]
    return "\n".join(lines)


SUBSETS = {
    "all": tuple(f for f in FEATURES if f != "noted"),
    "evidence": ("coverage", "unknown", "similarity", "quote_cosine"),
    "names": ("name_absent_passage", "document_share", "asks_name", "asks_who",
              "quote_cosine", "groups"),
    "absent": ("absent_passage", "absent_document", "name_absent_passage",
               "name_absent_document", "passage_share", "document_share"),
    "absent+cos": ("absent_passage", "absent_document", "passage_share", "document_share",
                   "quote_cosine", "similarity", "sentence_share"),
}
# (feature, sign, gates, flagged-anyway): scored sign × feature where every gate holds.
NAP = ("name_absent_passage",)
RULES = (("absent_passage_idf", 1.0, (), ()), ("passage_share", -1.0, (), ()),
         ("document_share", -1.0, (), ()), ("quote_cosine", -1.0, (), ()),
         ("similarity", -1.0, (), ()), ("coverage", -1.0, (), ()),
         ("sentence_share", -1.0, (), ()), ("unknown", 1.0, (), ()),
         ("document_share", -1.0, NAP, ()), ("passage_share", -1.0, NAP, ()),
         ("quote_cosine", -1.0, NAP, ()), ("coverage", -1.0, NAP, ()),
         ("doc_minus_passage", 1.0, NAP, ()), ("groups", 1.0, NAP, ()),
         ("asks_name", 1.0, NAP, ()), ("document_share", -1.0, NAP, ("asks_name",)),
         ("quote_cosine", -1.0, NAP, ("asks_name",)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--l2", type=float, nargs="*", default=[1.0, 10.0])
    parser.add_argument("--cap", type=float, default=0.03)
    args = parser.parse_args(argv)
    settings = Settings(_env_file=None)
    corpus = load_settings_corpus(settings)
    pipeline = Pipeline.from_settings(settings, corpus=corpus)
    docs = corpus.documents
    rows, counts = [], {}
    for name, path in SETS.items():
        pairs = (select(load_gold(ROOT / "corpus" / "gold.jsonl", docs), "dev") if path is None
                 else load_gold(path, docs))
        got, counts[name] = rows_of(pipeline, name, pairs)
        rows += got
    report: dict = {"cap": args.cap, "counts": counts, "scorers": {}, "means": means(rows)}
    for subset, names in SUBSETS.items():
        for l2 in args.l2:
            report["scorers"][f"logistic {subset} l2={l2:g}"] = cross_validate(
                rows, counts, args.cap, logistic(names, l2))
    for name, sign, gate, any_of in RULES:
        label = " & ".join(gate) + (" & " if gate else "") + ("-" if sign < 0 else "") + name
        label += "".join(f" | {a}" for a in any_of)
        report["scorers"][f"rule {label}"] = cross_validate(
            rows, counts, args.cap, single(name, sign, gate, any_of))
    report["weights"] = weights_all([r for r in rows if not r.noted], SUBSETS["all"],
                                    args.l2[0])
    text = markdown(report)
    save_results(args.out, "nearmiss", report, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
