"""The errors retrieval raises, each carrying what a user must fix.

    CitatbotError
    ├── CorpusError      the corpus folder cannot serve at all (missing, empty)
    └── GoldError        a gold file row is malformed (line number in the message)
"""


class CitatbotError(Exception):
    """Base of every error a user can cause; the CLI turns it into one line."""

    code = "error"

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.code}: {details}" if details else self.code


class CorpusError(CitatbotError):
    """The corpus cannot be used (folder missing, no readable documents)."""


class GoldError(CitatbotError):
    """A gold file cannot be used as it is."""
