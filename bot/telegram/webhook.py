"""Webhook replicas: our own endpoint, so that any number of `citatbot telegram` processes can
stand behind one load balancer and answer every update once.

Telegram sends a chat's updates one at a time and waits for the 2xx, but button presses come on
a separate per-user queue, so a press and a message of one chat can reach two replicas at once;
and python-telegram-bot's own webhook server answers 200 before the update is handled, so an
update whose replica dies is lost. This endpoint instead, for each POST:

1. refuses a request without the secret (403);
2. takes the chat's lock in the StateStore (expiring after CITATBOT_CHAT_LOCK_TIMEOUT, so a dead
   replica's lock frees itself); a chat busy elsewhere beyond the wait gets 503;
3. drops an update already handled (its `done:` key);
4. handles it, then records it handled (SET NX with a day's TTL) right after the reply was sent;
5. only then answers 200. A replica that dies before that leaves Telegram without a 2xx, so
   Telegram delivers the update again, to whichever replica, and it is answered then.

The window for a reply sent twice is between the send and step 4: one await on an idle host,
longer on a busy one, and every update in flight may be in it when a replica dies.
When the store cannot be reached the endpoint answers 503 and logs one line; Telegram delivers
the update again later, so nothing is lost while Redis restarts.

Registering the webhook is not done here: `citatbot webhook set` does it once per deploy.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from http import HTTPStatus

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import Application

from bot.settings import Settings
from bot.telegram.lenient import readable
from bot.store import LockBusy, StateStore, StoreUnavailable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DONE_TTL = 24 * 3600.0  # Telegram gives up on an update after a day; so can we
DRAIN = 30.0  # seconds SIGTERM waits for updates being handled
# Telegram's updates are a few kilobytes (a 4,096-character message and its entities); a body
# past this is refused before it is read.
MAX_BODY = 1_000_000


class UpdateGate:
    """What one webhook request goes through, apart from HTTP: secret, lock, once, handle."""

    def __init__(self, app: Application, store: StateStore, settings: Settings) -> None:
        self.app, self.store, self.settings = app, store, settings
        secret = settings.webhook_secret
        self.secret = secret.get_secret_value().encode() if secret else None
        self.slots = asyncio.Semaphore(settings.max_concurrent_updates)
        self.handled = 0
        self.busy = 0

    def allowed(self, secret: str | None) -> bool:
        """True when the request carries the secret (or none is set)."""
        if self.secret is None:
            return True
        return secret is not None and hmac.compare_digest(secret.encode(), self.secret)

    async def handle(self, body: bytes) -> int:
        """Handle one update; the HTTP status to answer (200 only once it is handled)."""
        try:
            data = json.loads(body)
            if isinstance(data, dict) and "update_id" in data:
                data = readable(data, self.app.bot)  # unreadable: confirmed, logged by id
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError):
            return HTTPStatus.BAD_REQUEST
        chat = update.effective_chat
        key = f"lock:chat:{chat.id}" if chat else f"lock:update:{update.update_id}"
        self.busy += 1
        try:
            async with self.store.lock(key, self.settings.chat_lock_timeout,
                                       self.settings.chat_lock_wait):
                if await self.store.get(f"done:{update.update_id}") is not None:
                    return HTTPStatus.OK  # delivered again, already answered: drop it
                async with self.slots:
                    await self.app.process_update(update)
                self.handled += 1
                await self._record(update.update_id)
            return HTTPStatus.OK
        except LockBusy:
            log.info("Chat of update %s is busy elsewhere; Telegram will deliver it again",
                     update.update_id)
            return HTTPStatus.SERVICE_UNAVAILABLE
        except StoreUnavailable as exc:
            log.warning("The state store is unreachable (%s): update %s not handled now; "
                        "Telegram will deliver it again", exc, update.update_id)
            return HTTPStatus.SERVICE_UNAVAILABLE
        finally:
            self.busy -= 1


    async def _record(self, update_id: int) -> None:
        """Mark the update handled. The reply is out: should the store fail now, 200 is still
        the right answer, since a delivery again would send the reply twice."""
        try:
            await self.store.claim(f"done:{update_id}", DONE_TTL)
        except StoreUnavailable as exc:
            log.warning("The state store is unreachable (%s): update %s was answered but not "
                        "recorded", exc, update_id)


@tornado.web.stream_request_body
class WebhookHandler(tornado.web.RequestHandler):
    """POST an update: the status says whether Telegram must deliver it again. The secret is
    checked on the headers, before a byte of the body is read, and the body is capped: a
    forged request costs nothing but its headers."""

    def initialize(self, gate: UpdateGate) -> None:
        self.gate = gate
        self.body = bytearray()

    def prepare(self) -> None:
        if not self.gate.allowed(self.request.headers.get(SECRET_HEADER)):
            self.set_status(HTTPStatus.FORBIDDEN)
            self.finish()

    def data_received(self, chunk: bytes) -> None:
        self.body += chunk

    async def post(self) -> None:
        self.set_status(await self.gate.handle(bytes(self.body)))

    def log_exception(self, *args: object) -> None:
        log.error("The webhook endpoint failed", exc_info=args)  # type: ignore[arg-type]


async def serve_webhook(app: Application, store: StateStore, settings: Settings, path: str,
                        stop: asyncio.Event | None = None) -> None:
    """Serve `path` on CITATBOT_WEBHOOK_LISTEN:PORT until SIGTERM/SIGINT (or `stop`), then let
    the updates being handled finish and release the store."""
    if stop is None:
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    gate = UpdateGate(app, store, settings)
    routes = tornado.web.Application([(f"/{path}", WebhookHandler, {"gate": gate})])
    server = tornado.httpserver.HTTPServer(routes, xheaders=True, max_body_size=MAX_BODY)
    async with app:
        server.listen(settings.webhook_port, settings.webhook_listen)
        log.info("Webhook replica serving /%s on %s:%s", path, settings.webhook_listen,
                 settings.webhook_port)
        await stop.wait()
        server.stop()
        await _drained(gate)
        await server.close_all_connections()
    log.info("Handled %d updates; %d state store round trips", gate.handled,
             getattr(store, "round_trips", 0))
    await store.close()


async def _drained(gate: UpdateGate) -> None:
    """Wait, up to DRAIN seconds, for the updates being handled."""
    for _ in range(int(DRAIN / 0.05)):
        if not gate.busy:
            return
        await asyncio.sleep(0.05)
