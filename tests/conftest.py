"""Shared fixtures: settings isolated from the developer's environment, the real pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.pipeline import Pipeline
from bot.settings import DEFAULT_CORPUS, Settings

CORPUS = DEFAULT_CORPUS


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
