"""👍 / 👎 in PostgreSQL (`CITATBOT_DATABASE_URL`), for many replicas writing at once; the same
rows, upsert and export as the SQLite FeedbackStore, which stays the single-process default.

psycopg 3, synchronous: a vote is stored from a worker thread, like the SQLite one, with one
short connection per call (votes are rare; a pool would hold connections for nothing).
"""

from __future__ import annotations

import secrets

from collections.abc import Iterator, Sequence

import psycopg

from bot.answer import Quote
from bot.errors import StoreUnreachable
from bot.telegram.feedback import FeedbackRow, Vote, export_rows, vote_row

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id BIGSERIAL PRIMARY KEY,
    time DOUBLE PRECISION NOT NULL,
    chat TEXT NOT NULL,
    message BIGINT NOT NULL,
    question TEXT NOT NULL,
    passages JSONB NOT NULL,
    quotes JSONB NOT NULL,
    docs JSONB NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    UNIQUE (chat, message)
)
"""


_KEY = """
CREATE TABLE IF NOT EXISTS feedback_key (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
                                         key BYTEA NOT NULL)
"""


def _key(db: psycopg.Connection) -> bytes:
    """The chat-hash key every replica shares, made once (the first replica to vote wins)."""
    db.execute(_KEY)
    db.execute("INSERT INTO feedback_key (key) VALUES (%s) ON CONFLICT DO NOTHING",
               (secrets.token_bytes(32),))
    return bytes(db.execute("SELECT key FROM feedback_key").fetchone()[0])


class PostgresFeedbackStore:
    """Votes in a PostgreSQL table `feedback`, created on first use."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _connect(self) -> psycopg.Connection:
        try:
            connection = psycopg.connect(self.url, connect_timeout=5)
        except psycopg.OperationalError:
            raise StoreUnreachable(what="PostgreSQL", url=_without_password(self.url),
                                   setting="CITATBOT_DATABASE_URL") from None
        with connection.transaction():
            connection.execute(_SCHEMA)
        return connection

    def check(self) -> None:
        """Connect now, so an unreachable database shows at start, not at the first vote."""
        self._connect().close()

    def record(self, chat_id: int, message_id: int, question: str, quotes: Sequence[Quote],
               vote: Vote) -> None:
        """Store a vote on one answer message, replacing an earlier vote on it."""
        with self._connect() as db:
            row = vote_row(chat_id, message_id, question, quotes, vote, _key(db))
            db.execute(
                "INSERT INTO feedback (time, chat, message, question, passages, quotes, docs, vote)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (chat, message) DO UPDATE SET time = excluded.time,"
                " vote = excluded.vote", row)

    def rows(self) -> Iterator[FeedbackRow]:
        """Every vote, oldest first."""
        with self._connect() as db:
            cursor = db.execute("SELECT id, time, chat, question, passages, quotes, docs, vote"
                                " FROM feedback ORDER BY id")
            for id_, at, chat, question, passages, quotes, docs, vote in cursor.fetchall():
                yield FeedbackRow(id_, at, chat, question, tuple(passages), tuple(quotes),
                                  tuple(docs), vote)

    def export(self, out) -> int:
        """Write every vote as one JSON object a line; return how many."""
        return export_rows(self.rows(), out)


def _without_password(url: str) -> str:
    """The URL as it may be printed: a password replaced by ***."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    return url.replace(str(info["password"]), "***") if info.get("password") else url
