"""How the Telegram bot words and delivers a reply: the services handlers share, an Answer
rendered from prompts/html/ into messages within Telegram's limit, and every Bot API call that
sends something made through bot.telegram.delivery.send_with_retry."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from telegram import InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram import buttons
from bot.answer import Answer, Quote
from bot.chat_states import ChatStates
from bot.conversation import ConversationService
from bot.telegram.delivery import DeliveryUncertain, pack, send_with_retry, split_html, units
from bot.telegram.feedback import FeedbackStore
from bot.telegram.ratelimit import Cooldown, RateLimiter
from bot.render import Renderer
from bot.sources import SourceList, paginate, source_list
from bot.settings import Settings
from bot.store import StateStore
from retrieval.ingest import Corpus

log = logging.getLogger(__name__)

SERVICES = "citatbot"
QUOTED_KINDS = ("answer", "more")
# Room on a page of /kallor for its section headings, which the frame measured without entries
# does not show.
FRAME_SLACK = 200


@dataclass(slots=True)
class BotServices:
    """Everything a handler needs, built once in `build_application`."""

    settings: Settings
    service: ConversationService
    html: Renderer
    txt: Renderer
    memory: buttons.AnswerMemory
    limiter: RateLimiter
    notices: Cooldown
    feedback: FeedbackStore
    message_limit: int
    store: StateStore
    chats: ChatStates

    @property
    def corpus(self) -> Corpus:
        """The corpus the answers quote."""
        return self.service.pipeline.corpus

    def note(self, code: str, **values: object) -> str:
        """A short fixed HTML message from prompts/html/note.j2."""
        return self.html.message("note", code=code, **values)

    def label(self, name: str, **values: object) -> str:
        """A button's label from prompts/txt/telegram_button.j2."""
        return self.txt.message("telegram_button", button=name, **values)

    def toast(self, code: str) -> str:
        """The text of a callback answer (plain text) from prompts/txt/telegram_toast.j2."""
        return self.txt.message("telegram_toast", code=code)

    def render(self, answer: Answer, echo: bool = False) -> list[str]:
        """An Answer as HTML messages within the limit, cut only between quotes."""
        documents, info = self.corpus.documents, self.corpus.info
        if answer.kind == "sources":
            return split_html(self.sources_page(answer)[0], self.message_limit)
        if answer.kind not in QUOTED_KINDS:
            text = self.html.message(answer.kind, answer=answer, documents=documents, info=info,
                                     echo=echo)
            return split_html(text, self.message_limit)

        def one(chunk: Sequence[tuple[int, Quote]], first: bool, last: bool) -> str:
            part = replace(answer, quotes=tuple(q for _, q in chunk),
                           number_from=answer.number_from + chunk[0][0])
            return self.html.message("answer", answer=part, documents=documents, info=info,
                                     echo=echo, first=first, last=last)

        return pack(one, list(enumerate(answer.quotes)), self.message_limit)


    def sources_page(self, answer: Answer) -> tuple[str, int, int]:
        """One page of the documents that fits one message, however many there are, with its
        number and the number of pages: each entry measured once, pages filled in order, the
        page asked for (the last at most)."""
        everything = source_list(answer.cited, self.corpus.documents)
        sizes = [units(self.html.message("source_entry", entry=e)) + 2
                 for e in everything.entries]  # as Telegram counts: an emoji is two
        frame = replace(everything, entries=(), page=9999, pages=9999)
        budget = self.message_limit - units(self.sources_html(answer, frame)) - FRAME_SLACK
        bounds = paginate(sizes, budget)
        page = min(answer.page, len(bounds))
        start, stop = bounds[page - 1]
        listing = replace(everything, entries=everything.entries[start:stop], page=page,
                          pages=len(bounds))
        return self.sources_html(answer, listing), page, len(bounds)

    def sources_html(self, answer: Answer, listing: SourceList) -> str:
        return self.html.message("sources", answer=answer, listing=listing,
                                 documents=self.corpus.documents, info=self.corpus.info)


def services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    """The services `build_application` put in bot_data."""
    return context.application.bot_data[SERVICES]


async def send_answer(context: ContextTypes.DEFAULT_TYPE, chat_id: int, answer: Answer, *,
                      echo: bool = False, reply_to: int | None = None) -> None:
    """Render an Answer and send it, buttons under its last message."""
    s = services(context)
    keyboard = None
    if answer.kind == "sources":
        text, page, pages = s.sources_page(answer)
        keyboard = buttons.pages_keyboard(page, pages, s.memory.epoch, s.label)
        await send_all(context, chat_id, split_html(text, s.message_limit), keyboard,
                       reply_to=reply_to)
        return
    if answer.kind in (*QUOTED_KINDS, "decline"):
        answer_id = await s.memory.remember(chat_id, answer)
        keyboard = buttons.answer_keyboard(answer, s.memory.epoch, answer_id, s.label)
    await send_all(context, chat_id, s.render(answer, echo), keyboard, reply_to=reply_to)


async def send_all(context: ContextTypes.DEFAULT_TYPE, chat_id: int, texts: Sequence[str],
                   keyboard: InlineKeyboardMarkup | None = None, *,
                   reply_to: int | None = None) -> None:
    """Send the messages of one reply in order: the first replying, the buttons under the last."""
    for number, text in enumerate(texts, 1):
        await send(context, chat_id, text, keyboard if number == len(texts) else None,
                   reply_to=reply_to if number == 1 else None)


async def send(context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str,
               keyboard: InlineKeyboardMarkup | None = None, *,
               reply_to: int | None = None) -> Message | None:
    """sendMessage in HTML: retried while Telegram provably did not send it, until
    CITATBOT_SEND_TIMEOUT; sent once more after an ambiguous failure (see
    bot.telegram.delivery). None when even that got no answer: logged."""
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    try:
        return await send_with_retry(
            lambda: context.bot.send_message(chat_id, text, reply_markup=keyboard,
                                             reply_parameters=reply),
            deadline=services(context).settings.send_timeout, ambiguous_resends=1,
            what=f"A message to chat {chat_id}")
    except DeliveryUncertain as exc:
        log.warning("A message to chat %s may not have arrived (%s), even sent twice",
                    chat_id, exc)
        return None


async def answer_query(context: ContextTypes.DEFAULT_TYPE, query_id: str,
                       text: str | None = None) -> None:
    """answerCallbackQuery, with an optional short notice; a lost answer is not asked again
    (it only stops a button's spinner)."""
    try:
        await send_with_retry(lambda: context.bot.answer_callback_query(query_id, text),
                              deadline=services(context).settings.send_timeout,
                              ambiguous_resends=0, what="A button answer")
    except DeliveryUncertain as exc:
        log.info("A button answer may not have arrived (%s)", exc)


async def typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """Show "typing…"; only a courtesy, so a failure is logged and the answer still goes out."""
    timeout = services(context).settings.read_timeout
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING, read_timeout=timeout)
    except TelegramError as exc:
        log.debug("sendChatAction failed: %s", exc)
