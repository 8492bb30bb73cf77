"""Settings from environment variables (documented in `.env.example`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEV_SESSION_SECRET = "dev-only-session-secret-change-me-in-production-0123456789"  # noqa: S105 - refused in production


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    environment: str
    data_dir: Path
    database_url: str | None
    migration_database_url: str | None
    base_url: str
    session_secret: str
    session_cookie_secure: bool
    session_max_age_seconds: int
    keycloak_url: str
    keycloak_realm: str
    keycloak_client_id: str
    keycloak_client_secret: str
    keycloak_provisioning_client_id: str
    keycloak_provisioning_client_secret: str
    keycloak_admin_user: str
    keycloak_admin_password: str
    smtp_host: str
    smtp_port: int
    mail_from: str
    log_level: str
    log_json: bool
    upload_max_bytes: int = 10 * 1024 * 1024
    # Run background jobs inside the web process (development, tests) or only in
    # `nastavnik worker` processes (production). JOBS_IN_PROCESS overrides.
    jobs_in_process: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"

    @property
    def redirect_uri(self) -> str:
        return f"{self.base_url}/auth/callback"


def load_settings() -> Settings:
    environment = _env("NASTAVNIK_ENV", "development")
    base_url = _env("APP_BASE_URL", "http://localhost:8000").rstrip("/")
    session_secret = _env("SESSION_SECRET", DEV_SESSION_SECRET)
    if environment == "production" and session_secret == DEV_SESSION_SECRET:
        msg = "SESSION_SECRET must be set in production"
        raise RuntimeError(msg)
    return Settings(
        environment=environment,
        data_dir=Path(_env("NASTAVNIK_DATA_DIR", str(PROJECT_ROOT / "var"))).resolve(),
        database_url=os.environ.get("DATABASE_URL") or None,
        migration_database_url=os.environ.get("MIGRATION_DATABASE_URL") or None,
        base_url=base_url,
        session_secret=session_secret,
        session_cookie_secure=_env_bool("SESSION_COOKIE_SECURE", base_url.startswith("https://")),
        session_max_age_seconds=int(_env("SESSION_MAX_AGE_SECONDS", str(10 * 3600))),
        keycloak_url=_env("KEYCLOAK_URL", "http://localhost:8180").rstrip("/"),
        keycloak_realm=_env("KEYCLOAK_REALM", "nastavnik"),
        keycloak_client_id=_env("KEYCLOAK_CLIENT_ID", "nastavnik-web"),
        keycloak_client_secret=_env("KEYCLOAK_CLIENT_SECRET", "dev-web-secret"),
        keycloak_provisioning_client_id=_env("KEYCLOAK_PROVISIONING_CLIENT_ID", "nastavnik-provisioning"),
        keycloak_provisioning_client_secret=_env(
            "KEYCLOAK_PROVISIONING_CLIENT_SECRET", "dev-provisioning-secret"
        ),
        keycloak_admin_user=_env("KEYCLOAK_ADMIN_USER", "admin"),
        keycloak_admin_password=_env("KEYCLOAK_ADMIN_PASSWORD", "admin"),
        smtp_host=_env("SMTP_HOST", "127.0.0.1"),
        smtp_port=int(_env("SMTP_PORT", "1025")),
        mail_from=_env("MAIL_FROM", "Наставник <noreply@nastavnik.local>"),
        log_level=_env("LOG_LEVEL", "INFO"),
        log_json=_env_bool("LOG_JSON", True),
        jobs_in_process=_env_bool("JOBS_IN_PROCESS", environment != "production"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
