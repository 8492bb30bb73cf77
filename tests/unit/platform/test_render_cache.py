"""Documents render off the event loop, once per distinct content."""

from __future__ import annotations

import pytest

from nastavnik.platform import documents as d
from nastavnik.platform.documents import rendering as module

pytestmark = pytest.mark.anyio


def _table(name: str) -> d.Table:
    return d.Table(columns=[d.Column("ФИО", 2), d.Column("Класс", 1)], rows=[[name, "7А"]])


async def test_same_content_is_rendered_once_and_any_change_renders_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module.clear_render_cache()
    calls: list[str] = []
    real = d.render_xlsx

    def counted(sheets: list[tuple[str, d.Table]]) -> bytes:
        calls.append(sheets[0][0])
        return real(sheets)

    counted.__qualname__ = "counted_render_xlsx"
    first = await d.off_loop(counted, [("Банк", _table("Иванова Анна"))])
    again = await d.off_loop(counted, [("Банк", _table("Иванова Анна"))])
    assert first == again and calls == ["Банк"]
    # One letter of a name differs: a new render, never the stale file.
    other = await d.off_loop(counted, [("Банк", _table("Иванова Анна!"))])
    assert other != first and len(calls) == 2
    monkeypatch.setattr(module, "RENDER_CACHE_BYTES", len(first) * 4)
    module.clear_render_cache()
    for n in range(6):  # more than the store holds: the oldest go, the newest stay
        await d.off_loop(counted, [("Банк", _table(f"Человек {n}"))])
    assert module._held[0] <= module.RENDER_CACHE_BYTES
    assert len(module._rendered) < 6
    module.clear_render_cache()
