"""Keycloak provisioning through the admin REST API (python-keycloak `KeycloakAdmin`).

Keycloak is the source of identities and memberships: onboarding a school creates its
groups, inviting a colleague creates or finds the account and adds it to a group.
Every call is idempotent so that a retried request does no harm.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

import httpx
import structlog
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakError, KeycloakGetError

from nastavnik.platform.auth.permissions import REGION_ROLES, SCHOOL_ROLES, Role
from nastavnik.platform.settings import Settings

log = structlog.get_logger(__name__)
T = TypeVar("T")


class ProvisioningError(Exception):
    """Keycloak refused or could not be reached; the message is safe to show."""


@dataclass(frozen=True)
class InvitedAccount:
    keycloak_id: str
    created: bool


async def close_admin(admin: KeycloakAdmin) -> None:
    """Close the admin client's HTTP connections, including the token client inside it."""
    connection = admin.connection
    token_client = getattr(connection, "_keycloak_openid", None)
    if token_client is not None:
        await token_client.connection.aclose()
    await connection.aclose()


class KeycloakProvisioner:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._admin: KeycloakAdmin | None = None

    @property
    def admin(self) -> KeycloakAdmin:
        if self._admin is None:
            connection = KeycloakOpenIDConnection(
                server_url=self.settings.keycloak_url,
                realm_name=self.settings.keycloak_realm,
                client_id=self.settings.keycloak_provisioning_client_id,
                client_secret_key=self.settings.keycloak_provisioning_client_secret,
                grant_type="client_credentials",
                timeout=15,
            )
            self._admin = KeycloakAdmin(connection=connection)
        return self._admin

    async def aclose(self) -> None:
        if self._admin is not None:
            await close_admin(self._admin)
            self._admin = None

    async def _group_id(self, path: str) -> str | None:
        try:
            group = await self.admin.a_get_group_by_path(path)
        except KeycloakGetError as exc:
            if exc.response_code == 404:
                return None
            raise
        return str(group["id"])

    async def ensure_group(self, path: str) -> str:
        """Create every missing group along `path` and return the last one's id."""
        parent_id: str | None = None
        current = ""
        for name in [p for p in path.split("/") if p]:
            current += "/" + name
            group_id = await self._group_id(current)
            if group_id is None:
                await self.admin.a_create_group({"name": name}, parent=parent_id, skip_exists=True)
                group_id = await self._group_id(current)
                if group_id is None:  # pragma: no cover - Keycloak contract
                    msg = f"group {current} was not created"
                    raise ProvisioningError(msg)
            parent_id = group_id
        if parent_id is None:
            msg = f"empty group path: {path!r}"
            raise ProvisioningError(msg)
        return parent_id

    async def ensure_school_groups(self, code: str) -> None:
        await self._guard(self._ensure_all([f"/schools/{code}/{role}" for role in SCHOOL_ROLES]))

    async def ensure_municipality_groups(self, code: str) -> None:
        await self._guard(self._ensure_all([f"/municipalities/{code}/{Role.MUNICIPAL_OFFICER}"]))

    async def ensure_region_groups(self, code: str) -> None:
        await self._guard(self._ensure_all([f"/regions/{code}/{role}" for role in REGION_ROLES]))

    async def member_emails(self, path: str, limit: int = 50) -> list[str]:
        """E-mails of the accounts in a group (the region's methodists, to notify them)."""

        async def run() -> list[str]:
            group_id = await self._group_id(path)
            if group_id is None:
                return []
            members = await self.admin.a_get_group_members(group_id, {"max": limit})
            return [str(m["email"]) for m in members if m.get("email")]

        return await self._guard(run())

    async def _ensure_all(self, paths: list[str]) -> None:
        for path in paths:
            await self.ensure_group(path)

    async def invite(
        self,
        *,
        email: str,
        last_name: str,
        first_name: str,
        middle_name: str,
        group_path: str,
    ) -> InvitedAccount:
        """Create or find the account by e-mail and add it to the group."""

        async def run() -> InvitedAccount:
            users = await self.admin.a_get_users({"email": email, "exact": True})
            created = False
            if users:
                user_id = str(users[0]["id"])
            else:
                user_id = await self.admin.a_create_user(
                    {
                        "username": email,
                        "email": email,
                        "firstName": first_name,
                        "lastName": last_name,
                        "enabled": True,
                        "emailVerified": False,
                        "attributes": {"middleName": [middle_name]} if middle_name else {},
                        "requiredActions": ["UPDATE_PASSWORD", "VERIFY_EMAIL"],
                    },
                    exist_ok=True,
                )
                created = True
            group_id = await self.ensure_group(group_path)
            await self.admin.a_group_user_add(user_id, group_id)
            if created:
                try:
                    await self.admin.a_send_update_account(
                        user_id,
                        ["UPDATE_PASSWORD", "VERIFY_EMAIL"],
                        client_id=self.settings.keycloak_client_id,
                        redirect_uri=self.settings.base_url + "/",
                    )
                except KeycloakError as exc:
                    # The account exists and is in the group; the app's own invitation
                    # letter still goes out, so a mail problem at Keycloak is not fatal.
                    log.warning("keycloak_action_email_failed", error=str(exc))
            return InvitedAccount(keycloak_id=user_id, created=created)

        return await self._guard(run())

    async def _guard(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except KeycloakError as exc:
            log.exception("keycloak_provisioning_failed", error=str(exc))
            msg = "Сервис единого входа не ответил. Повторите попытку через минуту."
            raise ProvisioningError(msg) from exc
        except (OSError, httpx.HTTPError) as exc:
            log.exception("keycloak_unreachable", error=str(exc))
            msg = "Сервис единого входа недоступен. Повторите попытку через минуту."
            raise ProvisioningError(msg) from exc
