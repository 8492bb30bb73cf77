"""Rendered page blocks kept per worker, keyed by what the blocks are made of.

A dashboard's content is the same for every user with the same roles in the same workspace
until its figures change, so its blocks (title, head, breadcrumbs, content) are rendered once
per version of the figures and then only the layout around them is rendered per request
(the user's name, menus, flashes). The one per-session value a block may hold, the CSRF
token of a form, is rendered as a placeholder and put in when the page is served.

Keys must name everything the blocks depend on; `version` is the caller's fingerprint of
the data (e.g. the rollups' latest recount), so nothing stale is served and nothing needs
invalidating. Entries are bounded by total size (least recently used go first).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

CSRF_PLACEHOLDER = "__nst_csrf_token_placeholder__"
MAX_BYTES = 32 * 1024 * 1024

# The blocks of base.html a page may fill; `content` and the others are rendered once.
CACHED_BLOCKS = ("title", "head", "body_class", "breadcrumbs", "content")


class BlockCache:
    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[int, dict[str, str]]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> dict[str, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: Hashable, blocks: dict[str, str]) -> None:
        size = sum(len(v) for v in blocks.values())
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[0]
            self._entries[key] = (size, blocks)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (dropped, _) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


CACHE = BlockCache()


def render_blocks(env: Environment, template_name: str, context: dict[str, Any]) -> dict[str, str]:
    """The page's own blocks rendered with ``context`` (CSRF token as a placeholder)."""
    template = env.get_template(template_name)
    ctx = template.new_context({**context, "csrf_token": CSRF_PLACEHOLDER})
    # The whole page once: its top level sets what the blocks use (imported macros, `set`s).
    for _ in template.root_render_func(ctx):
        pass
    return {name: "".join(template.blocks[name](ctx)) for name in CACHED_BLOCKS if name in template.blocks}


def with_token(blocks: dict[str, str], csrf_token: str) -> dict[str, Markup]:
    """The cached blocks, ready for the layout, with this session's CSRF token put in."""
    return {
        # The blocks were rendered (and escaped) by Jinja: they are markup already.
        name: Markup(html.replace(CSRF_PLACEHOLDER, csrf_token))  # noqa: S704
        for name, html in blocks.items()
    }
