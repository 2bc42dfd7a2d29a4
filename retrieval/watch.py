"""Which corpus files changed on disk since they were loaded: size and modification time,
looked at no more often than asked. Knows nothing of front ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from retrieval.ingest import Corpus

CORPUS_CHECK_EVERY = 60.0  # seconds between looks at the corpus files' size and time


class CorpusWatch:
    """Notices that a corpus file changed or vanished on disk since the bot loaded it. The bot
    keeps quoting the text it loaded (see retrieval.ingest.load_corpus); this only tells the
    operator, once per change, which files a restart would load anew."""

    def __init__(self, corpus: Corpus, every: float = CORPUS_CHECK_EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.folder, self.every, self.clock = corpus.folder, every, clock
        self.stamps = {name: _stamp(corpus.folder / name) for name in corpus.documents}
        self.told: list[str] = []
        self._next = clock() + every

    def due(self) -> bool:
        """True at most once per `every` seconds."""
        now = self.clock()
        if now < self._next:
            return False
        self._next = now + self.every
        return True

    def changed(self) -> list[str]:
        """Documents whose file is no longer the size and modification time it had at load."""
        return sorted(n for n, stamp in self.stamps.items() if _stamp(self.folder / n) != stamp)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns
