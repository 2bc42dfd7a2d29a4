"""One small least-recently-used map, for every bounded cache and per-chat state of citatbot.

Each step is a single C-level call on an OrderedDict (pop, setitem, popitem), which the GIL
makes atomic: threads that touch different keys never corrupt the map (bot/telegram/chat_order.py
relies on this for per-chat state).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """Keeps the `size` most recently used entries; older ones are forgotten."""

    def __init__(self, size: int, on_evict: Callable[[K, V], object] | None = None) -> None:
        if size < 1:
            raise ValueError(f"an LRU needs a size of at least 1, got {size}")
        self.size = size
        self.on_evict = on_evict  # told of each entry forgotten, to forget what hangs on it
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, make: Callable[[], V]) -> V:
        """The entry for `key`, made by `make()` when absent; either way now the most recent."""
        value = self._items.pop(key, None)
        if value is None:
            value = make()
        self.put(key, value)
        return value

    def put(self, key: K, value: V) -> None:
        """Store `value` as the most recent entry for `key`, forgetting the oldest beyond size."""
        self._items.pop(key, None)
        self._items[key] = value
        while len(self._items) > self.size:
            old = self._items.popitem(last=False)
            if self.on_evict:
                self.on_evict(*old)

    def peek(self, key: K) -> V | None:
        """The entry for `key` without marking it used, or None."""
        return self._items.get(key)

    def __len__(self) -> int:
        return len(self._items)
