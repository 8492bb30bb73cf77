"""Rendering a document off the event loop, once per distinct content.

ReportLab, python-docx and openpyxl are pure Python: a report of a large school takes
tens to hundreds of milliseconds of CPU, during which an event loop that ran it would
serve no one else. In a worker thread the loop keeps answering the small pages between
the renderer's time slices (the interpreter switches threads every few milliseconds),
so one curator's download no longer stalls every other request of the worker. How many
render at once is bounded by the worker's admitted requests (platform/admission.py).

The result is kept, per worker, under a digest of what was rendered: the renderer and
the document's whole description (frozen dataclasses, so their `repr` is the content).
A second download of an unchanged bank or report costs the database reads and the
digest, not a second render; any change of a figure, name or date is a new digest, so
nothing stale is ever served and nothing has to be invalidated. The store is bounded
(RENDER_CACHE_BYTES, least recently used out first).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import anyio.to_thread

RENDER_CACHE_BYTES = 64 * 1024 * 1024

_lock = threading.Lock()
_rendered: OrderedDict[str, bytes] = OrderedDict()
_held = [0]  # bytes in `_rendered`


def _digest(render: Callable[..., bytes], args: tuple[Any, ...]) -> str:
    content = f"{render.__module__}.{render.__qualname__}|{args!r}"
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()


def _cached_render(render: Callable[..., bytes], args: tuple[Any, ...]) -> bytes:
    key = _digest(render, args)
    with _lock:
        found = _rendered.get(key)
        if found is not None:
            _rendered.move_to_end(key)
            return found
    data = render(*args)
    if len(data) <= RENDER_CACHE_BYTES // 4:
        with _lock:
            if key not in _rendered:
                _rendered[key] = data
                _held[0] += len(data)
            while _held[0] > RENDER_CACHE_BYTES and _rendered:
                _, dropped = _rendered.popitem(last=False)
                _held[0] -= len(dropped)
    return data


def clear_render_cache() -> None:
    with _lock:
        _rendered.clear()
        _held[0] = 0


async def off_loop(render: Callable[..., bytes], *args: Any) -> bytes:
    """`render(*args)` in a worker thread (or the bytes of the same render before)."""
    return await anyio.to_thread.run_sync(functools.partial(_cached_render, render, args))
