"""Clocks and memory gauges shared by the benchmarks."""

from __future__ import annotations

import json
import resource
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.evaluation.metrics import percentile


def save_results(folder: Path, name: str, data: object, text: str, indent: int = 2) -> None:
    """A benchmark's results as folder/name.json (the figures) and folder/name.md (the tables)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(data, indent=indent) + "\n", "utf-8")
    (folder / f"{name}.md").write_text(text, "utf-8")


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """p50 and p95 of a list of durations, in milliseconds."""
    ms = np.asarray(seconds) * 1000
    return {"p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95)}


def timed(func: Callable[[], object]) -> tuple[object, float]:
    """The result of func() and the seconds it took."""
    started = time.perf_counter()
    result = func()
    return result, time.perf_counter() - started


def latencies(func: Callable[[object], object], inputs: Sequence[object],
              warm: Sequence[object] | None = None) -> list[float]:
    """Seconds each call func(x) took, after warm-up calls on `warm` (default: the first ten
    inputs; pass other inputs when a cache must stay cold for the inputs measured)."""
    for x in inputs[: min(len(inputs), 10)] if warm is None else warm:
        func(x)
    out = []
    for x in inputs:
        started = time.perf_counter()
        func(x)
        out.append(time.perf_counter() - started)
    return out


def peak_rss_mb() -> float:
    """The highest resident memory of this program since it started (VmHWM on Linux).

    Not ru_maxrss: Linux carries a parent's peak into a child across fork and exec, so every
    worker would report at least the benchmark driver's memory.
    """
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """This program's resident memory now (VmRSS), in MB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass(frozen=True, slots=True)
class ChildRun:
    """One finished child process: its output, wall time and exit code."""

    stdout: str
    seconds: float
    returncode: int


def run_child(cmd: Sequence[str], cwd: str | None = None, env: dict | None = None,
              stdin: bytes | None = None) -> ChildRun:
    """Run a command to its end (fed `stdin`, if given), measuring its wall time."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, check=False)
    seconds = time.perf_counter() - started
    return ChildRun(proc.stdout.decode(), seconds, proc.returncode)
