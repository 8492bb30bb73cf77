"""Page blocks kept per version of their data, with the session's CSRF token put in."""

from __future__ import annotations

from jinja2 import DictLoader, Environment, select_autoescape

from nastavnik.platform.ui.block_cache import BlockCache, render_blocks, with_token

TEMPLATES = {
    "base.html": "<title>{% block title %}{% endblock %}</title><nav>{{ user }}</nav>"
    "<main>{% block content %}{% endblock %}</main>",
    "_m.html": "{% macro shout(x) %}<b>{{ x | upper }}</b>{% endmacro %}",
    "page.html": '{% extends "base.html" %}{% import "_m.html" as m %}{% set n = figures | sum %}'
    "{% block title %}Итого {{ n }}{% endblock %}"
    '{% block content %}{{ m.shout(name) }}<form><input name="_csrf_token" value="{{ csrf_token }}"></form>'
    "{% endblock %}",
}


def env() -> Environment:
    return Environment(loader=DictLoader(TEMPLATES), autoescape=select_autoescape(default=True))


def test_blocks_use_the_pages_imports_and_sets_and_leave_the_layout_out() -> None:
    blocks = render_blocks(env(), "page.html", {"figures": [1, 2], "name": "<ш>", "user": "Иванова"})
    assert blocks["title"] == "Итого 3"
    assert "<b>&lt;Ш&gt;</b>" in blocks["content"]
    assert "Иванова" not in "".join(blocks.values())  # the layout's user is not part of a block


def test_each_session_gets_its_own_token_in_a_shared_block() -> None:
    blocks = render_blocks(env(), "page.html", {"figures": [], "name": "x", "user": ""})
    first = with_token(blocks, "token-A")["content"]
    second = with_token(blocks, "token-B")["content"]
    assert 'value="token-A"' in first
    assert 'value="token-B"' in second
    assert "token-A" not in second


def test_the_cache_is_bounded_by_size_and_drops_the_least_recently_used() -> None:
    cache = BlockCache(max_bytes=10)
    cache.put("a", {"content": "aaaa"})
    cache.put("b", {"content": "bbbb"})
    assert cache.get("a") == {"content": "aaaa"}  # now b is the least recently used
    cache.put("c", {"content": "cccc"})
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.get("c") is not None
    cache.put("huge", {"content": "x" * 11})
    assert cache.get("huge") is None
