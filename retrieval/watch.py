"""Notice that files under the corpus folder were added, changed or removed, as they happen.

watchfiles (inotify on Linux, a Rust core) waits on the folder in a background thread and
calls back once per burst of changes (a copy of many files is one call). Hidden files and
folders, where editors keep swap files and the index cache may live, are not watched for.
Knows nothing of front ends: the caller decides what a change means.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import Change, watch

log = logging.getLogger(__name__)


class CorpusWatcher:
    """Calls `on_change()` after files under `folder` changed (debounced), until stopped."""

    def __init__(self, folder: Path, on_change: Callable[[], object], *,
                 debounce_ms: int = 200) -> None:
        self.folder = folder.resolve()
        self.on_change = on_change
        self.debounce_ms = debounce_ms
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    def visible(self, change: Change, path: str) -> bool:
        """A change worth a reload: not in a hidden file or folder."""
        try:
            parts = Path(path).resolve().relative_to(self.folder).parts
        except ValueError:
            return False
        return not any(part.startswith(".") for part in parts)

    def start(self) -> CorpusWatcher:
        """Start watching in a daemon thread; returns once the watch is in place."""
        self._thread = threading.Thread(target=self._run, name="corpus-watch", daemon=True)
        self._thread.start()
        self._ready.wait(5.0)
        return self

    def stop(self) -> None:
        """Stop watching and wait for the thread (and any reload it runs) to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30.0)

    def _run(self) -> None:
        changes = watch(self.folder, watch_filter=self.visible, debounce=self.debounce_ms,
                        step=50, stop_event=self._stop, yield_on_timeout=True, rust_timeout=200)
        for batch in changes:
            self._ready.set()
            if batch and not self._stop.is_set():
                try:
                    self.on_change()
                except Exception:  # the watch must outlive a failed reload: log it and go on
                    log.exception("Handling a change of the corpus folder failed")
