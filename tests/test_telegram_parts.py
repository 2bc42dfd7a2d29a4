"""The pieces of the Telegram front end on their own: splitting, retrying, buttons, rate limit,
feedback rows and token redaction. Real quotes and templates; fakes only for time and the API."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from pathlib import Path

import httpx
import pytest
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.telegram import buttons
from bot.answer import Answer
from bot.terminal.cli import main
from bot.chat_states import ChatStates, QuoteCodec
from bot.conversation import ConversationService
from bot.telegram.delivery import DeliveryUncertain, send_with_retry, split_html
from bot.telegram.feedback import FeedbackStore
from bot.telegram.handled import SqliteHandled
from bot.pipeline import Pipeline
from bot.telegram.ratelimit import Cooldown, RateLimiter
from bot.telegram.redact import MASK, redact_secret_in_logs
from bot.render import Renderer
from bot.settings import Settings
from bot.store import MemoryStore
from bot.telegram.replies import BotServices
from tests.support.fake_bot_api import TelegramRefusal, parse_html
from tests.support.corpus import UMEA, VAXJO



@pytest.fixture
def services(settings: Settings, pipeline: Pipeline, tmp_path: Path) -> BotServices:
    html, txt = Renderer(settings.prompts_dir, "html"), Renderer(settings.prompts_dir, "txt")
    store, codec = MemoryStore(), QuoteCodec(pipeline.corpus)
    return BotServices(settings, ConversationService(pipeline), html, txt,
                       buttons.AnswerMemory(store, codec), RateLimiter(store, 0), Cooldown(store),
                       FeedbackStore(tmp_path / "f.sqlite3"), MessageLimit.MAX_TEXT_LENGTH, store,
                       ChatStates(store, codec))


def many_quotes(pipeline: Pipeline, count: int) -> Answer:
    """An answer with `count` real quotes (the quotes of a few questions, repeated)."""
    quotes = [q for question in (UMEA, VAXJO) for q in pipeline.answer(question).quotes]
    return Answer(UMEA, "answer", tuple((quotes * count)[:count]), more_available=True)


def test_a_long_answer_splits_between_quotes_within_telegrams_limit(services, pipeline) -> None:
    answer = many_quotes(pipeline, 40)
    messages = services.render(answer)
    assert len(messages) >= 2
    shown = [parse_html(m) for m in messages]  # the fake's Telegram HTML check: no 400
    assert all(len(m) <= MessageLimit.MAX_TEXT_LENGTH for m in messages)
    numbers = [line.split("]")[0] for text in shown for line in text.splitlines()
               if line.startswith("[")]
    assert numbers == [f"[{n}" for n in range(1, 41)]
    for text in shown:  # each quote whole, its run of quotes ended by their source line
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("["):
                assert line.endswith(("”", "»")) and lines[i + 1].startswith(("[", "— "))


def test_split_html_never_cuts_a_tag_or_an_entity() -> None:
    text = "<b>" + "ord &amp; ord " * 300 + "</b>\n<i>" + "x" * 1000 + "</i>"
    pieces = split_html(text, 500)
    assert all(len(p) <= 500 for p in pieces)
    assert "".join(parse_html(p) for p in pieces).replace(" ", "").replace("\n", "") == \
        parse_html(text).replace(" ", "").replace("\n", "")


@pytest.mark.parametrize("html_text", ["<b>öppen", "a < b", "&nbsp;", "<b><i>x</b></i>",
                                       "<script>x</script>"],
                         ids=["unclosed", "stray-lt", "named-entity", "misnested", "unknown-tag"])
def test_the_fake_refuses_what_telegram_refuses(html_text: str) -> None:
    with pytest.raises(TelegramRefusal):
        parse_html(html_text)


def test_user_text_is_escaped_in_every_answer(services) -> None:
    typed = "<b>{{ 7*7 }}</b> & {% include %}"
    for answer in services.service.handle(1, typed), Answer(typed, "decline"):
        for message in services.render(answer, echo=True):
            assert "<b>{{" not in message
            parse_html(message)


class Flaky:
    """An API call that fails with the given errors, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_send_with_retry_waits_out_flood_control_and_network_errors(monkeypatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    call = Flaky(RetryAfter(0), TimedOut(), NetworkError("Internal Server Error (500)"))
    assert await send_with_retry(call, backoff=0) == "ok"
    assert call.calls == 4


@pytest.mark.parametrize("error", [BadRequest("message is too long"), NetworkError("down")],
                         ids=["bad-request-at-once", "gives-up-at-the-deadline"])
async def test_send_with_retry_raises(error: Exception) -> None:
    call = Flaky(*[error] * 100)
    with pytest.raises(type(error)):
        await send_with_retry(call, deadline=0.2, backoff=0.05)
    assert (call.calls == 1) if isinstance(error, BadRequest) else (call.calls >= 3)


@pytest.mark.parametrize(("cause", "provable"), [
    (httpx.ConnectError("[Errno 111] Connection refused"), True),
    (httpx.ConnectTimeout("timed out"), True),
    (httpx.PoolTimeout("timed out"), True),
    (None, True),  # Telegram itself answered 5xx: it says nothing was sent
    (httpx.ReadTimeout("timed out"), False),
    (httpx.WriteTimeout("timed out"), False),
    (httpx.ReadError("Connection reset by peer"), False),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), False),
], ids=["refused", "connect-timeout", "pool-timeout", "telegram-5xx", "read-timeout",
        "write-timeout", "reset", "no-response"])
async def test_an_ambiguous_send_is_repeated_once_a_provable_one_until_it_goes(
        cause, provable, caplog) -> None:
    """Issue 17.6b: a send that may have reached Telegram is sent once more (logged); a second
    such failure gives up. One that provably did not is retried as long as it fails."""
    def failure() -> NetworkError:
        error = TimedOut() if isinstance(cause, httpx.TimeoutException) else NetworkError("x")
        error.__cause__ = cause  # as PTB's HTTPXRequest raises it: `raise TimedOut from err`
        return error

    call = Flaky(failure(), failure())
    if provable:
        assert await send_with_retry(call, backoff=0, ambiguous_resends=1) == "ok"
        assert call.calls == 3
        return
    with pytest.raises(DeliveryUncertain):
        await send_with_retry(call, backoff=0, ambiguous_resends=1, what="A message to chat 4")
    assert call.calls == 2 and "A message to chat 4 got no answer" in caplog.text
    call = Flaky(failure())
    assert await send_with_retry(call, backoff=0, ambiguous_resends=1) == "ok"
    assert call.calls == 2


async def test_a_notice_goes_to_a_chat_at_most_once_a_minute() -> None:
    now = [0.0]
    notices = Cooldown(MemoryStore(clock=lambda: now[0]), 60)
    assert [await notices.ready(1) for _ in range(3)] == [True, False, False]
    assert await notices.ready(2) and await notices.ready(3)
    now[0] = 61.0
    assert await notices.ready(1) and await notices.ready(2)


async def test_notices_over_all_chats_are_capped_a_minute() -> None:
    now = [0.0]
    notices = Cooldown(MemoryStore(clock=lambda: now[0]), 60, total=3)
    assert [await notices.ready(chat) for chat in range(5)] == [True, True, True, False, False]
    now[0] = 60.5  # room again; chats 3 and 4 were refused, not told, so they may be now
    assert [await notices.ready(chat) for chat in (3, 4, 0, 5)] == [True, True, True, False]


async def test_callback_data_fits_and_other_epochs_expire(pipeline) -> None:
    memory = buttons.AnswerMemory(MemoryStore(), QuoteCodec(pipeline.corpus))
    answer = many_quotes(pipeline, 10)
    answer_id = await memory.remember(7, answer)
    keyboard = buttons.answer_keyboard(answer, memory.epoch, answer_id, lambda name, **_: name)
    data = [b.callback_data for row in keyboard.inline_keyboard for b in row]
    assert len(data) == 13
    assert all(len(d.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA for d in data)
    press = buttons.parse(data[0])
    recalled = (await memory.recall(7, press)).answer
    assert recalled.quotes == answer.quotes and recalled.question == answer.question
    assert await memory.recall(8, press) is None  # another chat's button
    assert await memory.recall(7, dataclasses.replace(press, epoch="other")) is None
    assert buttons.parse("junk") is None
    with pytest.raises(ValueError):
        buttons.callback("m", "x" * 64)


async def test_more_only_for_the_latest_question(pipeline) -> None:
    memory = buttons.AnswerMemory(MemoryStore(), QuoteCodec(pipeline.corpus))
    first = await memory.remember(1, pipeline.answer(UMEA))
    second = await memory.remember(1, pipeline.answer(VAXJO))
    shown = await memory.recall(1, buttons.Press("m", memory.epoch, first, ""))
    assert not await memory.is_latest(shown)
    latest = await memory.recall(1, buttons.Press("m", memory.epoch, second, ""))
    assert await memory.is_latest(latest)


async def test_rate_limit_counts_per_chat_and_forgets_after_a_minute() -> None:
    now = [0.0]
    limiter = RateLimiter(MemoryStore(clock=lambda: now[0]), 2)
    verdicts = [await limiter.check(1) for _ in range(4)]
    assert [v.verdict for v in verdicts] == ["ok", "ok", "limited", "silent"]
    assert 1 <= verdicts[2].wait <= 60
    assert (await limiter.check(2)).verdict == "ok"
    now[0] = 61.0
    assert (await limiter.check(1)).verdict == "ok"
    assert (await RateLimiter(MemoryStore(), 0).check(1)).verdict == "ok"


def test_feedback_rows_in_the_gold_shape(tmp_path: Path, pipeline) -> None:
    store = FeedbackStore(tmp_path / "db" / "feedback.sqlite3")
    umea = pipeline.answer(UMEA)
    store.record(1, 10, UMEA, umea.quotes, "down")
    store.record(1, 10, UMEA, umea.quotes, "up")  # a changed mind replaces the vote
    store.record(2, 11, "Vem vann VM 1958?", (), "up")
    store.record(3, 12, VAXJO, pipeline.answer(VAXJO).quotes, "down")
    out = io.StringIO()
    assert store.export(out) == 3
    up, unanswerable, down = [json.loads(line) for line in out.getvalue().splitlines()]
    assert up["answers"] == [q.text for q in umea.quotes] and up["answerable"] is True
    assert up["doc"] == umea.quotes[0].doc and up["kind"] == "feedback"
    assert unanswerable["answers"] == [] and unanswerable["answerable"] is False
    assert unanswerable["doc"] is None
    assert down["answers"] == [] and down["answerable"] is None and down["vote"] == "down"
    assert set(up) >= {"id", "question", "answers", "doc", "answerable", "kind", "vote"}


@pytest.mark.parametrize(("name", "value"), [("CITATBOT_WEBHOOK_URL", "http://x.org/hook"),
                                             ("CITATBOT_ALLOWED_CHATS", "12,abc"),
                                             ("CITATBOT_RATE_LIMIT_PER_MINUTE", "-1"),
                                             ("CITATBOT_MAX_CONCURRENT_UPDATES", "0"),
                                             ("CITATBOT_SEND_TIMEOUT", "soon")],
                         ids=["webhook-not-https", "chat-id-not-a-number", "negative-rate",
                              "no-concurrency", "timeout-not-a-number"])
def test_a_bad_telegram_setting_names_itself(name, value, monkeypatch, capsys) -> None:
    monkeypatch.setenv(name, value)
    assert main(["telegram"]) == 1
    assert capsys.readouterr().err.startswith(f"citatbot: ogiltig inställning {name}=")


def test_redaction_hides_the_token_in_messages_and_tracebacks(caplog) -> None:
    secret = "123:SECRET"
    undo = redact_secret_in_logs(secret)
    try:
        try:
            raise RuntimeError(f"The token `{secret}` was rejected")
        except RuntimeError:
            logging.getLogger("telegram.ext").exception("calling https://x/bot%s/getMe", secret)
    finally:
        undo()
    [record] = caplog.records
    assert secret not in record.getMessage() and secret not in record.exc_text
    assert MASK in record.getMessage()
    assert secret not in repr(Settings(_env_file=None, TELEGRAM_BOT_TOKEN=secret))


def test_a_piece_never_exceeds_the_limit_in_utf16_units() -> None:
    """Issue 17.17: Telegram counts UTF-16 units, so a paragraph of emoji under 4,096
    characters was still "message is too long"."""
    from bot.telegram.delivery import units

    text = "Stycket 😀 " * 400 + "slut"  # 4,404 characters, 4,804 UTF-16 units
    pieces = split_html(text, 4096)
    assert len(pieces) == 2
    assert all(units(p) <= 4096 for p in pieces) and units("😀") == 2
    assert " ".join(pieces).split() == text.split()


def test_a_damaged_or_unwritable_vote_store_is_one_line(tmp_path: Path, pipeline) -> None:
    """Issue 17.20: a corrupted or locked database lost the vote with a traceback, and an
    unwritable path was found only at the first vote."""
    from bot.errors import FeedbackUnusable

    damaged = tmp_path / "f.sqlite3"
    damaged.write_bytes(b"not a database" * 100)
    with pytest.raises(FeedbackUnusable):
        FeedbackStore(damaged).check()
    with pytest.raises(FeedbackUnusable):
        list(FeedbackStore(damaged).rows())
    (tmp_path / "file").write_text("in the way", "utf-8")
    with pytest.raises(FeedbackUnusable):
        FeedbackStore(tmp_path / "file" / "f.sqlite3").check()
    good = FeedbackStore(tmp_path / "ok.sqlite3")
    good.check()
    good.record(1, 2, "Fråga?", pipeline.answer("Vad kostar socialtjänsten i Umeå?").quotes, "up")
    assert [r.vote for r in good.rows()] == ["up"]


def test_feedback_export_of_a_damaged_store_is_one_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    damaged = tmp_path / "f.sqlite3"
    damaged.write_bytes(b"not a database" * 100)
    done = subprocess.run([sys.executable, "-m", "bot", "feedback", "export"], text=True,
                          capture_output=True, timeout=60,
                          env={**os.environ, "CITATBOT_FEEDBACK_DB": str(damaged)})
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("citatbot: röstdatabasen")


async def test_the_record_of_answered_updates_survives_a_restart_or_its_absence(
        tmp_path: Path, caplog) -> None:
    """Issue 17.5: ids kept by bot in a file a second process reads; a file that cannot be
    made costs one warning, and the bot answers on."""
    first = SqliteHandled(tmp_path / "f.sqlite3.updates", bot_id=1)
    await first.record(7)
    first.close()
    again, other_bot = (SqliteHandled(tmp_path / "f.sqlite3.updates", bot_id=b) for b in (1, 2))
    assert await again.seen(7) and not await again.seen(8) and not await other_bot.seen(7)
    assert (tmp_path / "f.sqlite3.updates").stat().st_mode & 0o077 == 0  # owner only
    (tmp_path / "file").write_text("")
    broken = SqliteHandled(tmp_path / "file" / "f.updates", bot_id=1)
    await broken.record(7)
    assert not await broken.seen(7)
    assert caplog.text.count("cannot be kept") == 1
    for journal in (again, other_bot, broken):
        journal.close()


async def test_telegram_out_of_reach_at_start_is_said_within_the_start_check(
        pipeline: Pipeline, monkeypatch) -> None:
    """A reply may be retried for the whole CITATBOT_SEND_TIMEOUT, but someone watches a start:
    getMe gives up after START_CHECK_SECONDS."""
    import time

    from bot.telegram import app as telegram_app
    from tests.support.fake_bot_api import TOKEN
    from tests.support.servers import free_port

    monkeypatch.setattr(telegram_app, "START_CHECK_SECONDS", 1.0)
    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, send_timeout=60,
                        telegram_base_url=f"http://127.0.0.1:{free_port()}/bot")
    app = telegram_app.build_application(settings, ConversationService(pipeline))
    started = time.monotonic()
    with pytest.raises(NetworkError):
        await telegram_app.check_token(app)
    assert time.monotonic() - started < 10


def test_replicas_starting_together_share_one_whole_vote_key(tmp_path: Path) -> None:
    """Replicas that share a vote file make its key at the same moment: each gets the one key,
    whole (the old make-or-fail let all but one stop at start with "File exists", and one could
    read the key before it was written)."""
    import threading

    from bot.telegram.feedback import file_key

    for round_ in range(20):
        path = tmp_path / f"{round_}" / "feedback.sqlite3.key"
        barrier, keys, errors = threading.Barrier(8), [], []

        def make() -> None:
            barrier.wait()
            try:
                keys.append(file_key(path))
            except OSError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=make) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert len(set(keys)) == 1 and len(keys[0]) == 32
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no file left over
        assert path.stat().st_mode & 0o777 == 0o600
