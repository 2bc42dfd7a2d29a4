"""The Telegram bot end to end: the real Application, built by build_application, talking HTTP
to the fake Bot API of tests/support/fake_bot_api.py, answering with the real pipeline and corpus."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from pathlib import Path
from urllib.parse import unquote

from bot.terminal.cli import main
from bot.conversation import ConversationService
from bot.telegram.feedback import FeedbackStore
from bot.settings import Settings
from bot.telegram.app import build_application
from tests.support.corpus import VAXJO, verbatim_quotes
from tests.support.fake_bot_api import BOT, FakeBotApi, buttons_of, running



async def test_start_registers_commands_and_offers_example_buttons(bot, fake: FakeBotApi) -> None:
    fake.message(1, "/start")
    [welcome] = await fake.wait_sent(1)
    assert "5 dokument" in welcome["text"]
    assert "Smålandsposten" in welcome["text"]
    assert {c["command"] for c in fake.commands} == {"start", "fraga", "mer", "kallor", "hjalp"}
    assert all(c["description"] for c in fake.commands)
    examples = buttons_of(welcome)
    assert VAXJO in examples
    fake.press(welcome, examples[VAXJO])
    messages = await fake.wait_sent(1, 2)
    assert messages[1]["text"].startswith(VAXJO)
    assert verbatim_quotes(messages[1])
    assert fake.called("answerCallbackQuery")


async def test_question_gets_a_verbatim_quote_in_its_own_chat(bot, fake: FakeBotApi) -> None:
    fake.message(7, "Vad kostar socialtjänsten i Umeå?")
    [reply] = await fake.wait_sent(7)
    quotes = verbatim_quotes(reply)
    assert quotes and any("miljard" in q for q in quotes)
    assert "<b>" in reply["html"] and "Arbetarpartiets blogg" in reply["text"]
    assert {"👍", "👎"} <= buttons_of(reply).keys()
    assert not fake.called("sendChatAction")  # a fast answer needs no "typing…"
    assert all(m["chat"]["id"] == 7 for m in fake.sent)


async def test_more_button_and_paragraph_button(bot, fake: FakeBotApi, pipeline) -> None:
    fake.message(3, VAXJO)
    [first] = await fake.wait_sent(3)
    labels = buttons_of(first)
    assert "Fler svar" in labels
    fake.press(first, labels["Fler svar"])
    more = (await fake.wait_sent(3, 2))[1]
    assert verbatim_quotes(more) and not set(verbatim_quotes(more)) & set(verbatim_quotes(first))
    paragraph_label = next(label for label in labels if label.startswith("Visa stycke"))
    fake.press(first, labels[paragraph_label])
    paragraph = (await fake.wait_sent(3, 3))[2]
    quote = verbatim_quotes(first)[0]
    assert any(quote in p.text and p.text in paragraph["text"] for p in pipeline.corpus.passages)


async def test_follow_up_and_typed_more(bot, fake: FakeBotApi) -> None:
    fake.message(5, VAXJO)
    await fake.wait_sent(5)
    fake.message(5, "Och hur många pågår?")
    follow_up = (await fake.wait_sent(5, 2))[1]
    assert "Växjö" in follow_up["text"] or "Smålandsposten" in follow_up["text"]
    fake.message(5, "/mer")
    assert verbatim_quotes((await fake.wait_sent(5, 3))[2])


async def test_two_chats_interleaved_keep_their_own_state(bot, fake: FakeBotApi) -> None:
    fake.message(11, VAXJO)
    fake.message(12, "Vad kostar socialtjänsten i Umeå?")
    fake.message(11, "Och hur många pågår?")
    fake.message(12, "mer")
    a = await fake.wait_sent(11, 2)
    b = await fake.wait_sent(12, 2)
    assert "Smålandsposten" in a[1]["text"]
    assert "Smålandsposten" not in b[1]["text"] and "Arbetarpartiets" in b[1]["text"]


async def test_a_long_answer_is_split_at_quote_boundaries(bot_settings, pipeline, fake) -> None:
    app = build_application(bot_settings, ConversationService(pipeline), message_limit=300)
    async with running(app):
        fake.message(21, "Vad kostar socialtjänsten i Umeå?")
        await fake.wait_for(lambda: any("reply_markup" in m for m in fake.sent_to(21)))
    parts = fake.sent_to(21)
    assert len(parts) >= 2
    assert all(len(p["html"]) <= 300 for p in parts)
    assert all(p["text"].count("”") % 2 == 0 for p in parts)  # no quote cut in two
    assert "reply_markup" in parts[-1] and all("reply_markup" not in p for p in parts[:-1])


async def test_groups_answer_only_when_addressed(bot, fake: FakeBotApi) -> None:
    group = -100123
    fake.message(group, "Vad kostar socialtjänsten i Umeå?", chat_type="supergroup", user_id=9)
    await fake.settle()
    assert fake.sent_to(group) == []
    fake.message(group, f"@{BOT['username']} vad kostar socialtjänsten i Umeå?",
                 chat_type="supergroup", user_id=9)
    [reply] = await fake.wait_sent(group)
    assert verbatim_quotes(reply) and reply["reply_to"]
    fake.message(group, "/fraga Hur många lex Sarah-anmälningar har utretts i Växjö?",
                 chat_type="supergroup", user_id=9)
    await fake.wait_sent(group, 2)
    fake.message(group, "Och hur många pågår?", chat_type="supergroup", user_id=9,
                 reply_to=fake.sent_to(group)[1])
    assert verbatim_quotes((await fake.wait_sent(group, 3))[2])


async def test_an_email_address_at_the_bots_name_is_no_mention(bot, fake: FakeBotApi) -> None:
    """Issue 17.25: "info@<bot>.se" in a group was taken for "@<bot>" and answered."""
    group, name = -100124, BOT["username"]
    fake.message(group, f"Mejla info@{name}.se om vad socialtjänsten i Umeå kostar",
                 chat_type="supergroup", user_id=9)
    await fake.settle()
    assert fake.sent_to(group) == []
    fake.message(group, f"Vad kostar socialtjänsten i Umeå, @{name}?", chat_type="supergroup",
                 user_id=9)
    assert verbatim_quotes((await fake.wait_sent(group))[0])


async def test_rate_limit_replies_politely_once(bot_settings, pipeline, fake, monkeypatch) -> None:
    monkeypatch.setenv("CITATBOT_RATE_LIMIT_PER_MINUTE", "2")
    app = build_application(Settings(_env_file=None), ConversationService(pipeline))
    async with running(app):
        for _ in range(4):
            fake.message(31, "Vad kostar socialtjänsten i Umeå?")
        await fake.wait_sent(31, 3)
        await fake.settle()
    replies = fake.sent_to(31)
    assert len(replies) == 3
    assert "Vänta" in replies[2]["text"]


async def test_every_update_counts_against_the_rate_limit(bot_settings, pipeline, fake,
                                                         monkeypatch) -> None:
    """Issue 17.7: stickers, /kallor, /mer and edits were answered one for one, unlimited."""
    monkeypatch.setenv("CITATBOT_RATE_LIMIT_PER_MINUTE", "3")
    app = build_application(Settings(_env_file=None), ConversationService(pipeline))
    async with running(app):
        for text in ("/kallor", "/hjalp", "/start", "/kallor", "/kallor", "/hjalp"):
            fake.message(32, text)
        await fake.wait_sent(32, 4)
        await fake.settle()
    replies = fake.sent_to(32)
    assert len(replies) == 4 and "Vänta" in replies[3]["text"]


async def test_allowlist_turns_other_chats_away(bot_settings, pipeline, fake, monkeypatch) -> None:
    monkeypatch.setenv("CITATBOT_ALLOWED_CHATS", "41, 42")
    app = build_application(Settings(_env_file=None), ConversationService(pipeline))
    async with running(app):
        fake.message(43, "Vad kostar socialtjänsten i Umeå?")
        fake.message(41, "Vad kostar socialtjänsten i Umeå?")
        await fake.wait_sent(41)
        [refusal] = await fake.wait_sent(43)
    assert "inte öppen" in refusal["text"]
    assert verbatim_quotes(fake.sent_to(41)[0])


async def test_sticker_edit_and_unknown_command_get_hints(bot, fake: FakeBotApi) -> None:
    sticker = {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False}
    fake.message(51, sticker=sticker)
    [hint] = await fake.wait_sent(51)
    assert "bara läsa text" in hint["text"]
    original = fake.message(51, "Vad kostar socialtjänsten i Umeå?")["message"]
    await fake.wait_sent(51, 2)
    fake.push({"edited_message": {**original, "text": "Vad kostar det?", "edit_date": 1}})
    fake.push({"channel_post": {"message_id": 1, "date": 1, "text": "x",
                                "chat": {"id": -1009, "type": "channel", "title": "K"}}})
    fake.message(51, "/okänt")
    messages = await fake.wait_sent(51, 4)
    assert "ändrade meddelanden" in messages[2]["text"]
    assert "/hjalp" in messages[3]["text"]
    assert not fake.sent_to(-1009)


async def test_a_long_question_is_cut_with_a_note(bot, fake: FakeBotApi) -> None:
    fake.message(65, "Vad kostar socialtjänsten i Umeå? " * 40)
    [reply] = await fake.wait_sent(65)
    assert reply["text"].startswith("(Frågan var lång, så jag läste bara början av den.)")
    assert verbatim_quotes(reply)


async def test_a_long_declined_question_is_cut_with_a_note(bot, fake: FakeBotApi) -> None:
    fake.message(67, "Hur många invånare har Kina? " * 40)
    [reply] = await fake.wait_sent(67)
    assert reply["text"].startswith("(Frågan var lång, så jag läste bara början av den.)")
    assert "Det står inte i dokumenten" in reply["text"]


async def test_typed_commands_work_as_in_the_repl(bot, fake: FakeBotApi) -> None:
    fake.message(63, "hjälp")
    [help_text] = await fake.wait_sent(63)
    assert "stycke N" in help_text["text"] and not verbatim_quotes(help_text)
    fake.message(63, VAXJO)
    await fake.wait_sent(63, 2)
    for text in ("källor", "/kallor", "stycke 1", "avsluta"):
        fake.message(63, text)
    *_, typed, slashed, paragraph, goodbye = await fake.wait_sent(63, 6)
    for sources in typed["text"], slashed["text"]:  # the answer's source first, then the rest
        assert (sources.index("Källorna till det senaste svaret") < sources.index("Smålandsposten")
                < sources.index("Övriga dokument") < sources.index("Arbetarpartiets blogg"))
    assert "lex Sarah" in paragraph["text"] and not verbatim_quotes(paragraph)
    assert goodbye["text"].startswith("Hej då!")


async def test_the_source_line_links_to_the_quotes_on_their_page(bot, fake: FakeBotApi) -> None:
    fake.message(69, VAXJO)
    [reply] = await fake.wait_sent(69)
    quotes = verbatim_quotes(reply)
    [link] = reply["links"]  # its quotes come from one document: one source line, one link
    assert link["text"] == "Omorganisation skapade kaos på socialen: ”Aldrig varit med om maken”"
    page, fragment = link["url"].split("#:~:")
    assert page == "https://www.smp.se/nyheter/omorganisation-skapade-kaos-pa-socialen-aldrig-varit-med-om-maken/"
    starts = [unquote(d.removeprefix("text=").split(",")[0]) for d in fragment.split("&")]
    assert len(starts) == len(quotes) and all(q.startswith(s) for q, s in zip(quotes, starts))
    assert reply["text"].count("— Omorganisation") == 1


async def test_help_and_sources(bot, fake: FakeBotApi) -> None:
    fake.message(61, "/hjalp")
    fake.message(61, "/kallor")
    help_text, sources = await fake.wait_sent(61, 2)
    assert "Fler svar" in help_text["text"]
    assert "7 november 2018" in sources["text"]


async def test_feedback_is_stored_and_exported(bot, fake: FakeBotApi, bot_settings, capsys,
                                               tmp_path: Path) -> None:
    fake.message(71, VAXJO)
    [reply] = await fake.wait_sent(71)
    fake.press(reply, buttons_of(reply)["👍"])
    await fake.wait_for(lambda: len(fake.called("answerCallbackQuery")) == 1)
    await fake.wait_for(lambda: list(FeedbackStore(bot_settings.feedback_db).rows()))
    out = tmp_path / "feedback.jsonl"
    assert main(["feedback", "export", "--out", str(out)]) == 0
    [row] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["question"] == VAXJO and row["vote"] == "up" and row["kind"] == "feedback"
    assert row["answers"] == verbatim_quotes(reply) and row["answerable"] is True
    assert row["doc"].endswith(".txt")
    [stored] = FeedbackStore(bot_settings.feedback_db).rows()
    # Issue 17.22: a keyed hash, with the key beside the votes (owner-only), not the bare sha256.
    store = FeedbackStore(bot_settings.feedback_db)
    assert stored.chat == hmac.new(store.key, b"71", hashlib.sha256).hexdigest()
    assert stored.chat != hashlib.sha256(b"71").hexdigest()
    assert store.key_path.stat().st_mode & 0o777 == 0o600 and len(store.key) == 32


async def test_old_button_says_it_has_expired(bot, fake: FakeBotApi) -> None:
    fake.message(81, VAXJO)
    [reply] = await fake.wait_sent(81)
    data = buttons_of(reply)["👍"].split(":")
    fake.press(reply, ":".join([data[0], "000000", *data[2:]]))
    fake.press(reply, "nonsense")
    await fake.wait_for(lambda: len(fake.called("answerCallbackQuery")) == 2)
    assert all("gått ut" in c["text"] for c in fake.called("answerCallbackQuery"))


async def test_forged_button_numbers_say_expired_not_error(bot, fake: FakeBotApi) -> None:
    """Issue 17.18: a superscript digit or a 5,000-digit answer id raised ValueError (a
    traceback, the button left spinning)."""
    fake.message(82, VAXJO)
    [reply] = await fake.wait_sent(82)
    paragraph = next(d for label, d in buttons_of(reply).items() if label.startswith("Visa"))
    action, epoch, answer_id, _ = paragraph.split(":")
    for data in (f"{action}:{epoch}:{answer_id}:²", f"{action}:{epoch}:{answer_id}:٣",
                 f"{action}:{epoch}:{'9' * 5000}:0", f"{action}:{epoch}:²:0"):
        fake.press(reply, data)
    await fake.wait_for(lambda: len(fake.called("answerCallbackQuery")) == 4)
    assert all("gått ut" in c["text"] for c in fake.called("answerCallbackQuery"))
    await fake.settle()
    assert len(fake.sent_to(82)) == 1  # no apology, no paragraph


async def test_429_and_500_are_waited_out_and_delivered_once(bot, fake: FakeBotApi) -> None:
    fake.fail("sendMessage", 429, retry_after=1)
    fake.fail("sendMessage", 500)
    fake.message(91, "Vad kostar socialtjänsten i Umeå?")
    [reply] = await fake.wait_sent(91)
    assert verbatim_quotes(reply)
    await fake.settle()
    assert len(fake.sent_to(91)) == 1
    assert len(fake.called("sendMessage")) == 3


async def test_a_handler_error_is_logged_and_apologised_for(bot, fake, caplog) -> None:
    fake.fail("sendMessage", 400)  # our mistake, not the network's: not retried
    fake.message(95, "Vad kostar socialtjänsten i Umeå?")
    [apology] = await fake.wait_sent(95)
    assert "Förlåt" in apology["text"]
    assert any(r.exc_info for r in caplog.records if r.levelno == logging.ERROR)


def test_missing_token_exits_with_one_line(capsys) -> None:
    assert main(["telegram"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == ("citatbot: TELEGRAM_BOT_TOKEN saknas. Skapa en bot hos @BotFather och sätt "
                   "token i miljön eller i .env.")


def test_rejected_token_exits_with_one_line_and_never_logs_it(fake, monkeypatch, capsys,
                                                              caplog) -> None:
    secret = "999:WRONG-secret-token"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", secret)
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake.base_url)
    factory = logging.getLogRecordFactory()
    try:
        assert main(["telegram"]) == 1
    finally:
        logging.setLogRecordFactory(factory)
    err = capsys.readouterr().err
    assert "Telegram avvisade TELEGRAM_BOT_TOKEN" in err
    assert secret not in err
    assert all(secret not in r.getMessage() and secret not in (r.exc_text or "")
               for r in caplog.records)


async def test_an_update_that_cannot_be_read_is_skipped_not_retried_forever(
        bot, fake: FakeBotApi, caplog) -> None:
    """Issue 17.10: one update the library could not parse stopped polling for good (5,234
    getUpdates in 10 s) and logged the user's text at CRITICAL."""
    bad = fake.push({"message": {"message_id": 1, "date": 1, "chat": "trasig",
                                 "text": "hemlig text"}})
    fake.message(88, "Vad kostar socialtjänsten i Umeå?")
    [reply] = await fake.wait_sent(88)
    assert verbatim_quotes(reply)
    assert len(fake.called("getUpdates")) < 20
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "hemlig text" not in logged and str(bad["update_id"]) in logged
