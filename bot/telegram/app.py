"""The Telegram front end's wiring: `build_application` builds the Application, its services
and every handler of bot.telegram.handlers in one block; `run_telegram` runs it until stopped.

Services reach handlers through `application.bot_data`, never module globals.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from urllib.parse import urlparse

from telegram import LinkPreviewOptions, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.chat_states import ChatStates, QuoteCodec
from bot.conversation import ConversationService
from bot.errors import (
    PollingTakenOver,
    SettingInvalid,
    StoreUnreachable,
    TelegramRefused,
    TelegramUnreachable,
    TokenMissing,
    TokenRejected,
    WebhookSecretMissing,
)
from bot.pipeline import Pipeline
from bot.render import Renderer
from bot.settings import Settings
from bot.store import MemoryStore, StateStore, StoreUnavailable, open_store
from bot.telegram import buttons
from bot.telegram.chat_order import PerChatUpdateProcessor
from bot.telegram.feedback import feedback_store
from bot.telegram.handled import handled_updates
from bot.telegram.handlers import (
    gate,
    on_ask_command,
    on_button,
    on_edited,
    on_error,
    on_group_text,
    on_help,
    on_media,
    on_more,
    on_private_text,
    on_sources,
    on_start,
    on_unknown_command,
)
from bot.telegram.ratelimit import Cooldown, RateLimiter
from bot.telegram.registration import ALLOWED_UPDATES, bot_commands
from bot.telegram.redact import redact_secret_in_logs
from bot.telegram.delivery import send_with_retry
from bot.telegram.lenient import read_updates_one_by_one
from bot.telegram.polling import POLLING, watch_polling
from bot.telegram.replies import SERVICES, BotServices
from bot.telegram.webhook import serve_webhook
from bot.reload import Reloader, Swap
from retrieval.ingest import Corpus

log = logging.getLogger(__name__)

MEDIA = (filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
         | filters.VIDEO_NOTE | filters.ANIMATION | filters.Document.ALL | filters.LOCATION
         | filters.CONTACT)
NEW = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def build_application(settings: Settings, service: ConversationService, *,
                      store: StateStore | None = None,
                      message_limit: int = MessageLimit.MAX_TEXT_LENGTH) -> Application:
    """The Application with every handler wired; the only place that knows Telegram's shape.
    `store` holds what is per chat (default: in this process; Redis for webhook replicas)."""
    if settings.telegram_bot_token is None:
        raise TokenMissing()
    store = store if store is not None else MemoryStore()
    codec = QuoteCodec(service.pipeline.corpus)
    token = settings.telegram_bot_token.get_secret_value()
    handled = handled_updates(store, settings.redis_url, settings.feedback_db, token)
    app = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
        .post_init(register_commands)
        .post_shutdown(close_store)
        .concurrent_updates(PerChatUpdateProcessor(settings.max_concurrent_updates,
                                                    handled=handled))
        .read_timeout(settings.send_timeout)  # a slow Telegram is waited out, up to the deadline
        .get_updates_read_timeout(settings.read_timeout)
        .build()
    )
    read_updates_one_by_one(app.bot)
    watch_polling(app)
    app.bot_data[SERVICES] = BotServices(
        settings=settings,
        service=service,
        html=Renderer(settings.prompts_dir, "html", conversation=True,
                      cache_dir=settings.template_cache),
        txt=Renderer(settings.prompts_dir, "txt", cache_dir=settings.template_cache),
        memory=buttons.AnswerMemory(store, codec),
        limiter=RateLimiter(store, settings.rate_limit_per_minute),
        notices=Cooldown(store),
        feedback=feedback_store(settings.feedback_db, _secret(settings.database_url)),
        message_limit=message_limit,
        store=store,
        chats=ChatStates(store, codec),
    )
    app.add_handler(TypeHandler(Update, gate), group=-1)
    app.add_handler(CommandHandler("start", on_start, filters=NEW))
    app.add_handler(CommandHandler(["hjalp", "help"], on_help, filters=NEW))
    app.add_handler(CommandHandler("kallor", on_sources, filters=NEW))
    app.add_handler(CommandHandler("mer", on_more, filters=NEW))
    app.add_handler(CommandHandler("fraga", on_ask_command, filters=NEW))
    app.add_handler(MessageHandler(NEW & PRIVATE & filters.COMMAND, on_unknown_command))
    app.add_handler(MessageHandler(NEW & PRIVATE & filters.TEXT, on_private_text))
    app.add_handler(MessageHandler(NEW & filters.ChatType.GROUPS & filters.TEXT, on_group_text))
    app.add_handler(MessageHandler(NEW & PRIVATE & MEDIA, on_media))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & PRIVATE, on_edited))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_error_handler(on_error)
    return app


START_CHECK_SECONDS = 15.0


async def register_commands(app: Application) -> None:
    """setMyCommands at the start of long polling (webhook replicas leave it to
    `citatbot webhook set`)."""
    s: BotServices = app.bot_data[SERVICES]
    await bot_commands(app.bot, s.txt, s.settings.send_timeout)


def _secret(value) -> str | None:
    return value.get_secret_value() if value else None


async def close_store(app: Application) -> None:
    """Release the state store's connections when the Application shuts down."""
    await app.bot_data[SERVICES].store.close()


async def check_token(app: Application) -> None:
    """getMe once and close the connection again: a rejected token or an unreachable server
    fails here, cleanly, before polling starts."""
    try:
        # a 429 or a flaky network is waited out, but someone is watching a start: a server
        # out of reach is said within START_CHECK_SECONDS, not after the whole send deadline
        deadline = min(app.bot_data[SERVICES].settings.send_timeout, START_CHECK_SECONDS)
        await send_with_retry(app.bot.initialize, deadline=deadline, what="getMe")
        log.info("Signed in to Telegram as @%s", app.bot.username)
    finally:
        await app.bot.shutdown()  # its connections closed, whether getMe answered or not


async def check_store(store: StateStore, settings: Settings) -> None:
    """One read at start: an unreachable Redis stops the bot with one line, not later."""
    try:
        await store.get("ping")
    except StoreUnavailable:
        raise StoreUnreachable(what="Redis", url=settings.redis_url,
                               setting="CITATBOT_REDIS_URL") from None
    finally:
        await store.close()


def follow_corpus(app: Application, corpus: Corpus) -> None:
    """After a reload: stored chat states and buttons are read against the new documents."""
    services: BotServices = app.bot_data[SERVICES]
    services.chats.codec.follow(corpus)
    if services.memory.codec is not services.chats.codec:
        services.memory.codec.follow(corpus)


def log_swap(swap: Swap, txt: Renderer) -> None:
    """What a reload changed, in the log; each new problem of the folder as a warning."""
    log.info("Documents reloaded in %.1f s: %d added, %d changed, %d removed; %d documents",
             swap.seconds, len(swap.added), len(swap.changed), len(swap.removed), swap.documents)
    for problem in swap.problems:
        log.warning("%s", txt.message("problem", problem=problem))


def run_telegram(settings: Settings, make_pipeline: Callable[[], Pipeline],
                 rebuild: Callable[[Pipeline], Pipeline] | None = None) -> int:
    """Run the bot until SIGINT/SIGTERM: webhook mode when CITATBOT_WEBHOOK_URL is set, else
    long polling; with `rebuild`, documents added, changed or removed meanwhile are picked up.
    A missing or rejected token, or an unreachable server, is a TelegramSetupError."""
    token = settings.telegram_bot_token
    if token is None or not token.get_secret_value().strip():
        raise TokenMissing()
    redact_secret_in_logs(token.get_secret_value())
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines hold the token
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta
    asyncio.run(check_store(open_store(settings.redis_url, settings.redis_prefix), settings))
    store = open_store(settings.redis_url, settings.redis_prefix)  # its connections belong to the loop that serves
    service = ConversationService(make_pipeline())
    app = build_application(settings, service, store=store)
    app.bot_data[SERVICES].feedback.check()  # an unwritable vote store shows now, in one line
    txt = Renderer(settings.prompts_dir, "txt")

    def swapped_in(swap: Swap) -> None:
        follow_corpus(app, service.pipeline.corpus)
        log_swap(swap, txt)

    reloader = Reloader(service, rebuild, on_swap=swapped_in) if rebuild else None
    try:
        asyncio.run(check_token(app))
        if reloader:
            reloader.start()
        if settings.webhook_url:
            if settings.webhook_secret is None:
                raise WebhookSecretMissing()
            path = urlparse(settings.webhook_url).path.lstrip("/")
            asyncio.run(serve_webhook(app, store, settings, path))
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        raise TokenRejected() from None
    except BadRequest:
        if not settings.webhook_url:
            raise
        # Telegram refused setWebhook: the URL (or its certificate) is the setting to fix
        raise SettingInvalid(name="CITATBOT_WEBHOOK_URL", value=settings.webhook_url,
                            type="webhook", ctx={}) from None
    except NetworkError:
        raise TelegramUnreachable(url=settings.telegram_base_url) from None
    except TelegramError as exc:  # 403, 409, a 429 that outlasted the retries: one line
        reason = str(exc).replace(token.get_secret_value(), "***")
        raise TelegramRefused(kind=type(exc).__name__, reason=reason) from None
    finally:
        if reloader:
            reloader.stop()
    if app.bot_data[POLLING].taken_over:
        raise PollingTakenOver()
    return 0
