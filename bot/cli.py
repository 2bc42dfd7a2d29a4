"""The `citatbot` command: ask, repl, telegram, feedback export, eval, index.

This is the edge where settings are built and domain errors become one line and an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from bot.answer import Answer
from bot.pipeline import Pipeline
from bot.render import Renderer
from bot.settings import DEFAULT_PROMPTS, Settings
from retrieval.errors import CitatbotError

EXIT_USAGE = 2
EXIT_ERROR = 1


def answer_json(answer: Answer, text: str) -> dict:
    """The `ask --json` object of ARCHITECTURE.md."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "text": text,
        "quotes": [
            {"doc": q.doc, "passage": q.passage.id, "text": q.text, "start": q.start,
             "end": q.end, "score": round(q.score, 4)}
            for q in answer.quotes
        ],
        "hits": [
            {"passage": h.passage.id, "doc": h.passage.doc, "score": round(h.score, 4),
             "text": h.passage.text}
            for h in answer.hits
        ],
    }


def load_settings() -> Settings:
    """Settings from environment and .env; an invalid value raises CitatbotError('setting')."""
    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "?"
        env = name.upper() if name.upper().startswith("TELEGRAM_") else f"CITATBOT_{name.upper()}"
        raise CitatbotError("setting", name=env, value=err.get("input"), type=err["type"],
                            ctx=err.get("ctx", {})) from None


def build_pipeline(settings: Settings, err: Renderer) -> Pipeline:
    """Load and index the corpus, printing one warning line per skipped file."""
    pipeline = Pipeline.from_settings(settings)
    for problem in pipeline.corpus.problems:
        print(err.message("problem", problem=problem), file=sys.stderr)
    return pipeline


def cmd_ask(args: argparse.Namespace, settings: Settings, err: Renderer) -> int:
    pipeline = build_pipeline(settings, err)
    plain = Renderer(settings.prompts_dir, "txt")
    questions = (line.rstrip("\n") for line in sys.stdin) if args.question == "-" else [args.question]
    for question in questions:
        if args.question == "-" and not question.strip():
            continue
        answer = pipeline.answer(question)
        text = plain.answer(answer, pipeline.corpus)
        if args.json:
            print(json.dumps(answer_json(answer, text), ensure_ascii=False), flush=True)
        else:
            print(text + "\n", flush=True)
    return 0


def cmd_repl(args: argparse.Namespace, settings: Settings, err: Renderer) -> int:
    from bot.repl import run_repl

    return run_repl(build_pipeline(settings, err), settings)


def cmd_telegram(args: argparse.Namespace, settings: Settings, err: Renderer) -> int:
    from bot.telegram_bot import run_telegram

    return run_telegram(settings, lambda: build_pipeline(settings, err))


def cmd_feedback_export(args: argparse.Namespace, settings: Settings, err: Renderer) -> int:
    from bot.feedback import FeedbackStore

    store = FeedbackStore(settings.feedback_db)
    if args.out in (None, "-"):
        store.export(sys.stdout)
        return 0
    with open(args.out, "w", encoding="utf-8") as out:
        store.export(out)
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings, err: Renderer) -> int:
    from bot.evaluate import run_eval

    return run_eval(args, settings, err)


def cmd_index(args: argparse.Namespace, settings: Settings, err: Renderer) -> int:
    pipeline = build_pipeline(settings, err)
    print(err.message("index_stats", pipeline=pipeline))
    return 0


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
    feedback = sub.add_parser("feedback", help="omdömen (👍/👎) från Telegram")
    feedback_sub = feedback.add_subparsers(dest="action", required=True)
    export = feedback_sub.add_parser("export", help="skriv omdömena som JSONL i guldformatet")
    export.add_argument("--out", help="fil att skriva till (standard: stdout)")
    export.set_defaults(func=cmd_feedback_export)
    sub.add_parser("index", help="bygg indexet och visa statistik").set_defaults(func=cmd_index)
    ev = sub.add_parser("eval", help="mät svaren mot guldfrågor")
    ev.add_argument("--gold", required=True, help="JSONL-fil med guldfrågor")
    ev.set_defaults(func=cmd_eval)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    err = Renderer(DEFAULT_PROMPTS, "txt")
    func: Callable[..., int] = args.func
    try:
        settings = load_settings()
        return func(args, settings, err)
    except CitatbotError as exc:
        print(err.message("error", code=exc.code, params=exc.params), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
