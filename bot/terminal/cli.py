"""The `citatbot` command: ask, repl, telegram, webhook, feedback export, eval, index.

This is the edge where settings are built and domain errors become one line and an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.answer import Answer, Quote
from bot.commands import answer_once
from bot.pipeline import Pipeline, check_folder, load_settings_corpus
from bot.render import Renderer
from bot.settings import DEFAULT_PROMPTS, Settings
from bot.errors import DocumentUnknown, EnvFileUnreadable, SettingInvalid
from bot.sources import source_of
from retrieval.errors import CitatbotError
from retrieval.ingest import CorpusProblem
from retrieval.memory import keep_freed_memory
from retrieval.passage import Document

EXIT_USAGE = 2
EXIT_ERROR = 1


def answer_json(answer: Answer, text: str, documents: Mapping[str, Document]) -> dict:
    """The `ask --json` object of docs/ARCHITECTURE.md."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "text": text,
        "quotes": [quote_json(q, documents) for q in answer.quotes],
        "missing": list(answer.missing),
        "hits": [
            {"passage": h.passage.id, "doc": h.passage.doc, "score": round(h.score, 4),
             "text": h.passage.text}
            for h in answer.hits
        ],
    }


def quote_json(quote: Quote, documents: Mapping[str, Document]) -> dict:
    """One quote of `ask --json`; a PDF's quote says its page, a Markdown file's quote where
    it lies in the file itself (`file_start`, `file_end`), since start/end are offsets of the
    extracted text."""
    out = {"doc": quote.doc, "passage": quote.passage.id, "text": quote.text,
           "start": quote.start, "end": quote.end, "score": round(quote.score, 4),
           "source": source_of(quote.passage, documents).as_json()}
    doc = documents.get(quote.doc)
    if doc is not None and doc.pages:
        out["page"] = doc.page(quote.start)
    if doc is not None and doc.origin:
        out["file_start"] = doc.file_offset(quote.start)
        out["file_end"] = doc.file_offset(quote.end - 1) + 1 if quote.end > quote.start else out["file_start"]
    return out


def load_settings() -> Settings:
    """Settings from environment and .env; an invalid value raises SettingInvalid."""
    try:
        return Settings()
    except UnicodeDecodeError as exc:  # the .env file, read before any value is checked
        raise EnvFileUnreadable(path=".env", position=exc.start) from None
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "?"
        value = err.get("input")
        if "secret" in name or "token" in name:
            value = "***"  # a secret is never printed, not even a wrong one
        raise SettingInvalid(name=env_name(name), value=value, type=err["type"],
                             ctx=err.get("ctx", {})) from None


def env_name(field: str) -> str:
    """The environment variable a settings field is read from: its alias (TELEGRAM_BOT_TOKEN),
    else CITATBOT_ and its name."""
    info = Settings.model_fields.get(field)
    if info is None:  # pydantic reported the alias itself
        return field.upper()
    choices = getattr(info.validation_alias, "choices", None)
    return str(choices[0]).upper() if choices else f"CITATBOT_{field.upper()}"


def build_pipeline(settings: Settings, messages: Renderer, previous: Pipeline | None = None,
                   *, bar: bool = True) -> Pipeline:
    """Load and index the corpus, saying so while an index is built (a bar past a second) and
    printing one warning line per skipped file."""
    from bot.terminal.progress import build_progress

    corpus = load_settings_corpus(settings)
    if previous is None:  # the files' problems first: a long build follows
        print_problems(corpus.problems, messages)
    with build_progress(progress_label(messages), bar=bar) as progress:
        pipeline = Pipeline.from_settings(settings, corpus=corpus, progress=progress,
                                          previous=previous)
    if previous is None:
        print_problems(pipeline.problems[len(corpus.problems):], messages)
    return pipeline


def progress_label(messages: Renderer) -> Callable[[str, int], str]:
    """The line that says which field of the index is being built, from its template."""
    return lambda field, total: messages.message("index_progress", field=field, total=total)


def print_problems(problems: Sequence[CorpusProblem], messages: Renderer) -> None:
    """One warning line on stderr per skipped or partly used file."""
    for problem in problems:
        print(messages.message("problem", problem=problem), file=sys.stderr)


def cmd_ask(args: argparse.Namespace, settings: Settings, messages: Renderer) -> int:
    pipeline = build_pipeline(settings, messages)
    questions = stdin_lines() if args.question == "-" else [args.question]
    for question in questions:
        if args.question == "-" and not args.json and not question.strip():
            continue  # with --json every line gets its object, so outputs line up with inputs
        answer = answer_once(pipeline, question)
        text = messages.answer(answer, pipeline.corpus)
        if args.json:
            print(json.dumps(answer_json(answer, text, pipeline.corpus.documents),
                             ensure_ascii=False), flush=True)
        else:
            print(text + "\n", flush=True)
    return 0


def stdin_lines() -> Iterator[str]:
    """Standard input a line at a time, bytes that are not UTF-8 replaced (U+FFFD), so every
    answer is valid JSON whatever was piped in."""
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", "replace").rstrip("\r\n")


def cmd_repl(args: argparse.Namespace, settings: Settings, messages: Renderer) -> int:
    from bot.terminal.repl import run_repl

    return run_repl(build_pipeline(settings, messages), settings,
                    rebuild=lambda old: build_pipeline(settings, messages, old, bar=False))


def cmd_telegram(args: argparse.Namespace, settings: Settings, messages: Renderer) -> int:
    from bot.telegram.app import run_telegram

    return run_telegram(settings, lambda: build_pipeline(settings, messages),
                        lambda old: build_pipeline(settings, messages, old, bar=False))


def cmd_webhook(args: argparse.Namespace, settings: Settings, messages: Renderer) -> int:
    import asyncio

    from bot.telegram.registration import manage_webhook

    info = asyncio.run(manage_webhook(args.action, settings, messages))
    print(messages.message("webhook_info", action=args.action, info=info))
    return 0


def cmd_feedback_export(args: argparse.Namespace, settings: Settings, messages: Renderer) -> int:
    from bot.telegram.feedback import feedback_store

    url = settings.database_url.get_secret_value() if settings.database_url else None
    store = feedback_store(settings.feedback_db, url)
    if args.out in (None, "-"):
        store.export(sys.stdout)
        return 0
    with open(args.out, "w", encoding="utf-8") as out:
        store.export(out)
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings, messages: Renderer) -> int:
    from bot.evaluation.evaluate import run_eval

    return run_eval(args, settings, messages)


def cmd_index(args: argparse.Namespace, settings: Settings, messages: Renderer) -> int:
    from bot.terminal.progress import build_progress

    if args.check:
        return cmd_check(settings, messages)

    corpus = load_settings_corpus(settings, reread=True)
    print_problems(corpus.problems, messages)
    with build_progress(progress_label(messages)) as progress:
        pipeline = Pipeline.from_settings(settings, corpus=corpus, rebuild=True,
                                            progress=progress)
    print(messages.message("index_stats", pipeline=pipeline))
    return 0


def cmd_text(args: argparse.Namespace, settings: Settings, messages: Renderer) -> int:
    """`text NAME`: a document's text as citatbot indexes and quotes it, which the offsets of
    `ask --json` refer to (for PDF, HTML, Word and Markdown, the text extracted from the file)."""
    documents = load_settings_corpus(settings).documents
    if args.name not in documents:
        raise DocumentUnknown(name=args.name)
    sys.stdout.write(documents[args.name].raw)
    return 0


def cmd_check(settings: Settings, messages: Renderer) -> int:
    """`index --check`: one line per problem of the folder and exit 1, or one line that all is well."""
    corpus, problems = check_folder(settings)
    print_problems(problems, messages)
    if problems:
        return EXIT_ERROR
    print(messages.message("index_check", documents=len(corpus.documents)))
    return 0


def render_error(exc: CitatbotError, messages: Renderer) -> str:
    """The one line that tells the user what to fix: prompts/txt/errors/<template>.j2."""
    try:
        return messages.message(f"errors/{exc.template}", error=type(exc).__name__, **exc.params)
    except CitatbotError:  # the user's own templates are broken: say so with ours
        return Renderer(DEFAULT_PROMPTS, "txt").message(
            f"errors/{exc.template}", error=type(exc).__name__, **exc.params)


def rate(text: str) -> float:
    """An argparse type: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} är inget tal; skriv t.ex. 0.8") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} ligger inte mellan 0 och 1")
    return value


def count(text: str) -> int:
    """An argparse type: a whole number, zero or more."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} är inget heltal från 0 och uppåt")
    return int(text)


def add_eval_arguments(ev: argparse.ArgumentParser) -> None:
    """The options of `citatbot eval`: gold file, report, baseline, split and floors for CI."""
    ev.add_argument("--gold", required=True, type=Path, help="JSONL-fil med guldfrågor")
    ev.add_argument("--json", type=Path, metavar="OUT", help="skriv hela rapporten som JSON hit")
    ev.add_argument("--dialogues", type=Path, metavar="JSONL",
                    help="mät också samtal med följdfrågor (t.ex. corpus/dialogues.jsonl)")
    ev.add_argument("--baseline", action="store_true",
                    help="kör även en enkel BM25 (text.lower().split()) för jämförelse")
    ev.add_argument("--split", choices=("dev", "holdout", "all"), default="all",
                    help="dev, holdout (ca 25 %%, stabilt efter id) eller all (standard)")
    ev.add_argument("--show-failures", type=count, default=10, metavar="N",
                    help="visa högst N misslyckade svar (0 visar inga; standard 10)")
    floors = ev.add_argument_group("golv", "avsluta med status 1 om ett golv inte hålls")
    floors.add_argument("--min-recall1", type=rate, metavar="X", help="lägsta Recall@1")
    floors.add_argument("--min-recall5", type=rate, metavar="X", help="lägsta Recall@5")
    floors.add_argument("--min-accuracy", type=rate, metavar="X", help="lägsta andel rätta svar")
    floors.add_argument("--min-mrr", type=rate, metavar="X", help="lägsta MRR@10")
    floors.add_argument("--max-false-decline", type=rate, metavar="X",
                        help="högsta andel besvarbara frågor som boten avböjer")
    floors.add_argument("--min-decline", type=rate, metavar="X",
                        help="lägsta andel obesvarbara frågor som boten avböjer")
    floors.add_argument("--min-decline-far", type=rate, metavar="X",
                        help="lägsta andel frågor utanför ämnet, småprat och nonsens som boten "
                             "avböjer")
    floors.add_argument("--min-nearmiss-noted", type=rate, metavar="X",
                        help="lägsta andel nästan-träffar som boten avböjer eller besvarar med "
                             "en notis om vad som saknas")
    floors.add_argument("--max-wrong-note", type=rate, metavar="X",
                        help="högsta andel rätta svar som ändå säger att något saknas")
    floors.add_argument("--min-first-answer", type=rate, metavar="X",
                        help="lägsta andel besvarbara frågor vars första svar håller svaret")


def parser() -> argparse.ArgumentParser:
    """The argument parser; every subcommand maps to a cmd_* function."""
    p = argparse.ArgumentParser(prog="citatbot", description="Svarar med ordagranna citat.")
    sub = p.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="svara på en fråga")
    ask.add_argument("question", help="frågan, eller - för en fråga per rad på stdin")
    ask.add_argument("--json", action="store_true", help="skriv svaret som JSON")
    ask.set_defaults(func=cmd_ask)
    sub.add_parser("repl", help="fråga i terminalen").set_defaults(func=cmd_repl)
    sub.add_parser("telegram", help="kör Telegram-boten").set_defaults(func=cmd_telegram)
    webhook = sub.add_parser("webhook", help="registrera webhooken hos Telegram (en gång per "
                             "driftsättning)")
    webhook.add_argument("action", choices=("set", "delete", "info"),
                         help="set: registrera CITATBOT_WEBHOOK_URL och kommandona; delete: ta "
                              "bort; info: visa vad Telegram har")
    webhook.set_defaults(func=cmd_webhook)
    feedback = sub.add_parser("feedback", help="omdömen (👍/👎) från Telegram")
    feedback_sub = feedback.add_subparsers(dest="action", required=True)
    export = feedback_sub.add_parser("export", help="skriv omdömena som JSONL i guldformatet")
    export.add_argument("--out", help="fil att skriva till (standard: stdout)")
    export.set_defaults(func=cmd_feedback_export)
    index = sub.add_parser("index", help="bygg indexet och visa statistik")
    index.add_argument("--check", action="store_true",
                       help="kontrollera mappen (filer, sources.toml, synonyms.txt) utan att "
                            "bygga något; status 1 vid problem")
    index.set_defaults(func=cmd_index)
    text = sub.add_parser("text", help="skriv ett dokuments text som den citeras")
    text.add_argument("name", help="dokumentets namn i korpusmappen, t.ex. rapporter/2023.pdf")
    text.set_defaults(func=cmd_text)
    ev = sub.add_parser("eval", help="mät svaren mot guldfrågor")
    add_eval_arguments(ev)
    ev.set_defaults(func=cmd_eval)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    keep_freed_memory()  # a question's arrays reuse the last one's pages (retrieval/memory.py)
    func: Callable[..., int] = args.func
    messages: Renderer | None = None  # made once the settings name the user's prompts
    try:
        settings = load_settings()
        messages = Renderer(settings.prompts_dir, "txt", cache_dir=settings.template_cache)
        return func(args, settings, messages)
    except CitatbotError as exc:
        print(render_error(exc, messages or Renderer(DEFAULT_PROMPTS, "txt")), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
