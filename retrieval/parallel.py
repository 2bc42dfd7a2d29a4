"""A first build on every core: files are read and split, and passages analysed, in worker
processes.

Python runs one thread of Python at a time, so a 1M-passage build (5,000 files read, cleaned
and split; 25 million words analysed) used one core of two. Worker processes do that work on
batches and send back plain data (texts, numpy arrays); the parent only assembles it, in the
order a single process would, so what is built is the same to the bit. A few batches are in
flight at a time, so memory stays bounded by what is kept, not by what is queued.

A pool costs its workers' start (about half a second: each imports numpy and the analyzer), so
small folders and indexes are built in the process itself. Workers are spawned, never forked:
a fork of a process whose other threads (the bot's) hold locks can hang.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below these, one process: a pool's start would cost more than it saves.
POOL_MIN_FILES = 200
POOL_MIN_PASSAGES = 50_000
# Items a worker gets at once, and batches in flight per worker.
BATCH_FILES = 16
BATCH_PASSAGES = 5_000
IN_FLIGHT = 2


def worker_count(setting: int) -> int:
    """Processes to use for a setting of `setting` (0: one a core)."""
    return setting if setting > 0 else (os.cpu_count() or 1)


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter)."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def pooled(work: Callable[[list[T]], R], items: Iterable[list[T]], workers: int,
           initializer: Callable[..., Any] | None = None, initargs: tuple = ()
           ) -> Iterator[R]:
    """`work(batch)` for each batch, in order, on `workers` spawned processes with at most
    IN_FLIGHT batches a worker queued. Raises BrokenProcessPool when a worker dies."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=initializer,
                             initargs=initargs) as pool:
        queued: list[Future[R]] = []
        for batch in items:
            queued.append(pool.submit(work, batch))
            if len(queued) >= IN_FLIGHT * workers:
                yield queued.pop(0).result()
        for future in queued:
            yield future.result()


__all__ = ["BrokenProcessPool", "POOL_MIN_FILES", "POOL_MIN_PASSAGES", "BATCH_FILES",
           "BATCH_PASSAGES", "batches", "pooled", "worker_count"]
