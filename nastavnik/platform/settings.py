"""Settings from environment variables (documented in `.env.example`)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT = "development"
# Shorter secrets are refused: HMAC keys are derived from it (see auth/signing.py).
MIN_SECRET_LENGTH = 32
SECRET_FILE = "secret"  # noqa: S105 - the name of the file that holds it


class SettingsError(RuntimeError):
    """The configuration cannot be used; the message tells the operator what to set."""


def _secret_of_data_dir(data_dir: Path) -> str:
    """Development only: a random secret made on the first run and kept in the data folder."""
    path = data_dir / SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once never write two different secrets.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text(encoding="ascii").strip()
        if len(value) < MIN_SECRET_LENGTH:
            msg = f"Файл {path} пуст или повреждён: удалите его, и секрет будет создан заново."
            raise SettingsError(msg) from None
        return value
    value = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(value + "\n")
    return value


def _session_secret(environ: Mapping[str, str], environment: str, data_dir: Path) -> str:
    explicit = environ.get("SESSION_SECRET", "").strip()
    if explicit:
        if len(explicit) < MIN_SECRET_LENGTH:
            msg = (
                f"SESSION_SECRET короче {MIN_SECRET_LENGTH} символов. Задайте случайное значение, "
                "например: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
            raise SettingsError(msg)
        return explicit
    if environment == DEVELOPMENT:
        return _secret_of_data_dir(data_dir)
    msg = (
        f"SESSION_SECRET не задан (NASTAVNIK_ENV={environment}): приложение не запускается без "
        "секрета. Задайте случайное значение не короче 32 символов, например: "
        "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    )
    raise SettingsError(msg)


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
    session_idle_seconds: int
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
    # Serving: worker processes of `nastavnik serve`, and each one's connection pool.
    # Sizing: web_workers × (db_pool_size + db_max_overflow) + the job workers' connections
    # must stay below PostgreSQL's max_connections minus a reserve (deploy/README.md).
    web_workers: int = 1
    db_pool_size: int = 10
    db_max_overflow: int = 5
    db_pool_timeout: float = 5.0
    db_pool_recycle: int = 1800
    # Requests a worker serves at once (0: the pool's size plus overflow) and how long one
    # may wait for a place before the 503 page (platform/admission.py).
    request_concurrency: int = 0
    request_queue_timeout: float = 15.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def admitted_requests(self) -> int:
        """Requests served at once by one worker: by default as many as its pool has connections."""
        return self.request_concurrency or (self.db_pool_size + self.db_max_overflow)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"

    @property
    def redirect_uri(self) -> str:
        return f"{self.base_url}/auth/callback"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `environ` (the process environment by default).

    Raises SettingsError when a secret is missing outside development: the app fails
    closed rather than signing cookies and links with a value anyone could know.
    """
    env = os.environ if environ is None else environ

    def _env(name: str, default: str) -> str:
        value = env.get(name, "").strip()
        return value or default

    def _env_bool(name: str, default: bool) -> bool:
        value = env.get(name, "").strip().lower()
        if not value:
            return default
        return value in {"1", "true", "yes", "on"}

    def _env_int(name: str, default: int, *, minimum: int = 1) -> int:
        raw = _env(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            msg = f"{name}={raw!r}: нужно целое число не меньше {minimum}."
            raise SettingsError(msg)
        return value

    def _env_float(name: str, default: float) -> float:
        raw = _env(name, str(default))
        try:
            value = float(raw)
        except ValueError:
            value = 0.0
        if not value > 0:
            msg = f"{name}={raw!r}: нужно положительное число секунд."
            raise SettingsError(msg)
        return value

    environment = _env("NASTAVNIK_ENV", DEVELOPMENT)
    base_url = _env("APP_BASE_URL", "http://localhost:8000").rstrip("/")
    data_dir = Path(_env("NASTAVNIK_DATA_DIR", str(PROJECT_ROOT / "var"))).resolve()
    return Settings(
        environment=environment,
        data_dir=data_dir,
        database_url=env.get("DATABASE_URL") or None,
        migration_database_url=env.get("MIGRATION_DATABASE_URL") or None,
        base_url=base_url,
        session_secret=_session_secret(env, environment, data_dir),
        session_cookie_secure=_env_bool("SESSION_COOKIE_SECURE", base_url.startswith("https://")),
        session_max_age_seconds=int(_env("SESSION_MAX_AGE_SECONDS", str(10 * 3600))),
        session_idle_seconds=int(_env("SESSION_IDLE_SECONDS", str(2 * 3600))),
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
        web_workers=_env_int("WEB_WORKERS", (os.cpu_count() or 1) if environment == "production" else 1),
        db_pool_size=_env_int("DB_POOL_SIZE", 10),
        db_max_overflow=_env_int("DB_MAX_OVERFLOW", 5, minimum=0),
        db_pool_timeout=_env_float("DB_POOL_TIMEOUT", 5.0),
        db_pool_recycle=_env_int("DB_POOL_RECYCLE", 1800),
        request_concurrency=_env_int("REQUEST_CONCURRENCY", 0, minimum=0),
        request_queue_timeout=_env_float("REQUEST_QUEUE_TIMEOUT", 15.0),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
