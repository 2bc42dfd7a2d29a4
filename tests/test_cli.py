"""The real command line: ask --json against the contract, the REPL through a pipe, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.terminal.cli import main
from tests.support.corpus import CORPUS

QUOTE_KEYS = {"doc", "passage", "text", "start", "end", "score", "source"}
SOURCE_KEYS = {"title", "publisher", "author", "date", "url"}
HIT_KEYS = {"passage", "doc", "score", "text"}


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m bot ARGS` as a user would, in a fresh process."""
    import os

    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


def check_contract(obj: dict) -> None:
    assert set(obj) == {"question", "answered", "text", "quotes", "hits", "missing"}
    assert obj["answered"] == bool(obj["quotes"])
    assert isinstance(obj["missing"], list) and all(isinstance(w, str) for w in obj["missing"])
    for q in obj["quotes"]:
        assert set(q) == QUOTE_KEYS
        assert set(q["source"]) == SOURCE_KEYS
        assert all(isinstance(v, str) for v in q["source"].values())
        with open(CORPUS / q["doc"], encoding="utf-8") as handle:
            assert handle.read()[q["start"]:q["end"]] == q["text"]
    for h in obj["hits"]:
        assert set(h) == HIT_KEYS


def test_ask_json_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "Vad kostar socialtjänsten i Umeå?"]) == 0
    obj = json.loads(capsys.readouterr().out)
    check_contract(obj)
    assert obj["answered"] and any("1,6 miljard" in q["text"] for q in obj["quotes"])
    assert 1 <= len(obj["hits"]) <= 5 and "1,6 miljard" in obj["text"]


def test_the_documented_contract_is_what_ask_writes(capsys: pytest.CaptureFixture[str]) -> None:
    docs = (CORPUS.parent / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    example = json.loads(docs.split("```json", 1)[1].split("```", 1)[0])
    example["answered"] = bool(example["quotes"])
    check_contract(example)  # the example quote is verbatim text of its file
    assert main(["ask", "--json", example["question"]]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert set(obj) == set(example)
    assert set(obj["quotes"][0]) == set(example["quotes"][0])
    assert set(obj["quotes"][0]["source"]) == set(example["quotes"][0]["source"])


def test_ask_json_stdin_writes_one_object_a_line() -> None:
    """Issue 17.19: a blank line gets its object too, so outputs line up with inputs, and bytes
    that are not UTF-8 never reach the JSON."""
    import os

    stdin = "Vad kostar socialtjänsten i Umeå?\n\nhej\nVem vann VM?\n".encode() + b"\xff\xfe?\n"
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "-"], input=stdin,
                            capture_output=True, timeout=60, env=dict(os.environ))
    lines = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert result.returncode == 0 and len(lines) == 5
    for obj in lines:
        check_contract(obj)
    assert [o["answered"] for o in lines] == [True, False, False, False, False]
    assert lines[1]["question"] == "" and lines[4]["question"] == "\ufffd\ufffd?"


def test_a_long_declined_question_says_it_was_cut(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "Hur många invånare har Kina? " * 40]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert not obj["answered"]
    assert obj["text"].startswith("(Frågan var lång, så jag läste bara början av den.)")


def test_repl_through_a_pipe_answers_each_line() -> None:
    result = run("repl", stdin="Vad kostar socialtjänsten i Umeå?\nmer\nkällor\navsluta\nhej\n")
    assert result.returncode == 0, result.stderr
    assert "1,6 miljard" in result.stdout and "Smålandsposten" in result.stdout
    assert "Hej!" not in result.stdout  # nothing after "avsluta"
    assert "\x1b[" not in result.stdout  # no colours on a pipe


@pytest.mark.parametrize("env, needle", [
    ({"CITATBOT_TOP_K": "0"}, "CITATBOT_TOP_K"),
    ({"CITATBOT_MIN_COVERAGE": "mycket"}, "CITATBOT_MIN_COVERAGE"),
    ({"CITATBOT_COLOR": "blå"}, "CITATBOT_COLOR"),
    ({"CITATBOT_CORPUS_DIR": "/finns/inte"}, "/finns/inte"),
    ({"CITATBOT_PROMPTS_DIR": "/finns/inte"}, "/finns/inte"),
], ids=["top_k", "coverage", "color", "corpus", "prompts"])
def test_user_errors_are_one_line_without_traceback(env: dict[str, str], needle: str) -> None:
    result = run("ask", "hej", env=env)
    assert result.returncode == 1
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("template, needle", [
    ("answer.j2", "answer.j2"),  # a syntax error
    ("decline.j2", None),  # a template missing
])
def test_broken_prompts_are_one_line_at_start(tmp_path, template: str, needle: str | None) -> None:
    import shutil

    prompts = tmp_path / "prompts"
    shutil.copytree(CORPUS.parent / "prompts", prompts)
    if needle:
        (prompts / "txt" / template).write_text("{% if answer %}oavslutad", encoding="utf-8")
    else:
        (prompts / "txt" / template).unlink()
    result = run("ask", "Vad kostar Kina?", env={"CITATBOT_PROMPTS_DIR": str(prompts)})
    assert result.returncode == 1 and result.stdout == ""
    assert template in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_broken_file_is_skipped_with_a_warning(tmp_path) -> None:
    (tmp_path / "ok.txt").write_text(
        "Hemtjänsten i Lund fick 40 miljoner kronor 2022.\n\nSkolan fick mer.\n\nVården fick mindre.\n",
        "utf-8")
    (tmp_path / "trasig.txt").write_bytes("Växjö".encode("latin-1"))
    result = run("ask", "Hur mycket fick hemtjänsten i Lund?", env={"CITATBOT_CORPUS_DIR": str(tmp_path)})
    assert result.returncode == 0
    assert "trasig.txt" in result.stderr and "UTF-8" in result.stderr
    assert "40 miljoner" in result.stdout


def test_a_setting_is_named_as_it_is_set() -> None:
    from bot.terminal.cli import env_name

    assert env_name("telegram_base_url") == "TELEGRAM_BASE_URL"
    assert env_name("TELEGRAM_BASE_URL") == "TELEGRAM_BASE_URL"
    assert env_name("max_file_mb") == "CITATBOT_MAX_FILE_MB"
    assert env_name("rate_limit_per_minute") == "CITATBOT_RATE_LIMIT_PER_MINUTE"


def test_an_env_file_that_is_not_utf8_gets_one_line(tmp_path: Path) -> None:
    """Issue 17.21: a .env with bytes that are not UTF-8 ended in a traceback."""
    import os

    (tmp_path / ".env").write_bytes(b"CITATBOT_TOP_K=5\n\xff\xfe=x\n")
    root = Path(__file__).parents[1]
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "hej"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode != 0
    assert done.stderr.strip() == ("citatbot: .env är inte UTF-8-text (fel vid byte 17). "
                                   "Spara filen som UTF-8.")


def test_a_webhook_secret_telegram_would_refuse_is_named_and_not_printed() -> None:
    """Issue 17.21: it was reported as a bad CITATBOT_WEBHOOK_URL."""
    result = run("ask", "hej", env={"CITATBOT_WEBHOOK_SECRET": "hemligt lösen!"})
    assert result.returncode != 0
    assert "CITATBOT_WEBHOOK_SECRET=***" in result.stderr and "hemligt" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_templates_compile_once_and_load_from_the_cache(tmp_path: Path) -> None:
    """A start loads compiled templates instead of compiling each (0.07 s a form)."""
    from bot.render import Renderer
    from bot.settings import DEFAULT_PROMPTS

    Renderer(DEFAULT_PROMPTS, "txt", cache_dir=tmp_path / "templates")
    compiled = sorted((tmp_path / "templates").iterdir())
    assert compiled  # one file per template
    again = Renderer(DEFAULT_PROMPTS, "txt", cache_dir=tmp_path / "templates")
    assert sorted((tmp_path / "templates").iterdir()) == compiled
    assert again.env.get_template("answer.j2")
    (tmp_path / "file").write_text("in the way", "utf-8")  # a cache folder that cannot be made
    assert Renderer(DEFAULT_PROMPTS, "txt", cache_dir=tmp_path / "file").env.bytecode_cache is None


def test_ask_says_which_year_the_quoted_paragraph_lacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Hur många ärenden hade enheten i Växjö i slutet av 2017?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Obs: 2017 nämns inte i stycket som det första citatet nedan kommer "
                          "från.\n")


def test_ask_says_when_the_name_asked_for_is_not_in_the_first_quote(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The note is printed above the quotes, in words (prompts/txt/missing.j2)."""
    assert main(["ask", "Vad heter socialtjänstens högsta chef i Umeå?"]) == 0
    out = capsys.readouterr().out
    note = "Obs: det första citatet nedan nämner ingen person med för- och efternamn."
    assert note in out and out.index(note) < out.index("[1]")
