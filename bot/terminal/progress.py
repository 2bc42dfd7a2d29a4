"""A progress bar on stderr while a large corpus is analysed and indexed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Below this many passages the index builds in well under a second: no bar.
PROGRESS_MIN_PASSAGES = 20_000


@contextmanager
def index_progress(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """Yield a callback taking the number of passages done, or None for a small corpus."""
    if total < PROGRESS_MIN_PASSAGES:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)
