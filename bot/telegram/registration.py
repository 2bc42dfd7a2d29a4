"""`citatbot webhook set|delete|info`: register the webhook (and the bot's commands) once per
deploy, instead of every replica calling setWebhook at start, where a second call within a
second gets 429 from Telegram."""

from __future__ import annotations

from telegram import Bot, BotCommand, WebhookInfo
from telegram.error import InvalidToken, NetworkError
from telegram.request import HTTPXRequest

from bot.errors import (
    TelegramUnreachable,
    TokenMissing,
    TokenRejected,
    WebhookSecretMissing,
    WebhookUrlMissing,
)
from bot.render import Renderer
from bot.settings import Settings
from bot.telegram.delivery import send_with_retry

COMMANDS = ("start", "fraga", "mer", "kallor", "hjalp")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


def make_bot(settings: Settings) -> Bot:
    """A bare Bot for the few calls of a deploy; TokenMissing without a token."""
    token = settings.telegram_bot_token
    if token is None or not token.get_secret_value().strip():
        raise TokenMissing()
    return Bot(token.get_secret_value(), base_url=settings.telegram_base_url,
               request=HTTPXRequest(read_timeout=settings.send_timeout))


async def bot_commands(bot: Bot, txt: Renderer, deadline: float) -> None:
    """setMyCommands with the Swedish descriptions of prompts/txt/telegram_command.j2."""
    commands = [BotCommand(name, txt.message("telegram_command", command=name))
                for name in COMMANDS]
    await send_with_retry(lambda: bot.set_my_commands(commands), deadline=deadline,
                          what="setMyCommands")


async def manage_webhook(action: str, settings: Settings, txt: Renderer) -> WebhookInfo:
    """Do `action` (set, delete or info) and return what Telegram then has registered."""
    if action == "set" and not settings.webhook_url:
        raise WebhookUrlMissing()
    if action == "set" and settings.webhook_secret is None:
        raise WebhookSecretMissing()
    bot, deadline = make_bot(settings), settings.send_timeout
    try:
        async with bot:
            if action == "set":
                secret = settings.webhook_secret
                await send_with_retry(lambda: bot.set_webhook(
                    settings.webhook_url, allowed_updates=ALLOWED_UPDATES,
                    max_connections=settings.webhook_max_connections,
                    secret_token=secret.get_secret_value() if secret else None),
                    deadline=deadline, what="setWebhook")
                await bot_commands(bot, txt, deadline)
            elif action == "delete":
                await send_with_retry(lambda: bot.delete_webhook(), deadline=deadline,
                                      what="deleteWebhook")
            return await send_with_retry(bot.get_webhook_info, deadline=deadline,
                                         what="getWebhookInfo")
    except InvalidToken:
        raise TokenRejected() from None
    except NetworkError as exc:
        if type(exc).__name__ == "BadRequest":
            raise
        raise TelegramUnreachable(url=settings.telegram_base_url) from None
