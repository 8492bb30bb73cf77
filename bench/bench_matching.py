"""Matching benchmark: a school round and a regional round, solver against a greedy baseline.

    uv run python -m bench.bench_matching            # both sizes
    uv run python -m bench.bench_matching --only school

For each size and mode: wall time of `solve` (scoring the whole pool, building the
candidate graph and the min-cost flow), peak memory traced by tracemalloc (Python and
NumPy) and the growth of the process's peak RSS (which also sees OR-Tools' C++ memory),
total fit and coverage. The baseline is what a curator does by hand: mentee after mentee,
take the best-scoring mentor who still has a free place. The upper bound is every mentee
with their single best mentor, capacities ignored. Every run is in a fresh process so
that one run's memory does not hide in the next one's peak.

Targets: school round (300 × 150) under 0.2 s, regional round (10,000 × 5,000) under 10 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
import tracemalloc
from dataclasses import dataclass

import numpy as np

from bench.matching_pool import make_pool
from nastavnik.school.matching.scoring import Pool, score_blocks
from nastavnik.school.matching.solver import Mode, solve

SIZES = {"school": (300, 150, 0.2), "regional": (10_000, 5_000, 10.0)}


@dataclass
class Row:
    size: str
    method: str
    seconds: float
    traced_mb: float
    rss_growth_mb: float
    total: int
    covered: int
    mentees: int
    arcs: int = 0


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def greedy(pool: Pool) -> tuple[int, int, int]:
    """(total, covered, upper bound): mentee after mentee, the best mentor with a free place."""
    left = np.array([m.capacity for m in pool.mentors], dtype=np.int64)
    total = covered = bound = 0
    for _, block in score_blocks(pool):
        for row in block:
            if row.size and row.max() >= 0:
                bound += int(row.max())
            open_row = np.where(left > 0, row, -1)
            j = int(open_row.argmax()) if open_row.size else -1
            if j >= 0 and open_row[j] >= 0:
                left[j] -= 1
                total += int(open_row[j])
                covered += 1
    return total, covered, bound


def _run(size: str, method: str) -> Row:
    mentees, mentors, _ = SIZES[size]
    pool = make_pool(mentees, mentors)
    solve(make_pool(30, 15), Mode.BEST_FIT)  # load OR-Tools before the clock starts
    rss_before = _rss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    arcs = 0
    if method == "greedy":
        total, covered, bound = greedy(pool)
    else:
        solution = solve(pool, Mode(method))
        total, covered, arcs = solution.total_score, solution.covered, solution.arcs
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    row = Row(size, method, seconds, peak / 2**20, _rss_mb() - rss_before, total, covered, mentees, arcs)
    if method == "greedy":
        row.arcs = -bound  # carried back to the parent as the upper bound
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=sorted(SIZES), help="run one size")
    args = parser.parse_args()
    sizes = [args.only] if args.only else list(SIZES)
    context = multiprocessing.get_context("spawn")
    methods = ["greedy", Mode.BEST_FIT.value, Mode.COVERAGE.value]
    print(
        f"{'round':<9} {'method':<10} {'time, s':>8} {'traced MB':>10} {'RSS +MB':>8} "
        f"{'total fit':>10} {'% bound':>8} {'covered':>8} {'% pool':>7} {'arcs':>9}"
    )
    for size in sizes:
        bound = 0
        rows: list[Row] = []
        for method in methods:
            with context.Pool(1) as worker:
                rows.append(worker.apply(_run, (size, method)))
        bound = -rows[0].arcs
        rows[0].arcs = 0
        for row in rows:
            print(
                f"{row.size:<9} {row.method:<10} {row.seconds:>8.3f} {row.traced_mb:>10.1f} "
                f"{row.rss_growth_mb:>8.1f} {row.total:>10} {100 * row.total / max(bound, 1):>7.1f}% "
                f"{row.covered:>8} {100 * row.covered / row.mentees:>6.1f}% {row.arcs or '':>9}"
            )
        target = SIZES[size][2]
        slowest = max(r.seconds for r in rows if r.method != "greedy")
        verdict = "OK" if slowest < target else "SLOWER THAN TARGET"
        print(f"{size}: slowest solver run {slowest:.3f} s, target {target} s — {verdict}\n")


if __name__ == "__main__":
    main()
