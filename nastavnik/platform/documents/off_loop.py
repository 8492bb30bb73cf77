"""Rendering a document off the event loop.

ReportLab, python-docx and openpyxl are pure Python: a report of a large school takes
tens to hundreds of milliseconds of CPU, during which an event loop that ran it would
serve no one else. In a worker thread the loop keeps answering the small pages between
the renderer's time slices (the interpreter switches threads every few milliseconds),
so one curator's download no longer stalls every other request of the worker. How many
render at once is bounded by the worker's admitted requests (platform/admission.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import anyio.to_thread


async def off_loop(render: Callable[..., bytes], *args: Any) -> bytes:
    """`render(*args)` in a worker thread; its exceptions are raised here as they were."""
    return await anyio.to_thread.run_sync(functools.partial(render, *args))
