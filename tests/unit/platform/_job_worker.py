"""A worker process for the job tests: its one task blocks on the first attempt, passes after.

Run as `python -m tests.unit.platform._job_worker <database url>`; the tests import it too,
so that their own in-process worker knows the same task.
"""

from __future__ import annotations

import asyncio
import sys

from nastavnik.platform import jobs

BLOCKING_TASK = "tests.jobs.block_first_attempt"


@jobs.app.task(name=BLOCKING_TASK, pass_context=True)
async def block_first_attempt(context: jobs.JobContext) -> None:
    if context.job.attempts == 0:
        await asyncio.Event().wait()  # until the process is killed


def main() -> None:
    asyncio.run(jobs.run_worker(sys.argv[1], name="test-worker-to-kill"))


if __name__ == "__main__":
    main()
