"""The terminal REPL: line editing and history on a terminal, one answer a line on a pipe."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path

from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.reload import Reloader, Swap
from bot.render import Renderer
from bot.settings import Settings

PROMPT = "fråga> "


def use_color(settings: Settings, stream=sys.stdout) -> bool:
    """Colours on a terminal (unless NO_COLOR), never on a pipe, or as the setting forces."""
    if settings.color != "auto":
        return settings.color == "always"
    return stream.isatty() and "NO_COLOR" not in os.environ


def reply(text: str, service: ConversationService, renderer: Renderer) -> tuple[str, bool]:
    """The rendered reply to one line, and whether it ends the session (a goodbye)."""
    answer = service.handle("repl", text)
    return renderer.answer(answer, service.pipeline.corpus), answer.kind == "goodbye"


def _terminal_lines(history: Path) -> Iterator[str]:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    try:
        history.parent.mkdir(parents=True, exist_ok=True)
        hist = FileHistory(str(history))
    except OSError:
        hist = InMemoryHistory()
    session: PromptSession[str] = PromptSession(history=hist)
    while True:
        try:
            yield session.prompt(PROMPT)
        except (EOFError, KeyboardInterrupt):
            return


def announce(swap: Swap, renderer: Renderer) -> None:
    """Tell the person at the prompt that the documents changed, and any new problem."""
    for problem in swap.problems:
        print(renderer.message("problem", problem=problem), file=sys.stderr, flush=True)
    print(renderer.message("reloaded", swap=swap), flush=True)


def run_repl(pipeline: Pipeline, settings: Settings, lines: Iterable[str] | None = None, *,
             rebuild: Callable[[Pipeline], Pipeline] | None = None) -> int:
    """Greet, then answer each line until quit, Ctrl-D or Ctrl-C (or the pipe's end). At a
    terminal, with `rebuild`, documents added, changed or removed meanwhile are picked up."""
    renderer = Renderer(settings.prompts_dir, "txt", color=use_color(settings), conversation=True,
                        cache_dir=settings.template_cache)
    service = ConversationService(pipeline)
    corpus = pipeline.corpus
    interactive = lines is None and sys.stdin.isatty()
    reloader = None
    if interactive:
        print(renderer.message("welcome", info=corpus.info, documents=corpus.documents) + "\n")
        history = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
        lines = _terminal_lines(history / "citatbot" / "history")
        if rebuild is not None:
            reloader = Reloader(service, rebuild, on_swap=lambda s: announce(s, renderer)).start()
    elif lines is None:
        lines = (line.rstrip("\n") for line in sys.stdin)
    try:
        with _patched() if reloader else nullcontext():
            for line in lines:
                if not line.strip():
                    continue
                text, done = reply(line, service, renderer)
                print(text + "\n", flush=True)
                if done:
                    break
    finally:
        if reloader:
            reloader.stop()
    return 0


def _patched():
    """Lines printed by the reloader's thread appear above the prompt, not through it."""
    from prompt_toolkit.patch_stdout import patch_stdout

    return patch_stdout(raw=True)  # raw: the answers' colours pass as they are
