"""New, changed and removed documents picked up while `repl` and `telegram` run.

The watcher (retrieval/watch.py) reports that files under the corpus folder changed; the
reloader then builds a whole new Pipeline beside the serving one, in its own thread, reusing
the meaning vectors of every passage whose text did not change, and swaps it into the
ConversationService in one assignment. Questions already being answered finish on the old
pipeline; the next question gets the new one. A build that fails (the folder emptied or
removed) keeps the old pipeline serving and says why.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from retrieval.errors import CitatbotError
from retrieval.ingest import CorpusProblem
from retrieval.passage import Documents
from retrieval.watch import CorpusWatcher

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Swap:
    """What a reload changed: documents added, changed and removed, and the new problems."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    documents: int
    problems: tuple[CorpusProblem, ...]
    seconds: float


def differences(old: Pipeline, new: Pipeline) -> tuple[tuple[str, ...], ...]:
    """(added, changed, removed) document names between two pipelines."""
    before, after = old.corpus.documents, new.corpus.documents
    added = tuple(n for n in after if n not in before)
    removed = tuple(n for n in before if n not in after)
    if isinstance(before, Documents) and isinstance(after, Documents):
        changed = tuple(n for n in after if n in before and not after.same(before, n))
    else:
        changed = tuple(n for n in after if n in before and after[n] != before[n])
    return added, changed, removed


class Reloader:
    """Rebuilds and swaps the service's pipeline whenever the watcher says the folder changed."""

    def __init__(self, service: ConversationService,
                 build: Callable[[Pipeline], Pipeline], *,
                 on_swap: Callable[[Swap], None] | None = None,
                 on_failure: Callable[[Exception], None] | None = None,
                 debounce_ms: int = 200) -> None:
        self.service = service
        self.build = build  # takes the serving pipeline, whose vectors it may reuse
        self.on_swap = on_swap
        self.on_failure = on_failure
        self.watcher = CorpusWatcher(service.pipeline.corpus.folder, self.reload,
                                     debounce_ms=debounce_ms)
        self._lock = threading.Lock()
        self._reported: set[CorpusProblem] = set(service.pipeline.problems)

    def start(self) -> Reloader:
        """Watch the folder in a background thread."""
        self.watcher.start()
        return self

    def stop(self) -> None:
        """Stop watching (a build under way finishes first)."""
        self.watcher.stop()

    def reload(self) -> Swap | None:
        """Build a new pipeline and swap it in; None when the build failed (the old one serves)."""
        with self._lock:
            started = time.perf_counter()
            old = self.service.pipeline
            try:
                new = self.build(old)
            except (CitatbotError, OSError) as exc:  # OSError: a file vanished mid-build
                log.warning("Reloading the corpus failed; still answering from the documents "
                            "loaded before: %s", exc)
                if self.on_failure:
                    self.on_failure(exc)
                return None
            self.service.swap(new)
            added, changed, removed = differences(old, new)
            fresh = tuple(p for p in new.problems if p not in self._reported)
            self._reported = set(new.problems)  # a problem is named once, while it lasts
            swap = Swap(added, changed, removed, len(new.corpus.documents), fresh,
                        time.perf_counter() - started)
            if self.on_swap:
                self.on_swap(swap)
            return swap
