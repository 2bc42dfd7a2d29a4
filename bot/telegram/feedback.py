"""👍 / 👎 on answers, kept in SQLite (or PostgreSQL: feedback_pg), exported as candidate gold
pairs (JSONL).

Chats are stored only as a sha256 of their id; one vote per answer message, the last one counts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from bot.answer import Quote
from bot.errors import FeedbackUnusable

Vote = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    chat TEXT NOT NULL,
    message INTEGER NOT NULL,
    question TEXT NOT NULL,
    passages TEXT NOT NULL,
    quotes TEXT NOT NULL,
    docs TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    UNIQUE (chat, message)
)
"""


def chat_hash(chat_id: int, key: bytes) -> str:
    """A keyed hash (HMAC-SHA256) of a chat id: votes of one chat stay together without naming
    the chat. Unkeyed, every id up to 2·10⁷ was recovered from its sha256 in 9 s; without the
    key, kept beside the votes and not in them, there is nothing to try ids against."""
    return hmac.new(key, str(chat_id).encode(), hashlib.sha256).hexdigest()


def file_key(path: Path) -> bytes:
    """The key in `path`, made (32 random bytes, owner-only) when there is none yet.

    Replicas sharing the file may start together: the key is written whole to a file of this
    process's own and linked into place, which fails when another got there first, whose key
    is then read. Nobody ever reads a key half written."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    own = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(own, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        try:
            os.link(own, path)
        except FileExistsError:
            pass  # another replica's key is in place
        return path.read_bytes()
    finally:
        own.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """One stored vote."""

    id: int
    time: float
    chat: str
    question: str
    passages: tuple[str, ...]
    quotes: tuple[str, ...]
    docs: tuple[str, ...]
    vote: Vote

    def gold(self) -> dict:
        """The row in the gold file's shape: 👍 on quotes is answerable with those answers,
        👍 on a decline is unanswerable, 👎 has no answers and `answerable` null (to review)."""
        up, quoted = self.vote == "up", bool(self.quotes)
        return {
            "id": f"fb{self.id:04d}",
            "question": self.question,
            "answers": list(self.quotes) if up else [],
            "doc": self.docs[0] if up and quoted else None,
            "answerable": quoted if up else None,
            "kind": "feedback",
            "vote": self.vote,
            "passages": list(self.passages),
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.time)),
        }


def vote_row(chat_id: int, message_id: int, question: str, quotes: Sequence[Quote],
             vote: Vote, key: bytes) -> tuple:
    """One vote as the row every feedback store keeps (the chat id hashed, quotes as JSON)."""
    return (time.time(), chat_hash(chat_id, key), message_id, question,
            json.dumps([q.passage.id for q in quotes]),
            json.dumps([q.text for q in quotes], ensure_ascii=False),
            json.dumps([q.doc for q in quotes]), vote)


class FeedbackStore:
    """Votes in one SQLite file, created on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.key_path = path.with_name(path.name + ".key")  # the chat-hash key, beside the votes

    @property
    def key(self) -> bytes:
        try:
            return file_key(self.key_path)
        except OSError as exc:
            raise FeedbackUnusable(path=str(self.key_path), reason=str(exc)) from None

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(self.path)
            connection = sqlite3.connect(self.path, timeout=5)
            connection.execute(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise FeedbackUnusable(path=str(self.path), reason=str(exc)) from None
        return connection

    def check(self) -> None:
        """Open the file and its key now, so an unwritable or damaged store shows at start."""
        self.key  # noqa: B018 - made on first use, like the file
        self._connect().close()

    def record(self, chat_id: int, message_id: int, question: str, quotes: Sequence[Quote],
               vote: Vote) -> None:
        """Store a vote on one answer message, replacing an earlier vote on it."""
        row = vote_row(chat_id, message_id, question, quotes, vote, self.key)
        with closing(self._connect()) as db, db, _usable(self.path):
            db.execute(
                "INSERT INTO feedback (time, chat, message, question, passages, quotes, docs, vote)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (chat, message) DO UPDATE SET time = excluded.time,"
                " vote = excluded.vote", row)

    def rows(self) -> Iterator[FeedbackRow]:
        """Every vote, oldest first."""
        if not self.path.exists():
            return
        with closing(self._connect()) as db, _usable(self.path):
            rows = db.execute("SELECT id, time, chat, question, passages, quotes, docs, vote"
                              " FROM feedback ORDER BY id").fetchall()
        for id_, at, chat, question, passages, quotes, docs, vote in rows:
            yield FeedbackRow(id_, at, chat, question, tuple(json.loads(passages)),
                              tuple(json.loads(quotes)), tuple(json.loads(docs)), vote)

    def export(self, out: TextIO) -> int:
        """Write every vote as one JSON object a line; return how many."""
        return export_rows(self.rows(), out)


def _create_private(path: Path) -> None:
    """Create the vote file owner-only when there is none: votes hold questions and quotes, and
    SQLite would create it with the umask's permissions, readable by all (its journal takes
    the file's own)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


@contextmanager
def _usable(path: Path) -> Iterator[None]:
    """A locked or damaged database as FeedbackUnusable, one line for the user."""
    try:
        yield
    except sqlite3.Error as exc:
        raise FeedbackUnusable(path=str(path), reason=str(exc)) from None


def export_rows(rows: Iterable[FeedbackRow], out: TextIO) -> int:
    """Write votes as gold-shaped JSON lines; return how many."""
    count = 0
    for row in rows:
        out.write(json.dumps(row.gold(), ensure_ascii=False) + "\n")
        count += 1
    return count


def feedback_store(feedback_db: Path, database_url: str | None) -> FeedbackStore:
    """PostgreSQL when a URL is set (many replicas), else the SQLite file (one process)."""
    if database_url:
        from bot.telegram.feedback_pg import PostgresFeedbackStore

        return PostgresFeedbackStore(database_url)  # type: ignore[return-value]
    return FeedbackStore(feedback_db)
