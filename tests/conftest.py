"""Shared fixtures: settings isolated from the developer's environment, the real pipeline, and
the fake Bot API with the real Telegram bot running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.telegram.app import build_application
from tests.support.fake_bot_api import TOKEN, FakeBotApi, running


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env, home or Telegram token."""
    for name in list(__import__("os").environ):
        if name.startswith(("CITATBOT_", "TELEGRAM_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Default settings on the bundled corpus (built without reading any .env)."""
    return Settings(_env_file=None)


@pytest.fixture(scope="session")
def pipeline(settings: Settings) -> Pipeline:
    """The real pipeline on the bundled corpus, built once for the session."""
    return Pipeline.from_settings(settings)


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    """The fake Bot API of tests/support/fake_bot_api.py, serving on 127.0.0.1 for one test."""
    api = FakeBotApi().start()
    yield api
    api.stop()


@pytest.fixture
def bot_settings(fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    """Settings pointing the bot at the fake server, with feedback in a temporary file."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake.base_url)
    monkeypatch.setenv("CITATBOT_FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    return Settings(_env_file=None)


@pytest.fixture
async def bot(bot_settings: Settings, pipeline: Pipeline) -> AsyncIterator[Application]:
    """The running bot on default settings."""
    app = build_application(bot_settings, ConversationService(pipeline))
    async with running(app):
        yield app
