"""Signs of life on the terminal: the progress bars of `citatbot eval` and of index builds.

An index is read from its cache in a fraction of a second, but building it (a new or changed
folder) takes seconds to minutes, mostly embedding passages. `BuildProgress` says so when a
build begins (on a terminal; elsewhere only once it has taken longer than a second, so a log
shows why a start is slow) and shows a bar once it has taken longer than a second.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Update = Callable[[int], None]  # takes how many are done so far
Tasks = Callable[[str, int], Update]  # task(field, total) → its update callback
BAR_AFTER = 1.0  # seconds a build runs before it gets a bar


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


class BuildProgress:
    """A task maker for Pipeline.from_settings: each field's first update (the build began)
    prints one line, and after `after` seconds a bar follows it on a terminal."""

    def __init__(self, label: Callable[[str, int], str], *, after: float = BAR_AFTER,
                 stream: TextIO | None = None, bar: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label  # (field, total) → the line that says what is being built
        self.after = after
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self.bar = bar and self.terminal
        self.clock = clock
        self._progress = None

    def __call__(self, field: str, total: int) -> Update:
        """The update callback of one field's build."""
        started: float | None = None
        said = False
        task_id = None

        def update(done: int) -> None:
            nonlocal started, said, task_id
            now = self.clock()
            started = now if started is None else started
            if not said and (self.terminal or now - started >= self.after):
                print(self.label(field, total), file=self.stream, flush=True)
                said = True
            if self.bar and task_id is None and now - started >= self.after and done < total:
                task_id = self._bars().add_task(self.label(field, total), total=total)
            if task_id is not None:
                self._bars().update(task_id, completed=done)

        return update

    def _bars(self):
        if self._progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            console = Console(file=self.stream)
            self._progress = Progress("[progress.description]{task.description}", BarColumn(),
                                      MofNCompleteColumn(), TimeElapsedColumn(),
                                      console=console, transient=True)
            self._progress.start()
        return self._progress

    def close(self) -> None:
        """Take the bars down."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


@contextmanager
def build_progress(label: Callable[[str, int], str], **options: object) -> Iterator[BuildProgress]:
    """A BuildProgress whose bars are taken down at the end of the block."""
    progress = BuildProgress(label, **options)  # type: ignore[arg-type]
    try:
        yield progress
    finally:
        progress.close()
