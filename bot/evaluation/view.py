"""How `citatbot eval` looks in a terminal: rich tables on stdout, a progress bar on stderr."""

from __future__ import annotations


from rich.console import Console
from rich.table import Table

# (label, metric key, is a rate in [0, 1]); labels are metric names, not sentences.
OVERVIEW = (
    ("pairs", "pairs", False), ("answerable", "answerable", False),
    ("unanswerable", "unanswerable", False),
    ("R@1", "recall@1", True), ("R@3", "recall@3", True), ("R@5", "recall@5", True),
    ("MRR@5", "mrr@5", True), ("MRR@10", "mrr@10", True), ("accuracy", "accuracy", True),
    ("first answer holds it", "first_right", True),
    ("first quote alone holds it", "first_quote_right", True), ("false decline", "false_decline", True), ("decline (unans.)", "correct_decline", True),
    ("  offtopic/chitchat/nonsense", "correct_decline_far", True),
    ("  nearmiss", "correct_decline_nearmiss", True),
    ("  nearmiss declined or noted", "nearmiss_declined_or_noted", True),
    ("right answer, wrong note", "wrong_missing_note", True),
    ("  any note on a right answer", "noted_right", True),
    ("wrong premise corrected", "premise_corrected", True),
    ("faithfulness", "faithfulness", True), ("quotes", "quotes", False),
    ("p50 ms", "p50_ms", False), ("p95 ms", "p95_ms", False), ("build ms", "build_ms", False),
)
COUNTS = frozenset({"pairs", "answerable", "unanswerable"})
BY_KIND = (("n", "pairs", False), ("R@1", "recall@1", True), ("R@5", "recall@5", True),
           ("MRR@10", "mrr@10", True), ("acc", "accuracy", True), ("1st", "first_right", True),
           ("f.decl", "false_decline", True), ("decl", "correct_decline", True))


def cell(value: float | int | None, rate: bool) -> str:
    """A rate with three decimals, a count as is, a time with one decimal, a dash for none."""
    if value is None:
        return "–"
    return f"{value:.3f}" if rate else f"{value}" if isinstance(value, int) else f"{value:.1f}"


def delta(ours: float | int | None, base: float | int | None, rate: bool) -> str:
    """Ours minus the baseline, signed."""
    if ours is None or base is None:
        return ""
    return cell(ours - base, rate) if ours < base else "+" + cell(ours - base, rate)


def overview_table(summaries: dict[str, dict]) -> Table:
    """One row per metric, one column per system, and the difference when there are two."""
    names = list(summaries)
    table = Table(title="citatbot eval")
    table.add_column("metric")
    for name in names:
        table.add_column(name, justify="right")
    if len(names) == 2:
        table.add_column("Δ", justify="right")
    for label, key, rate in OVERVIEW:
        values = [summaries[n][key] for n in names]
        same_pairs = key in COUNTS  # both systems answer the same pairs
        extra = [delta(*values, rate) if not same_pairs else ""] if len(names) == 2 else []
        table.add_row(label, *(cell(v, rate) for v in values), *extra)
    return table


def kind_table(summaries: dict[str, dict]) -> Table:
    """One row per kind (and system, when there are two), the main metrics as columns."""
    table = Table(title="per kind")
    table.add_column("kind", no_wrap=True)
    if len(summaries) > 1:
        table.add_column("system", no_wrap=True)
    for label, _, _ in BY_KIND:
        table.add_column(label, justify="right")
    first = next(iter(summaries.values()))
    for kind in first["by_kind"]:
        for n, (name, s) in enumerate(summaries.items()):
            row = [cell(s["by_kind"][kind][key], rate) for _, key, rate in BY_KIND]
            lead = [kind if n == 0 else ""] + ([name] if len(summaries) > 1 else [])
            table.add_row(*lead, *row, end_section=len(summaries) > 1 and n == len(summaries) - 1)
    return table


def print_tables(summaries: dict[str, dict]) -> None:
    """Print the overview and the per-kind table to stdout."""
    console = Console(highlight=False)
    console.print(overview_table(summaries))
    console.print(kind_table(summaries))
