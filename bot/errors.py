"""The errors the bot raises that a user can fix, below retrieval's root (retrieval/errors.py).

Each is rendered at the CLI edge by its own template, prompts/txt/errors/<template>.j2, with
its params; nothing else turns an error into text.

    CitatbotError
    ├── CorpusError ...      (retrieval/errors.py)
    ├── SettingInvalid       a setting's value cannot be used (name, value, type, ctx)
    ├── PromptsInvalid       the prompts folder or a template of it is unusable (path, reason)
    ├── ReportUnwritable     eval's --json report cannot be written (path)
    ├── GoldError            a gold file cannot be used (path)
    │   ├── GoldMissing
    │   ├── GoldUnreadable
    │   ├── GoldEmpty
    │   └── GoldRow          a row is malformed (line, reason)
    └── TelegramSetupError   the bot cannot start
        ├── TokenMissing
        ├── TokenRejected
        ├── TelegramUnreachable   (url)
        └── PollingConflict       another instance polls the same bot
"""

from __future__ import annotations

from retrieval.errors import CitatbotError


class SettingInvalid(CitatbotError):
    template = "setting_invalid"


class PromptsInvalid(CitatbotError):
    template = "prompts_invalid"


class ReportUnwritable(CitatbotError):
    template = "report_unwritable"


class GoldError(CitatbotError):
    """A gold file cannot be used as it is."""


class GoldMissing(GoldError):
    template = "gold_missing"


class GoldUnreadable(GoldError):
    template = "gold_unreadable"


class GoldEmpty(GoldError):
    template = "gold_empty"


class GoldRow(GoldError):
    template = "gold_row"


class TelegramSetupError(CitatbotError):
    """The Telegram bot cannot start."""


class TokenMissing(TelegramSetupError):
    template = "token_missing"


class TokenRejected(TelegramSetupError):
    template = "token_rejected"


class TelegramUnreachable(TelegramSetupError):
    template = "telegram_unreachable"


class PollingConflict(TelegramSetupError):
    template = "polling_conflict"
