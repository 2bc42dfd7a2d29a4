"""👍 / 👎 in PostgreSQL, in a schema of the test's own (dropped afterwards), and
`citatbot feedback export` reading it; plus `citatbot webhook set|info|delete`."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from bot.telegram.feedback import feedback_store
from bot.telegram.feedback_pg import PostgresFeedbackStore
from tests.support.corpus import UMEA
from tests.support.fake_bot_api import FakeBotApi
from tests.support.replicas import ROOT, WEBHOOK_URL, bot_env, register_webhook
from tests.support.servers import require_postgres


@pytest.fixture
def database_url() -> str:
    """A schema of the test's own, as the search_path of the URL; dropped afterwards."""
    url, schema = require_postgres(), f"citatbot_test_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    yield f"{url}?options=-csearch_path%3D{schema}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"DROP SCHEMA {schema} CASCADE")


def test_votes_from_two_replicas_land_in_one_table_and_export(database_url: str, pipeline,
                                                              tmp_path: Path) -> None:
    umea = pipeline.answer(UMEA)
    first, second = PostgresFeedbackStore(database_url), PostgresFeedbackStore(database_url)
    first.record(1, 10, UMEA, umea.quotes, "down")
    second.record(1, 10, UMEA, umea.quotes, "up")  # a changed mind, on another replica
    second.record(2, 11, UMEA, (), "down")
    assert isinstance(feedback_store(tmp_path / "x.sqlite3", database_url), PostgresFeedbackStore)
    env = {"PYTHONPATH": str(ROOT), "CITATBOT_DATABASE_URL": database_url, "PATH": "/usr/bin"}
    done = subprocess.run([sys.executable, "-m", "bot", "feedback", "export"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0, done.stderr
    assert [(r["vote"], r["answerable"]) for r in rows] == [("up", True), ("down", None)]
    assert rows[0]["answers"] == [q.text for q in umea.quotes]


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin",
           "CITATBOT_DATABASE_URL": "postgresql://u:hemligt@127.0.0.1:1/none"}
    done = subprocess.run([sys.executable, "-m", "bot", "feedback", "export"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("citatbot: kunde inte nå PostgreSQL")
    assert len(done.stderr.strip().splitlines()) == 1 and "hemligt" not in done.stderr


def test_webhook_set_info_delete(fake: FakeBotApi, tmp_path: Path) -> None:
    done = register_webhook(fake, tmp_path)
    assert done.returncode == 0, done.stderr
    assert fake.webhook["url"] == WEBHOOK_URL and fake.webhook["secret_token"]
    assert fake.commands  # the commands are registered with the webhook, once per deploy
    assert "Webhooken är registrerad" in done.stdout and WEBHOOK_URL in done.stdout
    again = register_webhook(fake, tmp_path)  # within a second: 429, waited out, not a traceback
    assert again.returncode == 0, again.stderr
    run = lambda action: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "bot", "webhook", action], cwd=tmp_path, env=bot_env(fake, tmp_path),
        capture_output=True, text=True, timeout=60)
    assert WEBHOOK_URL in run("info").stdout
    deleted = run("delete")
    assert "borttagen" in deleted.stdout and not fake.webhook
