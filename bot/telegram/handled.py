"""The ids of the updates this bot answered, kept across a restart, so that an update Telegram
hands over again is not answered twice.

Long polling confirms updates with the next getUpdates. When that fails (a 500, a dropped
connection, a timeout) and the process is then killed, or cannot confirm before it exits, the
next process is handed the same updates again. It skips those whose ids it finds here. The
ids live in the shared store when there is one (Redis, `CITATBOT_REDIS_URL`: the `done:` keys
the webhook replicas write), else in a small SQLite file beside the feedback database
(`<CITATBOT_FEEDBACK_DB>.updates`), by bot, for a day (Telegram keeps an update no longer).

The window that remains: an update answered by a process killed before its id was written (one
statement after the reply) is answered again by the next one.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Protocol

from bot.store import StateStore, StoreUnavailable

log = logging.getLogger(__name__)

KEEP = 24 * 3600.0  # seconds an id is kept: Telegram gives up on an update after a day
PRUNE_EVERY = 1000  # records between two deletions of expired ids


class HandledUpdates(Protocol):
    """Where the ids of answered updates are kept."""

    async def seen(self, update_id: int) -> bool:
        """True when the update was answered before."""

    async def record(self, update_id: int) -> None:
        """Remember that the update was answered."""

    def close(self) -> None:
        """Release the file or connection."""


class StoreHandled:
    """The ids in the shared StateStore (Redis), as `done:<id>` like the webhook's."""

    def __init__(self, store: StateStore, keep: float = KEEP) -> None:
        self.store, self.keep = store, keep

    async def seen(self, update_id: int) -> bool:
        try:
            return await self.store.get(f"done:{update_id}") is not None
        except StoreUnavailable as exc:
            log.warning("The state store is unreachable (%s): update %s is answered without "
                        "checking whether it was before", exc, update_id)
            return False

    async def record(self, update_id: int) -> None:
        try:
            await self.store.claim(f"done:{update_id}", self.keep)
        except StoreUnavailable as exc:
            log.warning("The state store is unreachable (%s): update %s was answered but not "
                        "recorded", exc, update_id)

    def close(self) -> None:
        """The store is closed with the Application."""


class SqliteHandled:
    """The ids in a SQLite file of this machine: a point query and an insert per update, a few
    tens of microseconds each (WAL, no fsync per insert: a killed process loses nothing
    written; a power cut may lose the last ids, as it loses the process anyway)."""

    def __init__(self, path: Path, bot_id: int, keep: float = KEEP) -> None:
        self.path, self.bot_id, self.keep = path, bot_id, keep
        self._db: sqlite3.Connection | None = None
        self._failed = False
        self.records = 0

    @property
    def db(self) -> sqlite3.Connection | None:
        """The file, opened at the first update (an Application that handles none opens
        nothing); None when it cannot be, said once."""
        if self._db is None and not self._failed:
            try:
                self._db = self._open()
            except (sqlite3.Error, OSError) as exc:
                self._failed = True
                log.warning("The record of answered updates cannot be kept in %s (%s): after "
                            "a restart recent updates may be answered twice", self.path, exc)
        return self._db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch(mode=0o600)
        db = sqlite3.connect(self.path, isolation_level=None, timeout=2.0)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS handled (bot INTEGER, id INTEGER, at REAL, "
                   "PRIMARY KEY (bot, id)) WITHOUT ROWID")
        os.chmod(self.path, 0o600)
        return db

    async def seen(self, update_id: int) -> bool:
        db = self.db
        if db is None:
            return False
        try:
            row = db.execute("SELECT 1 FROM handled WHERE bot = ? AND id = ?",
                             (self.bot_id, update_id)).fetchone()
        except sqlite3.Error as exc:
            log.warning("The record of answered updates cannot be read (%s)", exc)
            return False
        return row is not None

    async def record(self, update_id: int) -> None:
        db, now = self.db, time.time()
        if db is None:
            return
        try:
            db.execute("INSERT OR IGNORE INTO handled VALUES (?, ?, ?)",
                       (self.bot_id, update_id, now))
            self.records += 1
            if self.records % PRUNE_EVERY == 1:
                db.execute("DELETE FROM handled WHERE at < ?", (now - self.keep,))
        except sqlite3.Error as exc:
            log.warning("Update %s was answered but could not be recorded (%s)", update_id, exc)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def handled_updates(store: StateStore, redis_url: str | None, feedback_db: Path,
                    token: str) -> HandledUpdates:
    """Redis's `done:` keys when there is a Redis, else the SQLite file beside the votes."""
    if redis_url:
        return StoreHandled(store)
    bot_id = token.split(":", 1)[0]
    return SqliteHandled(Path(f"{feedback_db}.updates"),
                         int(bot_id) if bot_id.isdigit() else 0)
