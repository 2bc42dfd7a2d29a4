"""`citatbot telegram` as a process against the fake Bot API (SIGTERM, 409), and webhook mode."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.conversation import ConversationService
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.store import MemoryStore
from bot.telegram.app import build_application
from bot.telegram.webhook import SECRET_HEADER, serve_webhook
from tests.support.corpus import UMEA, VAXJO
from tests.support.fake_bot_api import TOKEN, FakeBotApi, running
from tests.support.servers import reachable

ROOT = Path(__file__).resolve().parent.parent


def start_bot(fake: FakeBotApi, tmp_path: Path, **settings: str) -> subprocess.Popen[str]:
    """`python -m bot telegram` with its settings pointing at the fake."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITATBOT_", "TELEGRAM_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url, PYTHONPATH=str(ROOT),
               CITATBOT_FEEDBACK_DB=str(tmp_path / "feedback.sqlite3"), PTB_TIMEDELTA="true",
               **settings)
    return subprocess.Popen([sys.executable, "-m", "bot", "telegram"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def handled_ids(path: Path) -> int:
    """How many update ids the bot process has recorded as answered (0 before the file)."""
    if not path.exists():
        return 0
    db = sqlite3.connect(path, timeout=2.0)
    try:
        return db.execute("SELECT COUNT(*) FROM handled").fetchone()[0]
    except sqlite3.OperationalError:  # the table is not there yet
        return 0
    finally:
        db.close()


def wait(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_sigterm_answers_what_was_taken_and_confirms_the_offset(fake, tmp_path) -> None:
    process = start_bot(fake, tmp_path)
    try:
        wait(lambda: fake.called("getUpdates"))
        pushed = [fake.message(1, "Vad kostar socialtjänsten i Umeå?") for _ in range(3)]
        wait(lambda: fake.sent_to(1))
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        process.kill() if process.poll() is None else None
    assert process.returncode == 0, err
    assert len(fake.sent_to(1)) == 3  # every update taken was answered, once
    last = fake.called("getUpdates")[-1]
    assert int(last["offset"]) == pushed[-1]["update_id"] + 1  # none will be taken again
    assert TOKEN not in err


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
async def test_a_restart_while_get_updates_fails_answers_nothing_twice(
        fake, tmp_path, bot_settings, pipeline, stop) -> None:
    """Issue 17.5: ten updates answered, every getUpdates that would confirm them failing (500),
    then a restart: all ten were answered twice. SIGTERM now confirms the offset, trying until
    it goes; after SIGKILL the next process finds their ids among the updates answered."""
    for chat in range(1, 11):
        fake.message(chat, UMEA)
    fake.delay("getUpdates", 0)  # the first poll takes all ten
    fake.fail("getUpdates", 500, times=3)  # the polls that would confirm them fail
    process = start_bot(fake, tmp_path)
    try:
        wait(lambda: all(fake.sent_to(chat) for chat in range(1, 11)))
        # The reply comes one statement before its id is written (the window bot/telegram/
        # handled.py names): a kill between the two answers that update again, by design.
        wait(lambda: handled_ids(tmp_path / "feedback.sqlite3.updates") >= 10)
        process.send_signal(stop)
        process.communicate(timeout=20)
    finally:
        process.kill() if process.poll() is None else None
    with fake.lock:
        confirmed, _ = not fake.updates, fake.faults["getUpdates"].clear()
    assert confirmed or stop == signal.SIGKILL
    async with running(build_application(bot_settings, ConversationService(pipeline))):
        fake.message(99, VAXJO)
        await fake.wait_sent(99)
        await fake.settle()
    assert [len(fake.sent_to(chat)) for chat in range(1, 11)] == [1] * 10


TAKEN_OVER = ("citatbot: en annan process med samma token hämtar nu uppdateringarna, "
              "så den här avslutas.")


def test_a_second_process_takes_over_and_keeps_serving(fake, tmp_path) -> None:
    """Issue 17.4: Telegram ends a waiting getUpdates with 409 when another comes in. The old
    process got the 409 and exited, and its last getUpdates ended the new one's: both stopped,
    31 of 60 updates unanswered. Now the newest wins: the old one hands over in one line and
    exits cleanly; every update, before, during and after the takeover, is answered."""
    (tmp_path / "old").mkdir(), (tmp_path / "new").mkdir()
    old = start_bot(fake, tmp_path / "old")
    new = None
    try:
        wait(lambda: fake.called("getUpdates"))
        for chat in range(1, 41):  # a steady stream while the second process starts
            fake.message(chat, "Vad kostar socialtjänsten i Umeå?")
            if chat == 5:
                new = start_bot(fake, tmp_path / "new")
            time.sleep(0.05)
        _, old_err = old.communicate(timeout=20)
        for chat in range(41, 51):  # once the old one has gone
            fake.message(chat, "Vad kostar socialtjänsten i Umeå?")
        wait(lambda: all(fake.sent_to(chat) for chat in range(1, 51)))
        assert new.poll() is None  # the winner keeps serving
        new.send_signal(signal.SIGTERM)
        _, new_err = new.communicate(timeout=20)
    finally:
        for process in (old, new):
            if process and process.poll() is None:
                process.kill()
    assert old.returncode == 0, old_err
    assert old_err.strip().splitlines()[-1] == TAKEN_OVER
    assert new.returncode == 0, new_err
    answers = [len(fake.sent_to(chat)) for chat in range(1, 51)]
    assert min(answers) == 1 and sum(answers) <= 52  # all; a rare duplicate at the handover


def test_a_process_that_polls_first_is_the_one_that_yields(fake, tmp_path) -> None:
    """The newcomer's first getUpdates may be ended by the old one's (409 before it ever got an
    answer): it polls on. A 409 after an answer means a newer process: hand over."""
    fake.fail("getUpdates", 409)  # the old process still polling: its poll ended ours
    process = start_bot(fake, tmp_path)
    try:
        wait(lambda: len(fake.called("getUpdates")) >= 2)
        fake.message(1, "Vad kostar socialtjänsten i Umeå?")
        wait(lambda: fake.sent_to(1))
        httpx.post(f"{fake.base_url}{TOKEN}/getUpdates", json={"timeout": 0})  # a newer one
        _, err = process.communicate(timeout=20)
    finally:
        process.kill() if process.poll() is None else None
    assert process.returncode == 0
    assert err.strip().splitlines()[-1] == TAKEN_OVER


SECRET_QUESTION = "Vad kostar socialtjänsten i Umeå, frågar HEMLIGA-Hilda?"


@pytest.mark.parametrize("log_messages", ["false", "true"])
def test_logs_hold_no_token_and_no_message_text_unless_asked(fake, tmp_path,
                                                             log_messages: str) -> None:
    """A run with every kind of failure logged (polling error, handler traceback, lost answer,
    flood control): the token never shows, the question only with CITATBOT_LOG_MESSAGES."""
    fake.fail("getUpdates", 500)
    fake.fail("sendMessage", 400)  # a handler error: logged with its traceback
    fake.drop("sendMessage", processed=True)  # a lost answer: a warning, and sent once more
    fake.fail("sendMessage", 429, retry_after=1)
    process = start_bot(fake, tmp_path, CITATBOT_LOG_MESSAGES=log_messages)
    try:
        wait(lambda: fake.called("getUpdates"))
        for _ in range(3):
            fake.message(1, SECRET_QUESTION)
        # 400 (a handler error), its apology dropped, 429, then the last two answers
        wait(lambda: len(fake.sent_to(1)) >= 3)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        process.kill() if process.poll() is None else None
    assert process.returncode == 0, err
    assert "Traceback" in err and "Handling an update failed" in err
    assert "sending it once more" in err and "Polling failed" in err
    assert TOKEN not in err and TOKEN.split(":")[1] not in err
    assert ("HEMLIGA-Hilda" in err) is (log_messages == "true")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_the_webhook_answers_2xx_only_once_handled_and_drops_a_redelivery(
        fake, monkeypatch, pipeline: Pipeline) -> None:
    """Our own endpoint: 403 without the secret; 200 only after the reply went out; the same
    update_id delivered again is answered 200 and not handled twice."""
    port = free_port()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake.base_url)
    monkeypatch.setenv("CITATBOT_WEBHOOK_URL", "https://bot.example.org/telegram/hook")
    monkeypatch.setenv("CITATBOT_WEBHOOK_PORT", str(port))
    monkeypatch.setenv("CITATBOT_WEBHOOK_SECRET", "s3cret-token")
    settings = Settings(_env_file=None)
    store = MemoryStore()
    app = build_application(settings, ConversationService(pipeline), store=store)
    update = {"update_id": 1, "message": {
        "message_id": 5, "date": 1, "text": "Vad kostar socialtjänsten i Umeå?",
        "chat": {"id": 77, "type": "private", "first_name": "A"},
        "from": {"id": 77, "is_bot": False, "first_name": "A"}}}
    stop = asyncio.Event()
    server = asyncio.create_task(serve_webhook(app, store, settings, "telegram/hook", stop))
    url, secret = f"http://127.0.0.1:{port}/telegram/hook", {SECRET_HEADER: "s3cret-token"}
    try:
        async with httpx.AsyncClient() as client:
            await fake.wait_for(lambda: reachable("127.0.0.1", port))
            refused = await client.post(url, json=update)
            accepted = await client.post(url, json=update, headers=secret)
            sent_before_2xx = len(fake.sent_to(77))
            again = await client.post(url, json=update, headers=secret)
            junk = await client.post(url, content=b"{", headers=secret)
            unreadable = await client.post(url, headers=secret, json={
                "update_id": 2, "message": {"message_id": 6, "date": 1, "chat": "trasig"}})
            # Issue 17.9: the body is capped, and a forged request is refused on its headers.
            huge = await status_or_closed(client, url, b" " * 3_000_000, secret)
            forged_huge = await status_or_closed(client, url, b" " * 3_000_000, {})
    finally:
        stop.set()
        await server
    assert refused.status_code == 403 and not fake.webhook  # no replica calls setWebhook
    assert accepted.status_code == 200 and sent_before_2xx == 1
    assert again.status_code == 200 and len(fake.sent_to(77)) == 1
    assert junk.status_code == 400
    assert unreadable.status_code == 200  # confirmed, so Telegram does not deliver it again
    assert huge in (413, "closed") and forged_huge in (403, 413, "closed")
    assert "miljard" in fake.sent_to(77)[0]["text"]


async def status_or_closed(client: httpx.AsyncClient, url: str, body: bytes,
                           headers: dict) -> int | str:
    """The status of a POST, or "closed" when the server hung up without reading it."""
    try:
        return (await client.post(url, content=body, headers=headers)).status_code
    except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
        return "closed"


def test_webhook_mode_without_a_secret_refuses_to_start_in_one_line(fake) -> None:
    """Issue 17.9: without CITATBOT_WEBHOOK_SECRET any POST could pose as Telegram."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url,
           "CITATBOT_WEBHOOK_URL": "https://bot.example.org/telegram/hook"}
    env.pop("CITATBOT_WEBHOOK_SECRET", None)
    done = subprocess.run([sys.executable, "-m", "bot", "telegram"], env=env, text=True,
                          capture_output=True, timeout=60)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1].startswith("citatbot: CITATBOT_WEBHOOK_SECRET saknas")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("code", [403, 409])  # a 502 is retried, then "unreachable"
def test_a_refused_start_is_one_line_without_the_token(fake, code: int) -> None:
    """Issue 17.14: getMe refused at start printed a traceback (which could echo the token)."""
    import os
    import subprocess
    import sys

    fake.fail("getMe", code, times=20)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url}
    env.pop("CITATBOT_WEBHOOK_URL", None)
    done = subprocess.run([sys.executable, "-m", "bot", "telegram"], env=env, text=True,
                          capture_output=True, timeout=120)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and TOKEN not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("citatbot: ")
