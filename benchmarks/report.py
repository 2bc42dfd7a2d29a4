"""Turn benchmark results into JSON, a markdown report and a PNG plot.

The users' path is `path` in each scale row (benchmarks/workers.py ours-path): a question read by
the QuestionReader and searched by the Retriever, as Pipeline.answer does. `ours` (ours-serve,
BM25Scorer.top on term lists) is the like-for-like comparison with rank-bm25 and bm25s.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

# Load model for the replica estimate: at peak, each active user asks one question every 30 s,
# and a replica runs at no more than half its measured throughput (headroom for bursts).
SECONDS_PER_QUESTION = 30
HEADROOM = 0.5
MIN_REPLICAS = 2  # one can fail or restart while the other serves
USERS = (1_000, 100_000)
NAMES = {"path": "citatbot, users' path", "ours": "citatbot, BM25Scorer.top",
         "rank-bm25": "rank-bm25", "bm25s": "bm25s"}
MODE_NAMES = {"semantic": "semantic on (default)", "lexical": "CITATBOT_SEMANTIC=false"}
USERS_PATH = (
    "**The users' path** is `citatbot, users' path` (`ours-path` in benchmarks/workers.py): the "
    "synthetic term lists become Passages (text = the terms joined by spaces) in Documents of "
    "300 passages; the saved word field (and the 4-gram field up to "
    "CITATBOT_NGRAM_MAX_PASSAGES, 200k) is loaded into a Retriever with the document boost, as "
    "build_retriever wires it, and each question (a query's terms joined by spaces) is read by "
    "the QuestionReader (expansion on, no synonyms) and searched for the 10 passages "
    "Pipeline.answer asks for. No semantic field: above 10,000 passages "
    "(CITATBOT_SEMANTIC_MAX_PASSAGES) users have none; at exactly 10,000 they do, and its cost "
    "is in semantic.md. `citatbot, BM25Scorer.top` (`ours-serve`) scores the term lists alone: "
    "it is the like-for-like comparison with rank-bm25 and bm25s, not what users get.")


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _mb(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _label(size: int) -> str:
    return f"{size // 10**6}M" if size >= 10**6 else f"{size // 1000}k"


def targets(results: dict) -> list[tuple[str, str, str, bool]]:
    """(target, limit, measured, met) for every target of issue 6 that this run measured."""
    rows = []
    for name, b in results["bundled"].items():
        first, ask = b["in_process"]["answer_first"], b["cold_start"]
        rows += [
            (f"bundled, {MODE_NAMES[name]}: question → answer p95 (first pass, gold questions)",
             "≤ 2 ms", f"{_ms(first['p95_ms'])} ms", first["p95_ms"] <= 2),
            (f"bundled, {MODE_NAMES[name]}: `citatbot ask` whole process, cached (median)",
             "≤ 0.6 s", f"{ask['median_s']:.3f} s", ask["median_s"] <= 0.6),
        ]
    for row in results["scale"]:
        size, ours, path = row["size"], row["ours"], row["path"]
        if size == 100_000:
            rows.append(("100k: query p95 (users' path)", "≤ 10 ms", f"{_ms(path['p95_ms'])} ms",
                         path["p95_ms"] <= 10))
        if size == 1_000_000:
            ready = path["load_s"] + path["key_s"]
            rows += [
                ("1M: query p95 (users' path)", "≤ 60 ms", f"{_ms(path['p95_ms'])} ms",
                 path["p95_ms"] <= 60),
                ("1M: peak memory serving (users' path: passages, documents, index)", "≤ 3 GB",
                 f"{_mb(path['peak_mb'])} MB", path["peak_mb"] <= 3072),
                ("1M: peak memory building", "≤ 3 GB", f"{_mb(ours['build_peak_mb'])} MB",
                 ours["build_peak_mb"] <= 3072),
                ("1M: load persisted index (users' path: cache key + fields + retriever)",
                 "≤ 5 s", f"{ready:.2f} s", ready <= 5),
            ]
        if size >= 100_000:
            for ref, limit in (("rank-bm25", 50), ("bm25s", 1)):
                ratio = row[ref]["p50_ms"] / ours["p50_ms"]
                rows.append((f"{_label(size)}: BM25Scorer.top faster than {ref} (p50)",
                             f"≥ {limit}×", f"{ratio:,.1f}×", ratio >= limit))
    return rows


def capacity(results: dict) -> list[dict]:
    """Per-process throughput and replica counts: the bundled answer time plus, at scale, the
    users' path time measured on the synthetic corpus (composing does not grow with the corpus)."""
    lexical = results["bundled"]["lexical"]["in_process"]
    rows = [(f"bundled, {MODE_NAMES[name]}", b["in_process"]["answer_first"]["p50_ms"])
            for name, b in results["bundled"].items()]
    compose_ms = lexical["answer"]["p50_ms"] - lexical["search"]["p50_ms"]
    rows += [(f"{r['size']:,}".replace(",", " "), compose_ms + r["path"]["p50_ms"])
             for r in results["scale"]]
    out = []
    for name, ms in rows:
        qps = 1000 / ms
        need = {u: max(MIN_REPLICAS, math.ceil(u / SECONDS_PER_QUESTION / (qps * HEADROOM)))
                for u in USERS}
        out.append({"corpus": name, "service_ms": ms, "qps": qps,
                    **{f"replicas_{u}": n for u, n in need.items()}})
    return out


def bundled_lines(results: dict) -> list[str]:
    """The bundled corpus's table: one column per mode."""
    modes = results["bundled"]
    ip = next(iter(modes.values()))["in_process"]

    def row(label: str, cell: Callable[[dict], str]) -> str:
        return f"| {label} | " + " | ".join(cell(m) for m in modes.values()) + " |"

    def pair(key: str) -> Callable[[dict], str]:
        return lambda m: (f"{_ms(m['in_process'][key]['p50_ms'])} / "
                          f"{_ms(m['in_process'][key]['p95_ms'])} ms")

    cs = next(iter(modes.values()))["cold_start"]
    return [
        f"## Bundled corpus ({ip['documents']} documents, {ip['passages']} passages, "
        f"{ip['vocabulary']:,} terms)", "",
        "| measure | " + " | ".join(MODE_NAMES[n] for n in modes) + " |",
        "|---|" + "---:|" * len(modes),
        row("question → composed answer (`Pipeline.answer`), first pass over the gold questions: "
            "each question new, its vector not cached (p50 / p95)", pair("answer_first")),
        row(f"the same, warm ({ip['questions']} questions, vectors cached) (p50 / p95)",
            pair("answer")),
        row("read + search only, warm (p50 / p95)", pair("search")),
        row(f"`citatbot ask \"…\"` whole process, index cached (median of {cs['runs']})",
            lambda m: f"{m['cold_start']['median_s']:.3f} s"),
        row("`citatbot ask` first run, building the cache",
            lambda m: f"{m['cold_start']['first_s']:.2f} s"),
        row(f"`citatbot ask --json -`, {modes[next(iter(modes))]['batch']['questions']} gold "
            "questions piped in, whole process (per question)",
            lambda m: f"{m['batch']['seconds']:.2f} s ({_ms(m['batch']['per_question_ms'])} ms)"),
        row("word index build (analyse + invert) / load from cache (median of 7)",
            lambda m: f"{_ms(m['in_process']['build_ms'])} / {_ms(m['in_process']['load_ms'])} ms"),
        row("peak memory: benchmark process / `citatbot ask`",
            lambda m: f"{_mb(m['in_process']['peak_mb'])} / {_mb(m['cold_start']['peak_mb'])} MB"),
        "", f"Bare `python -c pass`: {cs['python_bare_s']:.3f} s.", "",
    ]


def path_lines(results: dict) -> list[str]:
    """The users' path at each size, beside BM25Scorer.top's figures."""
    lines = ["## Users' path at scale", "", USERS_PATH, "",
             "| passages | fields | load s | key s | p50 ms | p95 ms | peak MB | answered | "
             "BM25Scorer.top p50 / p95 ms |", "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in results["scale"]:
        p, o = row["path"], row["ours"]
        fields = "words, 4-grams, document boost" if p["grams"] else "words, document boost"
        lines.append(f"| {row['size']:,} | {fields} | {p['load_s']:.2f} | {p['key_s']:.2f} | "
                     f"{_ms(p['p50_ms'])} | {_ms(p['p95_ms'])} | {_mb(p['peak_mb'])} | "
                     f"{p['answered']}/{p['queries']} | {_ms(o['p50_ms'])} / {_ms(o['p95_ms'])} |")
    runs = results["scale"][0]["path"].get("runs", 1) if results["scale"] else 1
    return lines + [
        "", f"Load = the saved fields' files → a ready Retriever and QuestionReader; key = hashing "
        "every passage for the cache's key (once per lexical field), which a start pays before it "
        "trusts the files. Peak MB holds the passages' text and the documents' raw text too. "
        f"Answered = questions with at least one hit. Medians of {runs} processes.", ""]


def engine_lines(results: dict) -> list[str]:
    """The like-for-like table: term lists scored by each engine."""
    lines = [
        "## Synthetic corpora: BM25 engines on term lists", "",
        "Term lists drawn with the bundled corpus's term frequencies and passage lengths (fixed "
        "seed); queries are 2–6 consecutive distinct terms of bundled passages; top 10. "
        "Build = term lists → index (no text analysis). Index MB = memory the built index holds "
        "(tracemalloc); peak MB = the process's peak RSS (citatbot: the serving process that "
        "loads the file, load s and latencies the median of "
        f"{results['scale'][0]['ours'].get('serve_runs', 1) if results['scale'] else 1} such "
        "processes; the others: the process that built from the term lists, which holds them "
        "too).", "",
        "| passages | engine | build s | load s | p50 ms | p95 ms | index MB | peak MB | queries |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["scale"]:
        for key in ("ours", "rank-bm25", "bm25s"):
            r = row[key]
            load = f"{r['load_s']:.2f}" if "load_s" in r else "—"
            lines.append(
                f"| {row['size']:,} | {NAMES[key]} | {r['build_s']:.2f} | {load} | "
                f"{_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} | {_mb(r['index_mb'])} | "
                f"{_mb(r['peak_mb'])} | {r['queries']} |")
    builds = []
    for r in results["scale"]:
        o = r["ours"]
        grams = (f", 4-grams {o['grams_build_s']:.1f} s build, {_mb(o['grams_file_mb'])} MB file"
                 if "grams_build_s" in o else "")
        builds.append(f"{r['size']:,}: {_mb(o['build_peak_mb'])} MB peak, "
                      f"{_mb(o['file_mb'])} MB file{grams}")
    lines += ["", "citatbot's word field build peak (term lists + index) and file size: "
              + "; ".join(builds) + ".", "",
              "### Ratios (how many times faster BM25Scorer.top is, p50 / p95)", "",
              "| passages | vs rank-bm25 | vs bm25s | top-10 equal to rank-bm25's |",
              "|---:|---:|---:|---:|"]
    for row in results["scale"]:
        o = row["ours"]
        ratio = {k: f"{row[k]['p50_ms'] / o['p50_ms']:,.1f}× / {row[k]['p95_ms'] / o['p95_ms']:,.1f}×"
                 for k in ("rank-bm25", "bm25s")}
        lines.append(f"| {row['size']:,} | {ratio['rank-bm25']} | {ratio['bm25s']} | "
                     f"{row['agree']} |")
    return lines + ["", "rank-bm25 answers a subset of the queries where it is slow (column "
                    "queries).", ""]


def markdown(results: dict) -> str:
    """The report as markdown tables."""
    m = results["machine"]
    lines = [
        "# citatbot benchmarks", "",
        f"`make bench` (`python -m benchmarks.run`) on {m['cpus']} CPUs, Python {m['python']}, "
        f"numpy {m['numpy']}, rank-bm25 {m['rank-bm25']}, bm25s {m['bm25s']} (numpy backend).", "",
        *bundled_lines(results),
    ]
    if results["scale"]:
        lines += path_lines(results) + engine_lines(results)
    lines += ["## Targets (issue 6)", "", "| target | limit | measured | met |",
              "|---|---|---|---|"]
    lines += [f"| {t} | {lim} | {val} | {'yes' if ok else '**no**'} |"
              for t, lim, val, ok in targets(results)]
    lines += ["", "## Capacity per process", "",
              "Service time: on the bundled corpus, the first-pass answer p50 (each question new); "
              "at scale, the lexical bundled answer p50 less its read + search p50, plus the "
              "users' path p50 of the corpus size (no semantic field, as above 10,000 passages). "
              "One process answers one question at a time. Replicas at peak load of one question "
              f"per active user every {SECONDS_PER_QUESTION} s, each replica at {HEADROOM:.0%} of "
              f"its throughput, at least {MIN_REPLICAS}.", "",
              "| corpus | service ms | questions/s per process | replicas, 1k users | "
              "replicas, 100k users |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {c['corpus']} | {_ms(c['service_ms'])} | {c['qps']:,.0f} | "
              f"{c['replicas_1000']} | {c['replicas_100000']} |" for c in capacity(results)]
    return "\n".join(lines) + "\n"


def plot(results: dict, path: Path, users: list[dict] | None = None) -> None:
    """Query p95 and memory against corpus size, log axes, one line per engine; with `users`
    (the rows of benchmarks/users_folder.json), the users' path as whole processes too: a
    question's p95 in one `citatbot ask --json -` process and `citatbot ask` with the index
    cached."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["size"] for r in results["scale"]]
    panels = 3 if users else 2
    fig, axes = plt.subplots(1, panels, figsize=(5.5 * panels, 4.5))
    lat, mem = axes[0], axes[1]
    for key, style, color in (("path", "D-", "C3"), ("ours", "o-", "C0"),
                              ("rank-bm25", "s--", "C1"), ("bm25s", "^-.", "C2")):
        lat.plot(sizes, [r[key]["p95_ms"] for r in results["scale"]], style, color=color,
                 label=NAMES[key])
    for key, style, color in (("ours", "o-", "C0"), ("rank-bm25", "s--", "C1"),
                              ("bm25s", "^-.", "C2")):
        mem.plot(sizes, [r[key]["index_mb"] for r in results["scale"]], style, color=color,
                 label=f"{NAMES[key]} index")
    mem.plot(sizes, [r["path"]["peak_mb"] for r in results["scale"]], "D:", color="C3",
             label="users' path process, peak RSS")
    mem.plot(sizes, [r["ours"]["peak_mb"] for r in results["scale"]], "o:", color="C0",
             label="BM25Scorer.top process, peak RSS")
    titles = [(lat, "Query latency p95 (top 10)", "ms"), (mem, "Memory", "MB")]
    if users:
        passages = [r["passages"] for r in users]
        lat.plot(passages, [r["question_p95_ms"] for r in users], "P-", color="C4",
                 label="`ask --json -` process, first pass")
        mem.plot(passages, [r["serving_peak_mb"] for r in users], "P:", color="C4",
                 label="`ask --json -` process, peak RSS")
        ask = axes[2]
        ask.plot(passages, [r["cached_ask_s"] for r in users], "P-", color="C4",
                 label="`citatbot ask`, index cached")
        ask.plot(passages, [r["first_ask_s"] for r in users], "X--", color="C5",
                 label="first `citatbot ask` (index built)")
        titles.append((ask, "Whole process (benchmarks/users_folder.py)", "s"))
    for ax, title, unit in titles:
        ax.set(xscale="log", yscale="log", title=title, xlabel="passages", ylabel=unit)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def users_rows(folder: Path) -> list[dict] | None:
    """The users' path rows benchmarks/users_folder.py wrote into `folder`, if it has."""
    path = folder / "users_folder.json"
    return json.loads(path.read_text("utf-8"))["rows"] if path.exists() else None


def replot(folder: Path) -> None:
    """Draw scale.png again from the saved results (after either benchmark ran)."""
    path = folder / "results.json"
    if path.exists():
        results = json.loads(path.read_text("utf-8"))
        if results.get("scale"):
            plot(results, folder / "scale.png", users_rows(folder))


def write_report(results: dict, folder: Path) -> str:
    """Write results.json, results.md and scale.png into `folder`; return the markdown."""
    folder.mkdir(parents=True, exist_ok=True)
    results = {**results, "targets": [dict(zip(("target", "limit", "measured", "met"), t))
                                      for t in targets(results)],
               "capacity": capacity(results)}
    (folder / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    text = markdown(results)
    (folder / "results.md").write_text(text, encoding="utf-8")
    if results["scale"]:
        try:
            plot(results, folder / "scale.png", users_rows(folder))
        except ModuleNotFoundError as missing:  # `make test`'s install has no matplotlib
            print(f"scale.png not redrawn: {missing.name} is not installed (make bench installs "
                  "it)", file=sys.stderr)
    return text


if __name__ == "__main__":
    replot(Path(__file__).resolve().parent / "results")
