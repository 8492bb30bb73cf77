"""Small helpers shared by migrations."""

from __future__ import annotations

import os
import re

from nastavnik.platform.embedded_db import APP_ROLE


def app_role() -> str:
    """The application's database role; validated because it is spliced into DDL."""
    role = os.environ.get("APP_DB_ROLE", APP_ROLE)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        msg = f"invalid APP_DB_ROLE: {role!r}"
        raise ValueError(msg)
    return role


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave procrastinate's tables out of `alembic check`: its own scripts define them."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))
