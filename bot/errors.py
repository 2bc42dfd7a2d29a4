"""The errors the bot raises that a user can fix, below retrieval's root (retrieval/errors.py).

Each is rendered at the CLI edge by its own template, prompts/txt/errors/<template>.j2, with
its params; nothing else turns an error into text.

    CitatbotError
    ├── CorpusError ...      (retrieval/errors.py)
    ├── SettingInvalid       a setting's value cannot be used (name, value, type, ctx)
    ├── EnvFileUnreadable    .env is not UTF-8 text (path, position)
    ├── PromptsInvalid       the prompts folder or a template of it is unusable (path, reason)
    ├── ReportUnwritable     eval's --json report cannot be written (path)
    ├── DocumentUnknown      `citatbot text` names no document of the corpus (name)
    ├── GoldError            a gold file cannot be used (path)
    │   ├── GoldMissing
    │   ├── GoldUnreadable
    │   ├── GoldEmpty
    │   └── GoldRow          a row is malformed (line, reason)
    └── TelegramSetupError   the bot cannot start
        ├── TokenMissing
        ├── TokenRejected
        ├── TelegramUnreachable   (url)
        ├── PollingTakenOver      a newer process polls the same bot (exit code 0)
        ├── WebhookUrlMissing     `citatbot webhook set` without CITATBOT_WEBHOOK_URL
        └── StoreUnreachable      CITATBOT_REDIS_URL or CITATBOT_DATABASE_URL does not answer (url)
"""

from __future__ import annotations

from retrieval.errors import CitatbotError


class DocumentUnknown(CitatbotError):
    """`citatbot text NAME` names no document of the corpus."""


class SettingInvalid(CitatbotError):
    """A setting's value cannot be used."""


class EnvFileUnreadable(CitatbotError):
    """The .env file is not UTF-8 text (path, position of the first bad byte)."""


class PromptsInvalid(CitatbotError):
    """The prompts folder, or a template in it, cannot be used."""


class ReportUnwritable(CitatbotError):
    """Eval's --json report cannot be written."""


class GoldError(CitatbotError):
    """A gold file cannot be used as it is."""


class GoldMissing(GoldError):
    """No gold file at that path."""


class GoldUnreadable(GoldError):
    """The gold file cannot be read."""


class GoldEmpty(GoldError):
    """The gold file holds no pairs."""


class GoldRow(GoldError):
    """A row of the gold file is malformed."""


class TelegramSetupError(CitatbotError):
    """The Telegram bot cannot start."""


class TokenMissing(TelegramSetupError):
    """No TELEGRAM_BOT_TOKEN."""


class TokenRejected(TelegramSetupError):
    """Telegram refused the token."""


class TelegramUnreachable(TelegramSetupError):
    """The Bot API server cannot be reached."""


class PollingTakenOver(TelegramSetupError):
    """A newer process polls the same bot: this one handed over. Not a failure: exit code 0,
    so a supervisor that restarts failed processes does not start the fight again."""

    exit_code = 0


class FeedbackUnusable(CitatbotError):
    """The feedback store cannot be opened, written or read (path, reason)."""


class TelegramRefused(TelegramSetupError):
    """Telegram answered the start with an error (kind, reason; the token masked)."""


class WebhookUrlMissing(TelegramSetupError):
    """`citatbot webhook set` needs CITATBOT_WEBHOOK_URL."""


class WebhookSecretMissing(TelegramSetupError):
    """Webhook mode needs CITATBOT_WEBHOOK_SECRET: without it any POST could pose as Telegram."""


class StoreUnreachable(TelegramSetupError):
    """The Redis or PostgreSQL server of the settings does not answer."""
