"""Turn benchmark results into JSON, a markdown report and a PNG plot."""

from __future__ import annotations

import json
import math
from pathlib import Path

# Load model for the replica estimate: at peak, each active user asks one question every 30 s,
# and a replica runs at no more than half its measured throughput (headroom for bursts).
SECONDS_PER_QUESTION = 30
HEADROOM = 0.5
MIN_REPLICAS = 2  # one can fail or restart while the other serves
USERS = (1_000, 100_000)
NAMES = {"ours": "citatbot", "rank-bm25": "rank-bm25", "bm25s": "bm25s"}


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _mb(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def targets(results: dict) -> list[tuple[str, str, str, bool]]:
    """(target, limit, measured, met) for every target of issue 6 that this run measured."""
    b = results["bundled"]
    rows = [
        ("bundled: question → answer p95 (first pass over the gold questions)", "≤ 2 ms",
         f"{_ms(b['in_process']['answer_first']['p95_ms'])} ms",
         b["in_process"]["answer_first"]["p95_ms"] <= 2),
        ("bundled: `citatbot ask` whole process, cached (median)", "≤ 0.6 s",
         f"{b['cold_start']['median_s']:.3f} s", b["cold_start"]["median_s"] <= 0.6),
    ]
    for row in results["scale"]:
        size, ours = row["size"], row["ours"]
        if size == 100_000:
            rows.append(("100k: query p95", "≤ 10 ms", f"{_ms(ours['p95_ms'])} ms",
                         ours["p95_ms"] <= 10))
        if size == 1_000_000:
            rows += [
                ("1M: query p95", "≤ 60 ms", f"{_ms(ours['p95_ms'])} ms", ours["p95_ms"] <= 60),
                ("1M: peak memory serving", "≤ 3 GB", f"{_mb(ours['peak_mb'])} MB",
                 ours["peak_mb"] <= 3072),
                ("1M: peak memory building", "≤ 3 GB", f"{_mb(ours['build_peak_mb'])} MB",
                 ours["build_peak_mb"] <= 3072),
                ("1M: load persisted index", "≤ 5 s", f"{ours['load_s']:.2f} s",
                 ours["load_s"] <= 5),
            ]
        if size >= 100_000:
            label = f"{size // 10**6}M" if size >= 10**6 else f"{size // 1000}k"
            for ref, limit in (("rank-bm25", 50), ("bm25s", 1)):
                ratio = row[ref]["p50_ms"] / ours["p50_ms"]
                rows.append((f"{label}: faster than {ref} (p50)", f"≥ {limit}×",
                             f"{ratio:,.1f}×", ratio >= limit))
    return rows


def capacity(results: dict) -> list[dict]:
    """Per-process throughput and replica counts: the bundled answer time plus, at scale, the
    retrieval time measured on the synthetic corpus (composing does not grow with the corpus)."""
    answer_ms = results["bundled"]["in_process"]["answer"]["p50_ms"]
    search_ms = results["bundled"]["in_process"]["search"]["p50_ms"]
    rows = [("bundled", answer_ms)]
    rows += [(f"{r['size']:,}".replace(",", " "), answer_ms - search_ms + r["ours"]["p50_ms"])
             for r in results["scale"]]
    out = []
    for name, ms in rows:
        qps = 1000 / ms
        need = {u: max(MIN_REPLICAS, math.ceil(u / SECONDS_PER_QUESTION / (qps * HEADROOM)))
                for u in USERS}
        out.append({"corpus": name, "service_ms": ms, "qps": qps,
                    **{f"replicas_{u}": n for u, n in need.items()}})
    return out


def markdown(results: dict) -> str:
    """The report as markdown tables."""
    b, m = results["bundled"], results["machine"]
    ip, cs = b["in_process"], b["cold_start"]
    lines = [
        "# citatbot benchmarks", "",
        f"`make bench` (`python -m benchmarks.run`) on {m['cpus']} CPUs, Python {m['python']}, "
        f"numpy {m['numpy']}, rank-bm25 {m['rank-bm25']}, bm25s {m['bm25s']} (numpy backend).", "",
        f"## Bundled corpus ({ip['documents']} documents, {ip['passages']} passages, "
        f"{ip['vocabulary']:,} terms)", "",
        "| measure | value |", "|---|---|",
        f"| question → composed answer, in process, first pass over the gold set's questions "
        f"(p50 / p95) | {_ms(ip['answer_first']['p50_ms'])} / "
        f"{_ms(ip['answer_first']['p95_ms'])} ms |",
        f"| the same, warm (p50 / p95, {ip['questions']} questions) "
        f"| {_ms(ip['answer']['p50_ms'])} / {_ms(ip['answer']['p95_ms'])} ms |",
        f"| retrieval only (p50 / p95) | {_ms(ip['search']['p50_ms'])} / "
        f"{_ms(ip['search']['p95_ms'])} ms |",
        f"| `citatbot ask \"…\"` whole process, index cached (median of {cs['runs']}) "
        f"| {cs['median_s']:.3f} s (bare `python -c pass`: {cs['python_bare_s']:.3f} s) |",
        f"| `citatbot ask` first run, building the cache | {cs['first_s']:.3f} s |",
        f"| index build (analyse + invert) / load from cache (median of 7) "
        f"| {_ms(ip['build_ms'])} / {_ms(ip['load_ms'])} ms |",
        f"| peak memory: benchmark process / `citatbot ask` | {_mb(ip['peak_mb'])} / "
        f"{_mb(cs['peak_mb'])} MB |", "",
        "## Synthetic corpora", "",
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
    lines += ["", "citatbot's build peak (term lists + index) and file size: " + ", ".join(
        f"{r['size']:,}: {_mb(r['ours']['build_peak_mb'])} MB peak, "
        f"{_mb(r['ours']['file_mb'])} MB file" for r in results["scale"]) + ".", "",
        "### Ratios (how many times faster citatbot is, p50 / p95)", "",
        "| passages | vs rank-bm25 | vs bm25s | top-10 equal to rank-bm25's |",
        "|---:|---:|---:|---:|"]
    for row in results["scale"]:
        o = row["ours"]
        ratio = {k: f"{row[k]['p50_ms'] / o['p50_ms']:,.1f}× / {row[k]['p95_ms'] / o['p95_ms']:,.1f}×"
                 for k in ("rank-bm25", "bm25s")}
        lines.append(f"| {row['size']:,} | {ratio['rank-bm25']} | {ratio['bm25s']} | "
                     f"{row['agree']} |")
    lines += ["", "rank-bm25 answers a subset of the queries where it is slow (column queries).",
              "", "## Targets (issue 6)", "", "| target | limit | measured | met |",
              "|---|---|---|---|"]
    lines += [f"| {t} | {lim} | {val} | {'yes' if ok else '**no**'} |"
              for t, lim, val, ok in targets(results)]
    lines += ["", "## Capacity per process", "",
              f"Service time = bundled answer p50 with the retrieval p50 of the corpus size; one "
              f"process answers one question at a time. Replicas at peak load of one question per "
              f"active user every {SECONDS_PER_QUESTION} s, each replica at "
              f"{HEADROOM:.0%} of its throughput, at least {MIN_REPLICAS}.", "",
              "| corpus | service ms | questions/s per process | replicas, 1k users | "
              "replicas, 100k users |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {c['corpus']} | {_ms(c['service_ms'])} | {c['qps']:,.0f} | "
              f"{c['replicas_1000']} | {c['replicas_100000']} |" for c in capacity(results)]
    return "\n".join(lines) + "\n"


def plot(results: dict, path: Path) -> None:
    """Query p95 and memory against corpus size, log axes, one line per engine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["size"] for r in results["scale"]]
    fig, (lat, mem) = plt.subplots(1, 2, figsize=(11, 4.5))
    for key, style, color in (("ours", "o-", "C0"), ("rank-bm25", "s--", "C1"),
                              ("bm25s", "^-.", "C2")):
        lat.plot(sizes, [r[key]["p95_ms"] for r in results["scale"]], style, color=color,
                 label=NAMES[key])
        mem.plot(sizes, [r[key]["index_mb"] for r in results["scale"]], style, color=color,
                 label=f"{NAMES[key]} index")
    mem.plot(sizes, [r["ours"]["peak_mb"] for r in results["scale"]], "o:", color="C0",
             label="citatbot serving process, peak RSS")
    for ax, title, unit in ((lat, "Query latency p95 (top 10)", "ms"), (mem, "Memory", "MB")):
        ax.set(xscale="log", yscale="log", title=title, xlabel="passages", ylabel=unit)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


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
        plot(results, folder / "scale.png")
    return text
