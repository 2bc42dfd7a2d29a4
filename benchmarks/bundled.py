"""The bundled corpus: question → composed answer in process, `citatbot ask` as a whole process,
index build and load times, memory."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import latencies, peak_rss_mb, percentiles, run_child, timed
from bot.pipeline import Pipeline
from bot.settings import DEFAULT_CORPUS, PROJECT_ROOT, Settings
from retrieval.store import open_index

GOLD = DEFAULT_CORPUS / "gold.jsonl"
REPEATS = 5
COLD_RUNS = 7


def in_process(settings: Settings) -> dict:
    """Answer latency, build time without cache, load time with cache, process peak memory."""
    questions = gold_questions()
    pipeline = Pipeline.from_settings(settings)
    # First pass: each passage's sentences are analysed on first use, as after a start.
    first = latencies(pipeline.answer, questions)
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
        "answer_first": percentiles(first), "answer": percentiles(times), "search": percentiles(search),
        "build_ms": statistics.median(builds) * 1000, "load_ms": statistics.median(loads) * 1000,
        "peak_mb": peak_rss_mb(),
    }


def gold_questions() -> list[str]:
    """The questions of the shipped gold set: the questions people are expected to ask."""
    lines = GOLD.read_text("utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def cold_start(cache_dir: Path) -> dict:
    """`citatbot ask` as a whole process with the index cached: median wall time and peak memory."""
    exe = str(Path(sys.executable).with_name("citatbot"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITATBOT_", "TELEGRAM_"))}
    env.update(CITATBOT_CORPUS_DIR=str(DEFAULT_CORPUS), CITATBOT_INDEX_CACHE_DIR=str(cache_dir))
    cmd = [exe, "ask", "Vad kostar socialtjänsten i Umeå?"]
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


def bundled() -> dict:
    """Every bundled-corpus measurement, with the cache in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, corpus_dir=DEFAULT_CORPUS,
                            index_cache_dir=Path(folder) / "in-process")
        return {"in_process": in_process(settings), "cold_start": cold_start(Path(folder) / "cli")}
