"""What each quality lever adds: one lever off at a time, on dev, holdout and the blind set.

    python -m benchmarks.levers [--gold corpus/gold.jsonl] [--blind corpus/blind.jsonl]
                                [--only NAME ...]

Levers are chosen on dev only. The blind set (corpus/blind.jsonl, written by someone who read
only the documents) is reported, never tuned on: it says how the levers generalise.

Every variant runs the real pipeline on the bundled corpus; a lever's worth is the shipped
system's score minus the score with that lever off. Writes benchmarks/results/levers.{md,json}.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path

from benchmarks.measure import save_results
from bot.evaluation.evaluate import BASELINE, evaluate, scores, select
from bot.evaluation.metrics import FileCheck
from bot.pipeline import Pipeline
from bot.settings import Settings
from retrieval.tuning import Tuning
from bot.evaluation.baseline import WhitespaceAnalyzer
from bot.evaluation.gold import load_gold
from retrieval.ingest import load_corpus

HERE = Path(__file__).resolve().parent
_ASCII = str.maketrans("åäöÅÄÖ", "aaoAAO")
METRICS = ("recall@1", "recall@5", "mrr@5", "accuracy", "first_right", "first_quote_right",
           "false_decline",
           "correct_decline_far", "correct_decline_nearmiss", "nearmiss_declined_or_noted",
           "wrong_missing_note")
SHORT = {"recall@1": "R@1", "recall@5": "R@5", "mrr@5": "MRR@5", "accuracy": "acc",
         "first_right": "1st", "first_quote_right": "1st quote",
         "false_decline": "f.decl", "correct_decline_far": "far decl",
         "correct_decline_nearmiss": "near decl", "nearmiss_declined_or_noted": "near noted",
         "wrong_missing_note": "wrong note"}


def _off(**changes) -> Callable[[Tuning], Tuning]:
    return lambda t: dataclasses.replace(t, **changes)


def _policy(**changes) -> Callable[[Tuning], Tuning]:
    return lambda t: dataclasses.replace(t, expansion=dataclasses.replace(t.expansion, **changes))


def _settings(**changes) -> dict:
    return changes


# name → (what the lever is, how to turn it off: a Tuning change, or Settings changes)
LEVERS: dict[str, tuple[str, Callable[[Tuning], Tuning] | dict]] = {
    "decline-coverage": ("decline when no top-3 passage covers 40% of the question",
                         _settings(min_coverage=0.0)),
    "decline-unknown": ("decline when half the question is unknown to the corpus",
                        _settings(max_unknown=1.0)),
    "figures-noted": ("a year or figure in no top passage noted, not declined",
                      _settings(require_figures=True)),
    "decline-names": ("decline when a capitalised word of the question is unknown to the corpus",
                      _settings(require_names=False)),
    "evidence-top3": ("coverage read from the best of the top 3 hits, not the first",
                      _off(evidence_hits=1)),
    "char-4grams": ("character 4-grams as a second field, fused at 0.5", _off(gram_weight=0.0)),
    "group-max": ("a word's corpus forms score once, by the best form", _off(group_max=False)),
    "accent-fold": ("å/ä/ö-insensitive match", _policy(fold_accents=False)),
    "accent-restore": ("å/ä/ö put back before stemming (pagar → pågår)",
                       _policy(restore_accents=False)),
    "split": ("unknown compound split into corpus words", _policy(split_factor=0.0)),
    "truncate": ("longer form meets a shorter corpus term", _policy(truncate_factor=0.0)),
    "prefix": ("question word begins a corpus word (modifier, definite form)",
               _policy(prefix_factor=0.0)),
    "suffix": ("question word ends a corpus word (compound head)", _policy(suffix_factor=0.0)),
    "inflection": ("inflection ending stripped", _policy(shorter_factor=0.0)),
    "typo": ("one typo forgiven", _policy(typo_factor=0.0)),
    "learned-ranker": ("a linear ranker learned on the dev sets reorders the fused ranking's best",
                       _off(learned_ranker=False)),
    "compound-head": ("an unknown compound (or synonym) searched as its head, its last part",
                      _policy(head_factor=0.0)),
    "thesaurus": ("a word the corpus lacks searched as its Synlex synonyms",
                  _off(thesaurus_factor=0.0)),
    "thesaurus-known": ("a word the corpus has searched as its Synlex synonyms too",
                        _off(thesaurus_known_factor=0.0)),
    "doc-boost": ("passage inherits its document's topic", _off(doc_boost=0.0, doc_factor=0.0)),
    "sentence-context": ("sentence inherits its paragraph's words", _off(sentence_context=0.0)),
    "type-bonus": ("figures/dates preferred for 'hur många'/'när'", _off(type_bonus=0.0)),
    "semantic": ("the semantic field: passage cosines fused 0.7, sentence cosines, meaning "
                 "overrules thin word evidence", _settings(semantic=False)),
    "semantic-decline": ("a passage close in meaning answers despite few shared words",
                         _settings(min_similarity=1.0, min_similarity_english=1.0)),
    "sentence-semantic": ("sentence cosines in the choice of quotes",
                          _off(sentence_semantic=0.0)),
    "sentence-share": ("a passage's cosine mixed 0.3 with its best sentence's",
                       _off(sentence_share=0.0)),
    "follow-on": ("the first answer brings the sentence that takes it up ('Kritiken …')",
                  _off(follow_on=False)),
    "completes": ("the first answer brings the next sentence when it holds more of the question",
                  _off(completes=False)),
    "names-from-document": ("a name the document has counts in each of its sentences",
                            _off(names_from_document=False)),
    "bm25-b": ("BM25 b 0.5 instead of 0.75", _off(bm25_b=0.75)),
    "question-demotion": ("passages and sentences that ask ('…?') at 0.7",
                          _off(question_factor=1.0)),
    "reason-before": ("a 'Därför' reason brings the sentence before", _off(reason_before=False)),
    "similarity-credit": ("closeness short of min_similarity counts as coverage",
                          _settings(similarity_credit=0.0)),
    "similarity-unknown": ("closeness above 0.84 also counts against the unknown share",
                           _settings(similarity_unknown_from=1.0)),
    "topic-word": ("a top passage or its document must share a topic word of the question",
                   _settings(require_topic=False)),
    "names-as-written": ("a word the corpus writes as a name is one however it is typed",
                         _off(names_as_written=False)),
    "recompose": ("a phrase of the question matches the compound the corpus writes for it",
                  _off(recompose_factor=0.0)),
    "english-bridge": ("an English word the corpus lacks searched as its Swedish words",
                       _off(bridge_factor=0.0)),
    "english-stems": ("an English word finds its glossary headword by English stem",
                      _off(bridge_stems=False)),
    "english-stopwords": ("an English question's stop words ('you', 'most') are no words of it",
                          _off(english_stopwords=False)),
    "join-lists": ("a lead-in and its list items, white space between, quoted as one span",
                   _off(join_lists=False)),
    "figures-in-paragraph": ("a question's year or figure looked for in the quoted paragraph, "
                             "not the whole document", _off(figures_in_paragraph=False)),
    "whole-repeats": ("a sentence another candidate repeats whole is quoted as that fuller one",
                      _off(whole_repeats=False)),
    "replies": ("what an interviewer says brings the first two sentences of the reply",
                _off(reply_sentences=0)),
    "bylines": ("who wrote a text answered by its byline, quoted from the file",
                _off(bylines=False)),
    "reason-leads": ("for 'varför', the next sentence that gives the reason leads the one it "
                     "explains", _off(reason_leads=False)),
    "datelines": ("when a text was published answered by its dateline, quoted from the file",
                  _off(datelines=False)),
    "reason-first": ("for 'varför', the best sentence that gives a reason outright leads when "
                     "the first answer gives none", _off(reason_share=0.0)),
    "quoted-questions": ("a sentence that ends by quoting a question ('frågan: Vad får vi för "
                         "pengarna.') is weighed as one that asks", _off(quoted_questions=False)),
    "survey-dates": ("for 'när' or 'hur många svarade' about a survey, the survey's note of when "
                     "it was made or how many answered, after the finding first quoted, leads",
                     _off(survey_dates=False)),
    "antecedents": ("for 'vem'/'vilken', a first sentence opening with a pronoun brings the "
                    "sentence before it that names someone, which leads",
                    _off(antecedents=False)),
    "doer-leads": ("for 'vem'/'vilka', the next sentence that names the doer leads the first "
                   "that names no one", _off(doer_leads=False)),
    "leaders": ("'vem leder …?' answered by the leader whose role beside a name fits the "
                "question, its passage first", _off(leader_depth=0)),
    "names-before": ("a name the quoted document has only after the first answer (and no "
                     "quote's paragraph has) is said to be missing", _off(names_before=False)),
    "qualifiers-in-paragraph": ("whom a figure counts ('av socionomerna inom psykiatrin') read "
                                "in the quoted paragraph", _off(qualifiers_in_paragraph=False)),
    "counted-in-paragraph": ("whom a figure counts as the question names them ('andel av "
                             "lärarna', 'inom vuxenområdet') read in the quoted paragraph",
                             _off(counted_in_paragraph=False)),
    "per-unit": ("'hur många … varje handläggare?' answered by no figure per one is said to give "
                 "none", _off(per_unit=False)),
    "unnamed-which": ("'vilken revisionsbyrå …?' answered by no name of one is said to name none",
                      _off(unnamed_which=False)),
    "second-place": ("'vad kostar mest?' (or 'mer än socialtjänsten?') answered by what 'kostar "
                     "näst mest' is said to be second",
                     _off(second_place=False)),
    "opposites": ("'… förbättras?' answered by '… försämras' is said to say the opposite",
                  _off(opposites=False)),
    "outcomes": ("'vilka effekter har reformen fått?' answered by what is wanted or planned is "
                 "said to tell not how it went", _off(outcomes=False)),
    "changes": ("'har andelen ökat jämfört med förra året?' answered by a level alone is said not "
                "to tell a change", _off(changes=False)),
    "days": ("'vilket datum …?' answered by a year or a season is said to give no date",
             _off(days=False)),
    "someone-else": ("'vad tycker X?' answered by '…, säger Y' is said to be Y's words",
                     _off(someone_else=False)),
    "organisation-view": ("'vad tycker Vision?' answered by '…, säger Heike Erkers' (SSR's chair) "
                          "is said to be her words", _off(organisation_view=False)),
    "not-quoted": ("'vad sa Hans Lindberg?' answered from a text that never quotes him is said "
                   "to hold none of his words", _off(not_quoted=False)),
    "unspoken-view": ("'vad tycker Veronica Magnusson?' answered by a finding no one speaks, "
                      "next to Heike Erkers' words, is said not to be her view",
                      _off(unspoken_view=False)),
}


def run(corpus, settings: Settings, pairs, tuning: Tuning | None, plain: bool = False,
        changes: dict | None = None) -> dict:
    """Scores of one system on the pairs."""
    if changes:
        settings = settings.model_copy(update=changes)
    if plain:
        pipeline = Pipeline.baseline(corpus, settings, WhitespaceAnalyzer())
    else:
        pipeline = Pipeline.from_settings(settings, corpus=corpus, tuning=tuning)
    return scores(evaluate(pipeline, pairs, FileCheck(corpus.folder)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=HERE.parent / "corpus" / "gold.jsonl")
    parser.add_argument("--blind", type=Path, default=HERE.parent / "corpus" / "blind.jsonl")
    parser.add_argument("--only", nargs="*", default=None, help="levers to measure")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    # The cache is kept: every variant indexes the same passages, and its key refuses a stale file.
    settings = Settings(_env_file=None, top_k=10)
    corpus = load_corpus(settings.corpus_dir, settings.max_file_bytes)
    gold = load_gold(args.gold, corpus.documents)
    splits = {name: select(gold, name) for name in ("dev", "holdout")}
    # The dev questions as typed on a keyboard without å, ä and ö: what accent handling is for.
    splits["dev, no å/ä/ö"] = [dataclasses.replace(p, question=p.question.translate(_ASCII))
                               for p in splits["dev"]]
    splits["blind"] = load_gold(args.blind, corpus.documents)
    splits["dev B"] = load_gold(HERE / "dev_b.jsonl", corpus.documents)
    splits["off-topic dev"] = load_gold(HERE / "offtopic_dev.jsonl", corpus.documents)
    splits["near-miss dev"] = load_gold(HERE / "nearmiss_dev.jsonl", corpus.documents)
    splits["near-miss dev 2"] = load_gold(HERE / "nearmiss_dev2.jsonl", corpus.documents)
    splits["near-miss dev 3"] = load_gold(HERE / "nearmiss_dev3.jsonl", corpus.documents)
    splits["near-miss dev 4"] = load_gold(HERE / "nearmiss_dev4.jsonl", corpus.documents)
    splits["answerable dev 5"] = load_gold(HERE / "answerable_dev5.jsonl", corpus.documents)
    splits["telegraphic dev 6"] = load_gold(HERE / "telegraphic_dev6.jsonl", corpus.documents)
    splits["subtle near-miss dev 7"] = load_gold(HERE / "subtle_dev7.jsonl", corpus.documents)
    splits["chit-chat dev"] = load_gold(HERE / "chitchat_dev.jsonl", corpus.documents)
    splits["newsroom dev"] = load_gold(HERE / "newsroom_dev.jsonl", corpus.documents)
    splits["citizen dev"] = load_gold(HERE / "citizen_dev.jsonl", corpus.documents)
    shipped = Tuning()
    rows = {"shipped": {s: run(corpus, settings, p, shipped) for s, p in splits.items()},
            BASELINE: {s: run(corpus, settings, p, None, plain=True) for s, p in splits.items()}}
    for name, (_, turn_off) in LEVERS.items():
        if args.only is None or name in args.only:
            if isinstance(turn_off, dict):
                rows[f"-{name}"] = {s: run(corpus, settings, p, shipped, changes=turn_off)
                                    for s, p in splits.items()}
            else:
                rows[f"-{name}"] = {s: run(corpus, settings, p, turn_off(shipped))
                                    for s, p in splits.items()}
    table = markdown(rows, {s: len(p) for s, p in splits.items()})
    save_results(args.out, "levers", rows, table)
    print(table)
    return 0


def markdown(rows: dict, sizes: dict) -> str:
    """One table per split; a lever row shows the shipped score minus the score without it."""
    out = []
    for split, n in sizes.items():
        out.append(f"\n### {split} ({n} questions)\n")
        out.append("| system | " + " | ".join(SHORT[m] for m in METRICS) + " |")
        out.append("|---|" + "---:|" * len(METRICS))
        for name, by_split in rows.items():
            s = by_split[split]
            cells = [_cell(s[m]) for m in METRICS]
            if name.startswith("-"):
                base = rows["shipped"][split]
                cells = [_delta(base[m], s[m]) for m in METRICS]
                name = f"{name[1:]} adds"
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    lines = [f"- `{n}`: {what}" for n, (what, _) in LEVERS.items()]
    return "\n".join(out) + "\n\nLevers:\n" + "\n".join(lines) + "\n"


def _cell(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def _delta(shipped: float | None, without: float | None) -> str:
    if shipped is None or without is None:
        return "–"
    return f"{shipped - without:+.3f}"


if __name__ == "__main__":
    raise SystemExit(main())
