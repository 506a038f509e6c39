"""A worker's cache of what it made from values that never change (a content version, a state).

The keys say everything a value is made from, so an entry never goes stale; the bound only stops
a worker that meets many releases or odd states from growing for ever. When full it is emptied
rather than kept in order: a hit costs one dict look-up, and refilling is cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class BoundedCache(dict, Generic[Value]):
    """A dict of made values that empties itself when it holds ``limit`` of them."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def kept(self, key: Hashable, make: Callable[[], Value]) -> Value:
        """The value under ``key``, made and kept the first time it is asked for."""
        value = self.get(key)
        if value is None:
            if len(self) >= self.limit:
                self.clear()
            value = self[key] = make()
        return value
