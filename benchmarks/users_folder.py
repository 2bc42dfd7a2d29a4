"""The users' path at scale, timed as whole processes: a synthetic corpus written as files
(200 paragraphs a file, the bundled corpus's words and paragraph lengths, fixed seed), then
`citatbot ask` (first run, building the cache; then with the cache) and one
`citatbot ask --json -` process answering many questions.

    python -m benchmarks.users_folder [--sizes 100000 1000000] [--questions 200] [--runs 3]

The `--json -` process is given the questions twice. Per question is (that process − a
cached `ask` process) / (2 × questions): what a question costs in a warm process, start-up
left out; p50 and p95 are the gaps between consecutive answers as the process writes them
(every question is piped in at once, so a gap is one question's reading, search, quoting and
JSON; the first answer, which follows the start, is left out), for the first pass (each
question new to the process) and the second (the same questions again: what the process
keeps of each word and passage is there; the search itself runs in full).
Results: benchmarks/results/users_folder.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.measure import run_child
from benchmarks.report import replot
from tests.support.synthetic import synthetic_corpus, synthetic_documents, synthetic_queries
from tests.support.users_path import bundled_terms

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PER_FILE = 200
SEED = 6
ASK = "Vad kostar socialtjänsten i Umeå?"


def write_folder(folder: Path, size: int) -> int:
    """Write `size` synthetic passages as .txt files of PER_FILE paragraphs into `folder`, once
    (a folder already holding them is kept, so its files' times stay as the cache saw them)."""
    done = folder / ".complete"
    if done.exists():
        return len(list(folder.glob("*.txt")))
    folder.mkdir(parents=True, exist_ok=True)
    passages, documents = synthetic_documents(synthetic_corpus(bundled_terms(), size, SEED),
                                              PER_FILE)
    by_doc: dict[str, list[str]] = {name: [] for name in documents}
    for p in passages:
        # A full stop ends each paragraph: without one the loader joins lines that run on and
        # takes short ones for headings, and a file would not hold PER_FILE passages.
        by_doc[p.doc].append(p.text + ".")
    for name, texts in by_doc.items():
        (folder / f"{name}.txt").write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    done.write_text("")
    return len(documents)


def loaded_passages(folder: Path) -> int:
    """How many passages the loader makes of the folder (a check that each paragraph is one)."""
    from retrieval.ingest import load_corpus

    return len(load_corpus(folder).passages)


def child_env(folder: Path, cache: Path) -> dict[str, str]:
    """A `citatbot` child over `folder` with its cache in `cache`, defaults otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITATBOT_", "TELEGRAM_"))}
    env.update(CITATBOT_CORPUS_DIR=str(folder), CITATBOT_INDEX_CACHE_DIR=str(cache))
    return env


def answer_times(cmd: list[str], env: dict[str, str], questions: list[str]
                 ) -> tuple[float, list[float], float]:
    """Run `citatbot ask --json -` over `questions`: the whole process's seconds, the gap
    before each answer after the first (one question's time in the warm process), and its
    peak memory (MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdin is not None and proc.stdout is not None
    peak = TreePeak(proc.pid)
    feed = threading.Thread(target=_feed, args=(proc.stdin, "\n".join(questions).encode()))
    feed.start()
    arrivals = [time.perf_counter() for _ in iter(proc.stdout.readline, b"")]
    feed.join()
    if proc.wait() or len(arrivals) != len(questions):
        raise RuntimeError("citatbot ask --json - failed")
    return (time.perf_counter() - started, [b - a for a, b in zip(arrivals, arrivals[1:])],
            peak.stop())


def timed_peak(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """A command's seconds and the peak memory (MB) of it and its worker processes together."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = TreePeak(proc.pid)
    if proc.wait():
        raise RuntimeError(f"{cmd} failed")
    return time.perf_counter() - started, peak.stop()


class TreePeak:
    """The largest resident memory a process and its children held together, sampled every
    0.1 s from /proc (Linux; 0 elsewhere)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak / 1024

    def _sample(self) -> None:
        while not self._done.wait(0.1):
            self.peak = max(self.peak, sum(_rss_kb(pid) for pid in _tree(self.pid)))


def _tree(pid: int) -> list[int]:
    pids, seen = [pid], 0
    while seen < len(pids):
        try:
            tasks = Path(f"/proc/{pids[seen]}/task")
            for task in tasks.iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
        seen += 1
    return pids


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _feed(pipe, data: bytes) -> None:
    with pipe:
        pipe.write(data)


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


NEW_FILE = "zz_nytt_dokument.txt"
NEW_TEXT = ("Familjecentralen i Holmsund\n\nFamiljecentralen i Holmsund öppnade i mars och tar emot "
            "föräldrar med barn under sex år varje vardag.\n")
NEW_QUESTION = "När öppnade familjecentralen i Holmsund?"


def added_file(folder: Path, cache: Path, exe: str, env: dict[str, str]) -> dict:
    """One file added while a process serves, reloaded as `repl` and `telegram` reload
    (bot/reload.py): seconds from writing it until a question about it is answered from it;
    then one `citatbot ask` process about it. The file is removed at the end, and a last
    `ask` puts the cache back as it was."""
    from bot.conversation import ConversationService
    from bot.pipeline import Pipeline
    from bot.reload import Reloader
    from bot.settings import Settings

    settings = Settings(_env_file=None, corpus_dir=folder, index_cache_dir=cache)
    service = ConversationService(Pipeline.from_settings(settings))
    swapped = threading.Event()
    reloader = Reloader(service, lambda old: Pipeline.from_settings(settings, previous=old),
                        on_swap=lambda swap: swapped.set()).start()
    path = folder / NEW_FILE
    try:
        began = time.perf_counter()
        path.write_text(NEW_TEXT, encoding="utf-8")
        if not swapped.wait(120):
            raise RuntimeError("the new file was not picked up")
        answer = service.pipeline.answer(NEW_QUESTION)
        answerable = time.perf_counter() - began
        if not any(q.passage.doc == NEW_FILE for q in answer.quotes):
            raise RuntimeError("the new file does not answer")
    finally:
        reloader.stop()
    del service
    after = run_child([exe, "ask", NEW_QUESTION], env=env)
    if after.returncode or "Holmsund" not in after.stdout:
        raise RuntimeError("citatbot ask does not answer from the new file")
    path.unlink()
    run_child([exe, "ask", ASK], env=env)
    return {"added_answerable_s": answerable, "ask_after_add_s": after.seconds}


def measure(size: int, questions: int, runs: int, work: Path) -> dict:
    """First `ask`, cached `ask` (median of `runs`), and one `ask --json -` over `questions`."""
    folder, cache = work / f"paragraphs-{size}", work / f"paragraphs-{size}-cache"
    files = write_folder(folder, size)
    exe = str(Path(sys.executable).with_name("citatbot"))
    env = child_env(folder, cache)
    first = first_peak = None
    if not any(cache.glob("index-*.npz")):
        first, first_peak = timed_peak([exe, "ask", ASK], env)
    cached = [run_child([exe, "ask", ASK], env=env) for _ in range(runs)]
    asked = [" ".join(q) for q in synthetic_queries(bundled_terms(), questions)]
    batches, gaps, again, peaks = [], [], [], []
    for _ in range(runs):
        # The questions twice: the second time the process's caches (each word's documents,
        # each passage's sentences analysed) and the index pages it read hold what they ask.
        seconds, times, peak = answer_times([exe, "ask", "--json", "-"], env, asked + asked)
        batches.append(seconds)
        gaps.append(times[:questions - 1])
        again.append(times[questions - 1:])
        peaks.append(peak)
    if any(c.returncode for c in cached):
        raise RuntimeError("citatbot ask failed")
    start = statistics.median(c.seconds for c in cached)
    batch = statistics.median(batches)
    return {"passages": size, "files": files, "loaded_passages": loaded_passages(folder),
            "first_ask_s": first, "first_ask_peak_mb": first_peak,
            "serving_peak_mb": max(peaks),
            "cached_ask_s": start, "cached_ask_runs_s": [round(c.seconds, 2) for c in cached],
            "batch_s": batch, "questions": questions,
            "per_question_ms": (batch - start) / (2 * questions) * 1000,
            "question_p50_ms": statistics.median(
                percentile(g, 0.5) * 1000 for g in gaps),
            "question_p95_ms": statistics.median(
                percentile(g, 0.95) * 1000 for g in gaps),
            "again_p50_ms": statistics.median(percentile(g, 0.5) * 1000 for g in again),
            "again_p95_ms": statistics.median(percentile(g, 0.95) * 1000 for g in again),
            **added_file(folder, cache, exe, env),
            "load": os.getloadavg()[0]}


def markdown(rows: list[dict]) -> str:
    """The results as a table."""
    lines = ["| passages (files) | first `ask` | `ask`, index cached (median) | "
             "per question in `ask --json -`: mean / p50 / p95 (p50 / p95 asked again) | "
             "a file added: answered in "
             "the running process / next `ask` | peak memory: first `ask` (with its "
             "workers) / `ask --json -` | load avg |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        first = "—" if r["first_ask_s"] is None else f"{r['first_ask_s']:.1f} s"
        spread = (f" / {r['question_p50_ms']:.1f} / {r['question_p95_ms']:.1f}"
                  if "question_p95_ms" in r else "")
        if "again_p95_ms" in r:
            spread += f" ({r['again_p50_ms']:.1f} / {r['again_p95_ms']:.1f})"
        added = (f"{r['added_answerable_s']:.1f} s / {r['ask_after_add_s']:.2f} s"
                 if "added_answerable_s" in r else "—")
        build = "—" if r.get("first_ask_peak_mb") is None else f"{r['first_ask_peak_mb']:,.0f}"
        serving = f"{r['serving_peak_mb']:,.0f}" if "serving_peak_mb" in r else "—"
        lines.append(f"| {r['passages']:,} ({r['files']}) | {first} | {r['cached_ask_s']:.2f} s | "
                     f"{r['per_question_ms']:.1f}{spread} ms | {added} | {build} / {serving} MB "
                     f"| {r['load']:.1f} |")
    return "\n".join(lines) + "\n"


def previous_rows() -> list[dict]:
    """The rows of the last report: a run of one size keeps the other sizes' figures."""
    path = RESULTS / "users_folder.json"
    return json.loads(path.read_text("utf-8"))["rows"] if path.exists() else []


def main(argv: list[str] | None = None) -> int:
    """Measure each size and write the results."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.users_folder")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    work = HERE / "out"
    rows = {row["passages"]: row for row in previous_rows()}
    rows.update({size: measure(size, args.questions, args.runs, work) for size in args.sizes})
    rows = [rows[size] for size in sorted(rows)]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "users_folder.json").write_text(
        json.dumps({"cpus": os.cpu_count(), "rows": rows}, indent=2) + "\n")
    (RESULTS / "users_folder.md").write_text(markdown(rows))
    replot(RESULTS)  # scale.png shows these whole processes beside the inner functions
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
