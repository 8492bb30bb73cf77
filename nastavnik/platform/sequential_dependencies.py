"""A request's dependencies are resolved one after another, never side by side.

Litestar resolves the independent dependencies of a handler concurrently, in a task
group. Ours share the request's one database session (the workspace, the chosen year,
the object a URL names…): two of them querying at once is concurrent use of one
`AsyncSession`, which SQLAlchemy does not support, and when one raises (a 404 for
another school's id) the task group cancels the other in the middle of its query —
psycopg then closes the connection, and the request's transaction is lost with it (the
cross-tenant sweep met this as a cascade of PendingRollbackError). They do no I/O that
could overlap usefully (one connection), so resolving them in order costs nothing.

Installed once, when the app is created; the order within a batch is by name, so it is
the same on every request.
"""

from __future__ import annotations

from typing import Any

from litestar._kwargs import kwargs_model
from litestar._kwargs.cleanup import DependencyCleanupGroup
from litestar._kwargs.dependencies import resolve_dependency
from litestar.connection import ASGIConnection


async def resolve_in_order(
    self: kwargs_model.KwargsModel, connection: ASGIConnection[Any, Any, Any, Any], kwargs: dict[str, Any]
) -> DependencyCleanupGroup:
    cleanup_group = DependencyCleanupGroup()
    for batch in self.dependency_batches:
        for dependency in sorted(batch, key=lambda d: d.key):
            await resolve_dependency(dependency, connection, kwargs, cleanup_group)
    return cleanup_group


def install() -> None:
    kwargs_model.KwargsModel.resolve_dependencies = resolve_in_order  # type: ignore[method-assign]
