"""The bundled corpus, with the semantic field on (the default) and off: question → composed
answer in process, `citatbot ask` as a whole process, `citatbot ask --json -` over the gold
questions, index build and load times, memory.

    python -m benchmarks.bundled   → updates the bundled part of benchmarks/results/results.*
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from benchmarks.measure import latencies, peak_rss_mb, percentiles, run_child, timed
from bot.pipeline import Pipeline
from bot.settings import DEFAULT_CORPUS, PROJECT_ROOT, Settings
from retrieval.store import open_index

GOLD = DEFAULT_CORPUS / "gold.jsonl"
REPEATS = 5
COLD_RUNS = 7
ASK = "Vad kostar socialtjänsten i Umeå?"
# Warm-up questions that are not in the gold set: they load the embedding model and warm the
# code, while every gold question still meets a cold cache of question vectors.
WARM_UP = ("Hur många bor i Kiruna?", "Vad är en budget?", "Vem leder förvaltningen?")
MODES = {"semantic": True, "lexical": False}  # results key → CITATBOT_SEMANTIC


def in_process(settings: Settings) -> dict:
    """Answer latency, build time without cache, load time with cache, process peak memory."""
    questions = gold_questions()
    pipeline = Pipeline.from_settings(settings)
    # First pass: every question new (its vector embedded, each passage's sentences analysed on
    # first use), as after a start.
    first = latencies(pipeline.answer, questions, warm=WARM_UP)
    # Warm: the same questions again, their vectors and sentences cached.
    times = latencies(pipeline.answer, questions * REPEATS)
    search = latencies(lambda q: pipeline.retriever.search(pipeline.query(q), 10),
                       questions * REPEATS)
    passages, analyzer = pipeline.corpus.passages, pipeline.analyzer
    builds = [timed(lambda: open_index(passages, analyzer, None))[1] for _ in range(7)]
    loads = [timed(lambda: open_index(passages, analyzer, pipeline.retriever.stats["words"].path,
                                      folder=pipeline.corpus.folder))[1] for _ in range(7)]
    return {
        "passages": len(passages), "documents": len(pipeline.corpus.documents),
        "vocabulary": len(pipeline.retriever.words.vocabulary), "questions": len(times),
        "semantic": pipeline.retriever.semantic is not None,
        "answer_first": percentiles(first), "answer": percentiles(times), "search": percentiles(search),
        "build_ms": statistics.median(builds) * 1000, "load_ms": statistics.median(loads) * 1000,
        "peak_mb": peak_rss_mb(),
    }


def gold_questions() -> list[str]:
    """The questions of the shipped gold set: the questions people are expected to ask."""
    lines = GOLD.read_text("utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def cli_env(cache_dir: Path, semantic: bool, extra: Mapping[str, str] | None = None
            ) -> dict[str, str]:
    """The environment of a `citatbot` child: the bundled corpus, its own cache folder, and
    `extra` variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITATBOT_", "TELEGRAM_"))}
    env.update(CITATBOT_CORPUS_DIR=str(DEFAULT_CORPUS), CITATBOT_INDEX_CACHE_DIR=str(cache_dir),
               CITATBOT_SEMANTIC=str(semantic).lower(), **(extra or {}))
    return env


def cold_start(cache_dir: Path, semantic: bool, extra: Mapping[str, str] | None = None) -> dict:
    """`citatbot ask` as a whole process with the index cached: median wall time and peak memory."""
    exe = str(Path(sys.executable).with_name("citatbot"))
    env = cli_env(cache_dir, semantic, extra)
    cmd = [exe, "ask", ASK]
    first = run_child(cmd, cwd=str(PROJECT_ROOT), env=env)  # builds and saves the cache
    runs = [run_child(cmd, cwd=str(PROJECT_ROOT), env=env) for _ in range(COLD_RUNS)]
    bare = [run_child([sys.executable, "-c", "pass"]) for _ in range(COLD_RUNS)]
    measured = run_child([sys.executable, "-m", "benchmarks.peak", *cmd[1:]], env=env,
                         cwd=str(PROJECT_ROOT))
    if first.returncode or measured.returncode or any(r.returncode for r in runs):
        raise RuntimeError("citatbot ask failed during the benchmark")
    return {
        "first_s": first.seconds,
        "median_s": statistics.median(r.seconds for r in runs),
        "runs": COLD_RUNS,
        "peak_mb": float(measured.stdout.splitlines()[-1]),
        "python_bare_s": statistics.median(r.seconds for r in bare),
    }


def batch(cache_dir: Path, semantic: bool) -> dict:
    """`citatbot ask --json -` with every gold question on standard input, the index cached:
    the whole process's wall time (start, model load and every answer)."""
    exe = str(Path(sys.executable).with_name("citatbot"))
    questions = gold_questions()
    child = run_child([exe, "ask", "--json", "-"], cwd=str(PROJECT_ROOT),
                      env=cli_env(cache_dir, semantic), stdin="\n".join(questions).encode())
    answers = child.stdout.splitlines()
    if child.returncode or len(answers) != len(questions):
        raise RuntimeError(f"citatbot ask --json - answered {len(answers)} of {len(questions)}")
    return {"questions": len(questions), "seconds": child.seconds,
            "per_question_ms": child.seconds / len(questions) * 1000}


def mode(folder: Path, semantic: bool) -> dict:
    """Every bundled measurement with the semantic field on or off, caches under `folder`."""
    settings = Settings(_env_file=None, corpus_dir=DEFAULT_CORPUS, semantic=semantic,
                        index_cache_dir=folder / "in-process")
    cli = folder / "cli"
    return {"in_process": in_process(settings), "cold_start": cold_start(cli, semantic),
            "batch": batch(cli, semantic)}


def bundled() -> dict:
    """Both modes, each with its caches in a temporary folder."""
    out = {}
    for name, semantic in MODES.items():
        print(f"  bundled corpus, {name} …", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            out[name] = mode(Path(folder), semantic)
    return out


def main() -> int:
    """Measure the bundled corpus again and rewrite the report with the last scale results."""
    from benchmarks.report import write_report
    from benchmarks.run import RESULTS, machine

    path = RESULTS / "results.json"
    old = json.loads(path.read_text("utf-8")) if path.exists() else {}
    results = {"machine": machine(), "queries": old.get("queries", 0),
               "scale": old.get("scale", []), "bundled": bundled()}
    print(write_report(results, RESULTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
