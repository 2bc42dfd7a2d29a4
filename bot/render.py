"""Render Answers and messages through the Jinja2 templates of prompts/<form>/.

Content (which quotes, which source) is decided before rendering; a form (plain text, terminal
with colours, Telegram HTML) only decides how it looks. The environment is strict: a missing
variable is an error, and the HTML form autoescapes every piece of corpus and user text.
`conversation` tells the templates whether the front end keeps one (REPL, Telegram), so that
only there they suggest "mer" and "stycke N".
"""

from __future__ import annotations

from collections.abc import Mapping
import os
import re
from pathlib import Path
from typing import Literal

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
)
from markupsafe import Markup, escape

from bot.answer import Answer, Quote
from bot.errors import PromptsInvalid
from bot.overview import overview
from bot.sources import Cited, by_source, short_title, source_list, web_url
from retrieval.ingest import Corpus
from retrieval.asks import MONTHS
from retrieval.passage import Document

Form = Literal["txt", "html"]
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"
_TEMPLATE_OF = {"more": "answer"}
# Characters that a terminal obeys instead of showing: C0 and C1 controls (ESC starts colour
# and window-title sequences), direction overrides that reorder what follows, and the lone
# surrogates that stand for undecodable bytes of a file name (printing one raises).
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                         r"\ud800-\udfff]")


def visible(name: object) -> str:
    """A file name as it can be printed: each control character written as its escape ("\\x1b",
    "\\n"), so a name cannot colour, retitle or rewrite the terminal it is shown in."""
    return _UNSHOWABLE.sub(lambda m: m[0].encode("unicode_escape", "backslashreplace"
                                                 ).decode("ascii"), str(name))


def swedish_date(iso: str) -> str:
    """'2018-11-07' → '7 november 2018', '2023-04' → 'april 2023'; anything else unchanged."""
    parts = iso.split("-")
    if not 2 <= len(parts) <= 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return iso
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:  # "2023-00" is no month (a negative index read it as december)
        return iso
    if len(parts) == 2:
        return f"{MONTHS[month - 1]} {year}"
    day = int(parts[2])
    return f"{day} {MONTHS[month - 1]} {year}" if 1 <= day <= 31 else iso


def quote_marks(text: str) -> tuple[str, str]:
    """The marks around a quote: ”…”; none when the quote is itself one quotation ("”Det
    förebyggande …”"); »…» when it holds ” of its own, so that no mark is doubled."""
    inner = text.count("”")
    if not inner:
        return "”", "”"
    if inner == 2 and text.startswith("”") and text.endswith("”"):
        return "", ""
    return "»", "»"


def bytecode_cache(folder: Path | None) -> FileSystemBytecodeCache | None:
    """Compiled templates kept in `folder` (Jinja checks each against its source), so a start
    loads them instead of compiling every template (0.07 s → 0.005 s a form); none when the
    folder cannot be made or written."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder)) if os.access(folder, os.W_OK) else None


class Renderer:
    """Turns an Answer or a named message into text for one output form."""

    def __init__(self, prompts_dir: Path, form: Form, *, color: bool = False,
                 conversation: bool = False, cache_dir: Path | None = None) -> None:
        if form not in ("txt", "html"):
            raise ValueError(f"unknown output form {form!r}; use 'txt' or 'html'")
        folder = prompts_dir / form
        if not folder.is_dir():
            raise PromptsInvalid(path=str(prompts_dir), reason=f"mappen {form}/ saknas")
        self.form = form
        self.folder = folder
        self.color = color and form == "txt"
        self.env = Environment(
            loader=FileSystemLoader(folder),
            undefined=StrictUndefined,
            autoescape=form == "html",
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            bytecode_cache=bytecode_cache(cache_dir),
        )
        self.env.filters["marked"] = self.marked
        self.env.filters["quoted"] = self.quoted
        self.env.filters["by_source"] = self.by_source
        self.env.filters["weburl"] = web_url
        self.env.filters["datum"] = swedish_date
        self.env.filters["short"] = short_title
        self.env.filters["overview"] = overview
        self.env.filters["visible"] = visible
        self.env.globals["conversation"] = conversation
        self._compile_all(folder)

    def _compile_all(self, folder: Path) -> None:
        """Parse every template now, so a broken one stops start-up with one line, not a
        traceback in the middle of an answer."""
        for name in self.env.list_templates(extensions=["j2"]):
            try:
                self.env.get_template(name)
            except TemplateError as exc:
                raise PromptsInvalid(path=str(folder / name),
                                     reason=f"rad {getattr(exc, 'lineno', '?')}: {exc.message}") from None

    def marked(self, quote: Quote) -> str:
        """The quote's characters, verbatim, with matched words emphasised for this form."""
        text, pieces, pos = quote.text, [], 0
        for start, end in quote.marks:
            pieces.append((text[pos:start], False))
            pieces.append((text[start:end], True))
            pos = end
        pieces.append((text[pos:], False))
        if self.form == "html":
            return Markup("").join(Markup("<b>%s</b>") % p if em else escape(p) for p, em in pieces)
        if self.color:
            return "".join(f"{_BOLD}{p}{_RESET}" if em and p else p for p, em in pieces)
        return text

    def quoted(self, quote: Quote) -> str:
        """The quote marked, between quote marks that stay balanced (see quote_marks)."""
        opening, closing = quote_marks(quote.text)
        marked = self.marked(quote)
        if self.form == "html":
            return escape(opening) + marked + escape(closing)
        return f"{opening}{marked}{closing}"

    @staticmethod
    def by_source(answer: Answer, documents: Mapping[str, Document]) -> list[Cited]:
        """The answer's quotes numbered as shown, each run from one source under one line."""
        return by_source(answer.quotes, documents, answer.number_from)

    def answer(self, answer: Answer, corpus: Corpus) -> str:
        """Render an Answer with the template named after its kind."""
        name = _TEMPLATE_OF.get(answer.kind, answer.kind)
        extra = {"listing": source_list(answer.cited, corpus.documents)} if answer.kind == "sources" else {}
        return self.message(name, answer=answer, documents=corpus.documents, info=corpus.info,
                            **extra)

    def message(self, name: str, /, **values: object) -> str:
        """Render prompts/<form>/<name>.j2 with `values`."""
        try:
            template = self.env.get_template(f"{name}.j2")
        except TemplateNotFound:
            raise PromptsInvalid(path=str(self.folder), reason=f"{name}.j2 saknas") from None
        return template.render(**values).strip()
