"""One settings class, read from the environment and .env, built once in the entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "corpus"
DEFAULT_PROMPTS = PROJECT_ROOT / "prompts"


class Settings(BaseSettings):
    """Every knob of citatbot; each one is listed with a comment in .env.example."""

    model_config = SettingsConfigDict(
        env_prefix="CITATBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    corpus_dir: Path = DEFAULT_CORPUS
    prompts_dir: Path = DEFAULT_PROMPTS
    top_k: int = Field(5, ge=1, le=50)
    max_quotes: int = Field(3, ge=1, le=10)
    min_coverage: float = Field(0.5, ge=0.0, le=1.0)
    max_question_chars: int = Field(500, ge=20, le=10_000)
    color: Literal["auto", "always", "never"] = "auto"

    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "CITATBOT_TELEGRAM_BOT_TOKEN"))
    telegram_base_url: str = Field(
        "https://api.telegram.org/bot",
        validation_alias=AliasChoices("TELEGRAM_BASE_URL", "CITATBOT_TELEGRAM_BASE_URL"))

    # --- Index ---
    index_cache: bool = True  # keep the built index in a file and reuse it on the next start
    index_cache_dir: Path | None = None  # default: .cache/citatbot beside the corpus folder
