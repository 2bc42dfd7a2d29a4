"""A tiny fake Telegram Bot API over HTTP on 127.0.0.1, for driving the real Application.

It behaves like Telegram where the bot can get it wrong: getUpdates long polling with offsets,
sendMessage returning a Message, 400 for text over 4096 characters (UTF-16 units) after entity
parsing, for malformed HTML and for callback data over 64 bytes, 401 for a wrong token, and
409 to a getUpdates still waiting when another one comes in (another process polling). Faults can be queued
per method: error answers (429 with retry_after, 500, 409), a dropped connection (the socket is
closed without a response, before or after the call took effect) and a slow answer (the call
takes effect, the response comes late). Runs in a thread, so sync and async tests share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import html
import itertools
import json
import random
import re
import socket
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from telegram import Update
from telegram.ext import Application

from tests.support.webhook_delivery import WebhookDelivery

TOKEN = "123456:TEST-token-abcdef"
BOT = {"id": 4242, "is_bot": True, "first_name": "Citatbot", "username": "citatbot_test",
       "can_join_groups": True, "can_read_all_group_messages": False,
       "supports_inline_queries": False}
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_LONG_POLL = 5.0
POLL_INTERVAL = 0.05  # seconds between the server thread's looks for a shutdown
TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
        "blockquote", "tg-spoiler", "span", "tg-emoji"}
_PIECE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[<>&]")
_LINK = re.compile(r'<a href="([^"<>]*)">(.*?)</a>', re.DOTALL)
_UNPARSABLE = "Bad Request: can't parse entities: "
CONFLICT = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running")
_JSON_PARAMS = {"reply_markup", "allowed_updates", "commands", "reply_parameters",
                "link_preview_options", "entities", "scope"}


class TelegramRefusal(Exception):
    """What the fake answers with an error code instead of a result."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass(frozen=True)
class Drop:
    """Close the connection without a response; `processed`: after the call took effect."""

    processed: bool


@dataclass(frozen=True)
class Delay:
    """Let the call take effect, then answer only after `seconds`."""

    seconds: float


class Dropped(Exception):
    """The handler closes the connection without writing a response."""


def parse_html(text: str) -> str:
    """The text Telegram would show for HTML `text`; TelegramRefusal(400) where it would refuse."""
    plain, stack, pos = [], [], 0
    for match in _PIECE.finditer(text):
        plain.append(text[pos : match.start()])
        pos = match.end()
        if match[2]:
            name = match[2].lower()
            if name not in TAGS:
                raise TelegramRefusal(400, _UNPARSABLE + f"unsupported start tag \"{name}\"")
            if not match[1]:
                stack.append(name)
            elif not stack or stack.pop() != name:
                raise TelegramRefusal(400, _UNPARSABLE + f"unmatched end tag \"{name}\"")
        elif match[4]:
            entity = match[4]
            if not entity.startswith("#") and entity not in ("lt", "gt", "amp", "quot"):
                raise TelegramRefusal(400, _UNPARSABLE + f"unsupported entity \"{entity}\"")
            plain.append(html.unescape(match[0]))
        else:
            raise TelegramRefusal(400, _UNPARSABLE + f"stray \"{match[0]}\"")
    plain.append(text[pos:])
    if stack:
        raise TelegramRefusal(400, _UNPARSABLE + f"unclosed start tag \"{stack[-1]}\"")
    return "".join(plain)


def buttons_of(message: dict) -> dict[str, str]:
    """Button label → callback data of a sent message."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def links_of(text: str) -> list[dict]:
    """The links of HTML `text` as Telegram reports them (text_link entities): shown text, url."""
    return [{"text": parse_html(inner), "url": html.unescape(href)}
            for href, inner in _LINK.findall(text)]


class FakeBotApi:
    """The fake server and what it saw; `sent` holds every message it accepted."""

    def __init__(self, token: str = TOKEN, port: int = 0) -> None:
        self.token = token
        self.lock = threading.Condition()
        self.updates: list[dict] = []
        # Telegram numbers a bot's updates on from a random id after a quiet week; a fake does
        # so each time, so a record of answered ids (bot.telegram.handled) kept in a file that
        # outlives one fake never mistakes a new update for an old one
        self.update_ids = itertools.count(random.randrange(10**8, 10**9))
        self.message_ids = itertools.count(1000)
        self.sent: list[dict] = []
        self.calls: list[tuple[str, dict]] = []
        self.in_flight: Counter[str] = Counter()  # calls received, not yet answered, by method
        self.most_in_flight: Counter[str] = Counter()  # the most there ever were at once
        self.faults: dict[str, deque[TelegramRefusal | Drop | Delay]] = defaultdict(deque)
        self.outages: dict[str, tuple[float, TelegramRefusal]] = {}  # method → (until, answer)
        self.commands: list[dict] = []
        self.chat_types: dict[int, str] = {}
        self.closed = False
        self.polls = 0  # getUpdates calls so far; a waiting one sees a newer one by this
        self.latency = 0.0  # seconds every answer takes, like a round trip to Telegram
        self.webhook: dict = {}
        self.delivery: WebhookDelivery | None = None  # set by deliver_to: updates go by webhook
        self.server = _Server(("127.0.0.1", port), self._handler_class())
        # shutdown() waits for serve_forever to notice, up to one poll interval (default 0.5 s)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(POLL_INTERVAL,),
                                       daemon=True)

    @property
    def base_url(self) -> str:
        """The TELEGRAM_BASE_URL that points PTB here."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def start(self) -> FakeBotApi:
        self.thread.start()
        return self

    def deliver_to(self, url: str, connections: int = 40) -> WebhookDelivery:
        """Deliver pushed updates by webhook to `url` (the registered URL is public https; the
        test's load balancer listens here), with the registered secret, as Telegram does."""
        self.delivery = WebhookDelivery(url, self.webhook.get("secret_token"), connections)
        return self.delivery

    def unreachable_for(self, seconds: float) -> None:
        """Stop listening for `seconds` (connections refused, as when Telegram is out of
        reach), then listen on the same port again; what the fake holds is kept."""
        port = self.server.server_address[1]
        self.server.shutdown()
        self.server.server_close()
        self.server.cut()

        def back() -> None:
            time.sleep(seconds)
            self.server = _Server(("127.0.0.1", port), self._handler_class())
            self.server.serve_forever(POLL_INTERVAL)

        self.thread = threading.Thread(target=back, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.delivery:
            self.delivery.stop()
        with self.lock:
            self.closed = True
            self.lock.notify_all()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # --- what a test does -------------------------------------------------------------------

    def push(self, update: dict) -> dict:
        """Queue an update for getUpdates; returns it with its update_id."""
        with self.lock:
            update = {"update_id": next(self.update_ids), **update}
            if self.delivery is None:
                self.updates.append(update)
                self.lock.notify_all()
        if self.delivery is not None:
            self.delivery.enqueue(update)
        return update

    def message(self, chat_id: int, text: str | None = None, *, chat_type: str = "private",
                user_id: int | None = None, reply_to: dict | None = None, **extra: object) -> dict:
        """Push a message from a user; `extra` adds fields such as sticker or photo."""
        self.chat_types[chat_id] = chat_type
        message = {"message_id": next(self.message_ids), "date": int(time.time()),
                   "chat": _chat(chat_id, chat_type), "from": _user(user_id or abs(chat_id)),
                   **extra}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self.push({"message": message})

    def press(self, sent: dict, data: str, *, user_id: int | None = None) -> dict:
        """Push a press on a button of a message the bot sent."""
        chat_id = sent["chat"]["id"]
        query = {"id": str(next(self.update_ids) * 7), "from": _user(user_id or abs(chat_id)),
                 "chat_instance": str(chat_id), "data": data, "message": sent}
        return self.push({"callback_query": query})

    def fail(self, method: str, code: int, *, retry_after: int | None = None,
             times: int = 1) -> None:
        """Make the next `times` calls of `method` fail with `code`."""
        description = {429: "Too Many Requests: retry after", 409: CONFLICT}.get(
                           code, "Internal Server Error")
        for _ in range(times):
            self.faults[method].append(TelegramRefusal(code, description, retry_after))

    def refuse_for(self, method: str, code: int, seconds: float, *,
                   retry_after: int | None = None) -> None:
        """Answer every call of `method` with `code` for the next `seconds` (a storm, an outage)."""
        description = "Too Many Requests: retry after" if code == 429 else "Bad Gateway"
        self.outages[method] = (time.monotonic() + seconds,
                                TelegramRefusal(code, description, retry_after))

    def drop(self, method: str, *, processed: bool, times: int = 1) -> None:
        """Close the connection of the next `times` calls of `method` without a response."""
        self.faults[method].extend(Drop(processed) for _ in range(times))

    def delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next `times` calls of `method` only after `seconds` (they take effect)."""
        self.faults[method].extend(Delay(seconds) for _ in range(times))

    def sent_to(self, chat_id: int) -> list[dict]:
        with self.lock:
            return [m for m in self.sent if m["chat"]["id"] == chat_id]

    def called(self, method: str) -> list[dict]:
        with self.lock:
            return [params for name, params in self.calls if name == method]

    async def wait_for(self, condition: Callable[[], object], timeout: float = 15.0) -> None:
        """Wait until `condition()` is true (the bot works on its own event loop task)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                sent = [m["text"][:60] for m in self.sent]
                raise AssertionError(f"timed out; sent so far: {sent}")
            await asyncio.sleep(0.02)

    async def wait_sent(self, chat_id: int, count: int = 1) -> list[dict]:
        """Wait until `count` messages went to a chat; return them all."""
        await self.wait_for(lambda: len(self.sent_to(chat_id)) >= count)
        return self.sent_to(chat_id)

    async def settle(self, seconds: float = 0.3) -> None:
        """Give the bot time to (not) react."""
        await asyncio.sleep(seconds)

    # --- the Bot API ------------------------------------------------------------------------

    def call(self, token: str, method: str, params: dict) -> object:
        """One API call; returns the result or raises TelegramRefusal or Dropped."""
        if token != self.token:
            raise TelegramRefusal(401, "Unauthorized")
        with self.lock:
            self.calls.append((method, params))
            fault = self.faults[method].popleft() if self.faults[method] else None
            until, refusal = self.outages.get(method, (0.0, None))
        if refusal is not None and time.monotonic() < until:
            raise refusal
        if isinstance(fault, TelegramRefusal):
            raise fault
        if fault == Drop(processed=False):
            raise Dropped
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            raise TelegramRefusal(404, "Not Found: method not found")
        result = handler(params)
        if isinstance(fault, Drop):
            raise Dropped
        if isinstance(fault, Delay):
            time.sleep(fault.seconds)
        return result

    def api_getMe(self, params: dict) -> dict:
        return BOT

    def api_deleteWebhook(self, params: dict) -> bool:
        self.webhook = {}
        return True

    def api_setWebhook(self, params: dict) -> bool:
        if self.webhook and time.monotonic() - self.webhook["at"] < 1:
            raise TelegramRefusal(429, "Too Many Requests: retry after 1", retry_after=1)
        self.webhook = {**params, "at": time.monotonic()}
        return True

    def api_getWebhookInfo(self, params: dict) -> dict:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.updates) + (
                    self.delivery.pending() if self.delivery else 0),
                **({"max_connections": int(self.webhook["max_connections"])}
                   if "max_connections" in self.webhook else {})}

    def api_setMyCommands(self, params: dict) -> bool:
        self.commands = params["commands"]
        return True

    def api_sendChatAction(self, params: dict) -> bool:
        return True

    def api_answerCallbackQuery(self, params: dict) -> bool:
        return True

    def api_getUpdates(self, params: dict) -> list[dict]:
        """Long polling as Telegram does it, including its answer to two pollers: a call still
        waiting when another comes in is ended with 409 Conflict."""
        offset = int(params.get("offset", 0))
        wait = min(float(params.get("timeout", 0)), MAX_LONG_POLL)
        deadline = time.monotonic() + wait
        with self.lock:
            self.polls += 1
            mine = self.polls
            self.lock.notify_all()
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and not self.closed and time.monotonic() < deadline:
                self.lock.wait(deadline - time.monotonic())
                if self.polls != mine:
                    raise TelegramRefusal(409, CONFLICT)
            return list(self.updates[: int(params.get("limit", 100))])

    def api_sendMessage(self, params: dict) -> dict:
        chat_id = int(params["chat_id"])
        message = self._message(chat_id, params)
        with self.lock:
            self.sent.append({**message, "at": time.monotonic()})  # when it arrived, for latency
        return message

    def api_editMessageText(self, params: dict) -> dict:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        with self.lock:
            old = next((m for m in self.sent if m["chat"]["id"] == chat_id
                        and m["message_id"] == message_id), None)
        if old is None:
            raise TelegramRefusal(400, "Bad Request: message to edit not found")
        new = self._message(chat_id, params, message_id)
        with self.lock:
            old.update(new)
        return new

    def _message(self, chat_id: int, params: dict, message_id: int | None = None) -> dict:
        """The Message Telegram would return for sendMessage/editMessageText params."""
        raw = params.get("text", "")
        text = parse_html(raw) if params.get("parse_mode") == "HTML" else raw
        if not text.strip():
            raise TelegramRefusal(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > MAX_TEXT:  # Telegram counts UTF-16 units
            raise TelegramRefusal(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > MAX_CALLBACK_DATA:
                    raise TelegramRefusal(400, "Bad Request: BUTTON_DATA_INVALID")
        message = {"message_id": message_id or next(self.message_ids), "date": int(time.time()),
                   "chat": _chat(chat_id, self.chat_types.get(chat_id, "private")),
                   "from": {k: BOT[k] for k in ("id", "is_bot", "first_name", "username")},
                   "text": text, "html": raw}
        if params.get("parse_mode") == "HTML":
            message["links"] = links_of(raw)
        if markup:
            message["reply_markup"] = markup
        if "reply_parameters" in params:
            message["reply_to"] = params["reply_parameters"].get("message_id")
        return message

    @contextmanager
    def serving(self, method: str) -> Iterator[None]:
        """Count the calls of `method` received and not yet answered, and the most at once."""
        with self.lock:
            self.in_flight[method] += 1
            self.most_in_flight[method] = max(self.most_in_flight[method],
                                              self.in_flight[method])
        try:
            yield
        finally:
            with self.lock:
                self.in_flight[method] -= 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, as from Telegram

            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                match = re.fullmatch(r"/bot(?P<token>[^/]+)/(?P<method>\w+)", self.path)
                with api.serving(match["method"] if match else ""):
                    self.answer(match)

            def answer(self, match: re.Match | None) -> None:
                """Call the method and write its response (after `latency`), or none at all."""
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    if match is None:
                        raise TelegramRefusal(404, "Not Found")
                    params = _params(body.decode(), self.headers.get("Content-Type", ""))
                    result = api.call(match["token"], match["method"], params)
                    reply = {"ok": True, "result": result}
                    code = 200
                except Dropped:
                    self.close_connection = True  # no response at all: the client sees EOF
                    return
                except TelegramRefusal as refusal:
                    code = refusal.code
                    reply = {"ok": False, "error_code": code, "description": refusal.description}
                    if refusal.retry_after is not None:
                        reply["parameters"] = {"retry_after": refusal.retry_after}
                if api.latency:
                    time.sleep(api.latency)
                payload = json.dumps(reply).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except ConnectionError:
                    self.close_connection = True  # the bot gave up on this request (stopped)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet: the tests read `calls`, not a log."""

        return Handler


@asynccontextmanager
async def running(app: Application, *, poll_timeout: float = 5.0) -> AsyncIterator[Application]:
    """What run_polling does, on the caller's event loop: initialize, post_init, poll, start;
    on leaving, stop polling and wait for every update taken to be answered."""
    await app.initialize()
    try:
        await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0, timeout=dtm.timedelta(seconds=poll_timeout),
            allowed_updates=[Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY])
        await app.start()
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # a backlog like a real server's: the stdlib's 5 overflows when a hundred chats connect at
    # once, and a connection the server never accepts looks to the client like a lost answer
    request_queue_size = 1024

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.connections: set[socket.socket] = set()  # open ones, to cut in an outage

    def process_request(self, request: socket.socket, client_address: object) -> None:
        self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        self.connections.discard(request)
        super().shutdown_request(request)

    def cut(self) -> None:
        """Close every open connection, as a network that goes down does."""
        for connection in list(self.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet about a client that hung up (a stopped bot); loud about anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _params(body: str, content_type: str) -> dict:
    if "json" in content_type:
        return json.loads(body or "{}")
    params = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
    for key in _JSON_PARAMS & params.keys():
        params[key] = json.loads(params[key])
    return params


def _chat(chat_id: int, chat_type: str) -> dict:
    chat = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = f"Användare {chat_id}"
    else:
        chat["title"] = f"Grupp {chat_id}"
    return chat


def _user(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": f"Användare {user_id}"}
