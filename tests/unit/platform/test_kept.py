"""Results kept per worker: bounded, least recently used first out."""

from __future__ import annotations

from nastavnik.platform.kept import Kept


def test_kept_results_are_bounded_and_the_least_recently_used_go_first() -> None:
    kept = Kept[str](2)
    kept.put("a", "A")
    kept.put("b", "B")
    assert kept.get("a") == "A"  # b is now the least recently used
    kept.put("c", "C")
    assert kept.get("b") is None
    assert (kept.get("a"), kept.get("c")) == ("A", "C")
    kept.size = 0
    kept.put("d", "D")
    assert kept.get("d") is None  # size 0: nothing is kept (bench --cold)
