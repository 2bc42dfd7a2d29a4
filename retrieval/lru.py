"""One small least-recently-used map, for every bounded cache and per-chat state of citatbot.

Each step is a single C-level call on an OrderedDict (pop, setitem, popitem), which the GIL
makes atomic: threads that touch different keys never corrupt the map (bot/telegram/chat_order.py
relies on this for per-chat state). A map that also keeps its entries' weights within a budget
(a cache of arrays of very different sizes) takes a lock for the sum.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """Keeps the `size` most recently used entries; older ones are forgotten."""

    def __init__(self, size: int, on_evict: Callable[[K, V], object] | None = None, *,
                 weight: Callable[[V], int] | None = None, budget: int = 0) -> None:
        if size < 1:
            raise ValueError(f"an LRU needs a size of at least 1, got {size}")
        self.size = size
        self.on_evict = on_evict  # told of each entry forgotten, to forget what hangs on it
        # With `weight`, the entries' weights together stay within `budget` as well (the
        # newest entry is kept even when it alone is heavier).
        self.weight, self.budget, self._weight = weight, budget, 0
        self._lock = threading.Lock() if weight else None  # the weights' sum is no C call
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, make: Callable[[], V]) -> V:
        """The entry for `key`, made by `make()` when absent; either way now the most recent."""
        if self._lock is not None:
            with self._lock:
                value = self._items.get(key)
                if value is not None:
                    self._items.move_to_end(key)
                    return value
            value = make()
            self.put(key, value)
            return value
        value = self._items.pop(key, None)
        if value is None:
            value = make()
        self.put(key, value)
        return value

    def put(self, key: K, value: V) -> None:
        """Store `value` as the most recent entry for `key`, forgetting the oldest beyond size
        (and budget)."""
        if self._lock is None:
            self._items.pop(key, None)
            self._items[key] = value
            while len(self._items) > self.size:
                self._forget(self._items.popitem(last=False))
            return
        assert self.weight is not None
        with self._lock:
            if (old := self._items.pop(key, None)) is not None:
                self._weight -= self.weight(old)
            self._items[key] = value
            self._weight += self.weight(value)
            while len(self._items) > self.size or (
                    self._weight > self.budget and len(self._items) > 1):
                oldest = self._items.popitem(last=False)
                self._weight -= self.weight(oldest[1])
                self._forget(oldest)

    def _forget(self, entry: tuple[K, V]) -> None:
        if self.on_evict:
            self.on_evict(*entry)

    def peek(self, key: K) -> V | None:
        """The entry for `key` without marking it used, or None."""
        return self._items.get(key)

    def __len__(self) -> int:
        return len(self._items)
