"""The handlers: one small `async def` per command, kind of message and button.

Each reads the chat and the text, asks the ConversationService and hands the Answer to
bot.telegram.replies.send_answer. They reach their services through `application.bot_data`
(`replies.services(context)`); `bot.telegram.app.build_application` registers them.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import Conflict, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.answer import Answer
from bot.conversation import ChatState
from bot.errors import FeedbackUnusable, StoreUnreachable
from bot.telegram import buttons
from bot.telegram.delivery import split_html
from bot.telegram.polling import on_conflict
from bot.telegram.replies import (
    BotServices,
    answer_query,
    send,
    send_all,
    send_answer,
    services,
    typing,
)

log = logging.getLogger(__name__)

TYPING_AFTER = 0.5  # seconds: an answer slower than this shows "typing…" while it is made


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop updates without a chat, and from chats outside the allowlist (with a polite line,
    at most once a minute per chat); count every other update of a private chat against its
    rate limit (a sticker, /kallor, an edit or a button press costs a reply as a question
    does). A group's messages count when they are addressed to the bot (`ask`)."""
    s, chat = services(context), update.effective_chat
    if chat is None:
        raise ApplicationHandlerStop
    if s.settings.allowed_chats and chat.id not in s.settings.allowed_chats:
        if update.message and chat.type == ChatType.PRIVATE and await s.notices.ready(chat.id):
            log.info("Chat %s is not in CITATBOT_ALLOWED_CHATS", chat.id)
            await send(context, chat.id, s.note("not_allowed"))
        raise ApplicationHandlerStop
    if chat.type == ChatType.PRIVATE or update.callback_query:
        if not await within_limit(context, chat.id):
            if update.callback_query:
                await answer_query(context, update.callback_query.id)  # stop its spinner
            raise ApplicationHandlerStop


async def within_limit(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
    """Count one update of the chat; past the limit, say so once (then stay silent)."""
    s = services(context)
    limit = await s.limiter.check(chat_id)
    if limit.verdict == "ok":
        return True
    if limit.verdict == "limited" and await s.notices.ready(chat_id):
        await send(context, chat_id, s.note("rate_limited", seconds=limit.wait))
    return False


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What the bot knows, with example questions as buttons."""
    s = services(context)
    text = s.html.message("welcome", documents=s.corpus.documents, info=s.corpus.info)
    keyboard = buttons.examples_keyboard(s.corpus.info.examples, s.memory.epoch)
    await send_all(context, update.effective_chat.id, split_html(text, s.message_limit), keyboard)


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/hjalp: how to ask, and what the bot cannot do (also typed as "hjälp")."""
    await send_answer(context, update.effective_chat.id, Answer("", "help"))


async def on_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kallor [page]: the documents, those of the chat's last answer first, a page that fits
    one message at a time (also typed as "källor", "källor 2")."""
    s, chat_id = services(context), update.effective_chat.id
    page = int(context.args[0]) if context.args and buttons.is_number(context.args[0], 4) else 1
    await send_answer(context, chat_id, await converse(
        s, chat_id, lambda state: s.service.sources(chat_id, state, page), save=False))


async def on_more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mer: the next quotes for the chat's last question."""
    s, chat_id = services(context), update.effective_chat.id
    await send_answer(context, chat_id, await converse(
        s, chat_id, lambda state: s.service.more(chat_id, state)))


async def on_ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/fraga QUESTION, the way to ask in a group."""
    question = " ".join(context.args or ())
    if not question.strip():
        example = (services(context).corpus.info.examples or ("Vad handlar dokumenten om?",))[0]
        await send(context, update.effective_chat.id,
                   services(context).note("ask_what", example=example))
        return
    await ask(update, context, question)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a private chat every text is a question, or a command word of bot.commands ("mer",
    "stycke N", "källor", "hjälp", "avsluta") as in the REPL."""
    await ask(update, context, update.message.text)


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group, only text that mentions the bot or replies to it is a question."""
    question = addressed(update.message, context.bot.username, context.bot.id)
    if question is not None:
        await ask(update, context, question)


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice and files: a hint that only text is read."""
    await send(context, update.effective_chat.id, services(context).note("media"))


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: a hint to send it anew (an answer to it was already given)."""
    await send(context, update.effective_chat.id, services(context).note("edited"))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have."""
    await send(context, update.effective_chat.id, services(context).note("unknown_command"))


def addressed(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a group message meant for the bot (mention removed), else None."""
    text = message.text or ""
    # "@bot" as a word of its own: not the domain of an address ("info@bot.se")
    mention = re.compile(rf"(?<![\w.+%-])@{re.escape(username)}(?![\w@]|\.\w)", re.IGNORECASE)
    if mention.search(text):
        return mention.sub(" ", text).strip()
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == bot_id:
        return text
    return None


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str, *,
              echo: bool = False) -> None:
    """Answer a question in its chat, within the chat's rate limit, showing "typing" meanwhile
    when the answer takes a while."""
    s, chat = services(context), update.effective_chat
    counted = chat.type == ChatType.PRIVATE or update.callback_query  # by the gate already
    if not counted and not await within_limit(context, chat.id):
        return
    if s.settings.log_messages:
        log.info("Chat %s asks: %r", chat.id, question)
    work = asyncio.create_task(converse(s, chat.id, lambda state: s.service.handle(
        chat.id, question, state)))
    if not (await asyncio.wait({work}, timeout=TYPING_AFTER))[0]:
        await typing(context, chat.id)  # only then: a request per question would halve throughput
    answer = await work
    in_group = update.message is not None and chat.type != ChatType.PRIVATE
    reply_to = update.message.message_id if in_group else None
    await send_answer(context, chat.id, answer, echo=echo, reply_to=reply_to)


async def converse(s: BotServices, chat_id: int, step: Callable[[ChatState], Answer], *,
                   save: bool = True) -> Answer:
    """One step of a chat's conversation on its state from the store. The pipeline is CPU work
    (about a millisecond): in a thread it never stalls other chats; the chat's lock (chat_order
    in polling, the store's in webhook mode) keeps two steps of one chat apart."""
    state = await s.chats.load(chat_id)
    answer = await asyncio.to_thread(step, state)
    if save:
        await s.chats.save(chat_id, state)
    return answer


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press on an inline button: example question, a page of /kallor, more, paragraph or
    vote."""
    s, query, chat_id = services(context), update.callback_query, update.effective_chat.id
    press = buttons.parse(query.data)
    examples = s.corpus.info.examples
    if press and press.action == buttons.EXAMPLE and press.answer_id < len(examples):
        await answer_query(context, query.id)
        await ask(update, context, examples[press.answer_id], echo=True)
        return
    if press and press.action == buttons.SOURCES:  # a page of /kallor: no answer behind it
        await answer_query(context, query.id)
        await send_answer(context, chat_id, await converse(
            s, chat_id, lambda state: s.service.sources(chat_id, state, max(press.answer_id, 1)),
            save=False))
        return
    shown = await s.memory.recall(chat_id, press) if press else None
    if shown is None:
        await answer_query(context, query.id, s.toast("expired"))
    elif press.action == buttons.MORE:
        await on_more_button(context, query.id, shown)
    elif press.action == buttons.PARAGRAPH:
        await on_paragraph_button(context, query.id, shown, press.arg)
    elif press.action == buttons.VOTE:
        await on_vote_button(context, query, shown, press.arg)
    else:
        await answer_query(context, query.id, s.toast("expired"))


async def on_more_button(context: ContextTypes.DEFAULT_TYPE, query_id: str,
                         shown: buttons.Shown) -> None:
    """"Fler svar": more quotes, if the button belongs to the chat's latest question."""
    s = services(context)
    if not await s.memory.is_latest(shown):
        await answer_query(context, query_id, s.toast("old_question"))
        return
    await answer_query(context, query_id)
    await send_answer(context, shown.chat_id, await converse(
        s, shown.chat_id, lambda state: s.service.more(shown.chat_id, state)))


async def on_paragraph_button(context: ContextTypes.DEFAULT_TYPE, query_id: str,
                              shown: buttons.Shown, arg: str) -> None:
    """"Visa stycket": the whole paragraph around a quote of that answer."""
    s = services(context)
    quotes = shown.answer.quotes
    if not buttons.is_number(arg, 3) or int(arg) >= len(quotes):
        await answer_query(context, query_id, s.toast("expired"))
        return
    await answer_query(context, query_id)
    paragraph = s.service.paragraph_of(shown.answer.question, quotes[int(arg)])
    await send_answer(context, shown.chat_id, paragraph)


async def on_vote_button(context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery,
                         shown: buttons.Shown, arg: str) -> None:
    """👍 / 👎: the vote on that answer message, stored, with a thank-you toast."""
    s = services(context)
    vote = "up" if arg == buttons.UP else "down"
    try:
        await asyncio.to_thread(s.feedback.record, shown.chat_id, query.message.message_id,
                                shown.answer.question, shown.answer.quotes, vote)
    except (FeedbackUnusable, StoreUnreachable) as exc:  # locked, damaged, or a database down
        log.warning("A vote could not be stored: %s", exc)
        await answer_query(context, query.id, s.toast("vote_failed"))
        return
    await answer_query(context, query.id, s.toast(f"voted_{vote}"))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure with its traceback; tell the user sorry; on a polling conflict, let the
    newest process win (bot.telegram.polling)."""
    if isinstance(context.error, Conflict):
        on_conflict(context)
        return
    if update is None and isinstance(context.error, NetworkError):
        log.warning("Polling failed, retrying: %s", context.error)
        return
    log.error("Handling an update failed", exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None:
        try:
            await send(context, chat.id, services(context).note("apology"))
        except TelegramError:
            log.warning("Could not send the apology to chat %s", chat.id, exc_info=True)
