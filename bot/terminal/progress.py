"""The one progress bar of the terminal: on stderr, silent when stderr is not a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Below this many passages the index builds in well under a second: no bar.
PROGRESS_MIN_PASSAGES = 20_000

Update = Callable[[int], None]  # takes how many are done so far


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int], Update]]:
    """Yield a task maker: task(label, total) adds a bar and returns its update callback."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True)
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal,
                  transient=True) as bar:

        def task(label: str, total: int) -> Update:
            task_id = bar.add_task(label, total=total)
            return lambda done: bar.update(task_id, completed=done)

        yield task


@contextmanager
def index_progress(total: int, label: str) -> Iterator[Update | None]:
    """Yield a callback taking the number of passages done, or None for a small corpus."""
    if total < PROGRESS_MIN_PASSAGES:
        yield None
        return
    with progress_bar() as task:
        yield task(label, total)
