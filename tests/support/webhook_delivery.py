"""How Telegram delivers updates to a webhook, for the fake Bot API: one update at a time per
chat (button presses on their own queue per user), the next only after a 2xx, and an update
that got anything else (an error status, a dropped connection, a timeout) delivered again after
a back-off, until it gets a 2xx. Up to `connections` requests at once, like max_connections.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

import httpx

BACKOFF = 0.1  # seconds before delivering a refused update again; doubles, up to MAX_BACKOFF
MAX_BACKOFF = 1.0
TIMEOUT = 60.0


def queue_of(update: dict) -> tuple[str, int]:
    """Telegram's queue for an update: the chat's, or the user's for a button press."""
    if "callback_query" in update:
        return ("user", update["callback_query"]["from"]["id"])
    message = update.get("message") or update.get("edited_message") or {}
    return ("chat", message.get("chat", {}).get("id", 0))


class WebhookDelivery:
    """Delivers pushed updates to `url` with the secret header; records every attempt."""

    def __init__(self, url: str, secret: str | None = None, connections: int = 40) -> None:
        self.url, self.secret = url, secret
        self.lock = threading.Condition()
        self.queues: dict[tuple[str, int], deque[dict]] = defaultdict(deque)
        self.ready: deque[tuple[str, int]] = deque()
        self.busy: set[tuple[str, int]] = set()
        self.acked: dict[int, int] = defaultdict(int)  # update_id → 2xx answers received
        self.refused: dict[int, int] = defaultdict(int)  # update_id → deliveries without 2xx
        self.pushed_at: dict[int, float] = {}
        self.closed = False
        self.threads = [threading.Thread(target=self._work, daemon=True)
                        for _ in range(connections)]
        for thread in self.threads:
            thread.start()

    def enqueue(self, update: dict) -> None:
        with self.lock:
            key = queue_of(update)
            self.pushed_at[update["update_id"]] = time.monotonic()
            self.queues[key].append(update)
            if key not in self.busy and len(self.queues[key]) == 1:
                self.ready.append(key)
            self.lock.notify()

    def pending(self) -> int:
        """Updates not yet acknowledged with a 2xx."""
        with self.lock:
            return sum(len(q) for q in self.queues.values())

    def stop(self) -> None:
        with self.lock:
            self.closed = True
            self.lock.notify_all()
        for thread in self.threads:
            thread.join(timeout=TIMEOUT)

    def _work(self) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret} if self.secret else {}
        with httpx.Client(timeout=TIMEOUT) as client:
            while True:
                with self.lock:
                    while not self.ready and not self.closed:
                        self.lock.wait()
                    if self.closed:
                        return
                    key = self.ready.popleft()
                    self.busy.add(key)
                    update = self.queues[key][0]
                ok = self._post(client, update, headers)
                with self.lock:
                    if ok:
                        self.acked[update["update_id"]] += 1
                        self.queues[key].popleft()
                    else:
                        self.refused[update["update_id"]] += 1
                    attempts = self.refused[update["update_id"]]
                if not ok:  # this queue waits; the others go on meanwhile
                    time.sleep(min(BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF))
                with self.lock:
                    self.busy.discard(key)
                    if self.queues[key]:
                        self.ready.append(key)
                        self.lock.notify()

    def _post(self, client: httpx.Client, update: dict, headers: dict) -> bool:
        try:
            return client.post(self.url, json=update, headers=headers).is_success
        except httpx.HTTPError:
            return False
