"""Results kept per worker under a key that names everything they are made of.

Callers put the data's version in the key (e.g. a region's directory or bank version,
renewed by a trigger on every write), so nothing stale is ever served and nothing needs
invalidating; the least recently used entries go first once `size` are kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Kept(Generic[T]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, key: Hashable) -> T | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: T) -> T:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self._entries.clear()


def detached_copy(entity: T) -> T:
    """A copy of an ORM object's columns that belongs to no session (safe to keep and share;
    relationships are not copied)."""
    from sqlalchemy import inspect

    mapper = inspect(type(entity))
    copy = mapper.class_()
    for attribute in mapper.column_attrs:
        setattr(copy, attribute.key, getattr(entity, attribute.key))
    return copy  # type: ignore[no-any-return]
