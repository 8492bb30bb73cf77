"""Letters about the bank's moderation: to the region's methodists when a school sends an
item, to the author school (the address of whoever sent it) at each methodist's step."""

from __future__ import annotations

import structlog

from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.mail import send_mail
from nastavnik.platform.settings import Settings
from nastavnik.school.bank.models import BANK_EVENT_TITLES, BANK_ITEM_KIND_TITLES, BankEventAction, BankItem
from nastavnik.tenants.models import Region
from nastavnik.tenants.provisioning import KeycloakProvisioner, ProvisioningError

log = structlog.get_logger(__name__)


async def methodists_of(provisioner: KeycloakProvisioner | None, region: Region) -> list[str]:
    """The region's methodists, from their Keycloak group; none when sign-in is down."""
    if provisioner is None:
        return []
    try:
        return await provisioner.member_emails(f"/regions/{region.code}/{Role.IRO_METHODIST}")
    except ProvisioningError:
        log.warning("bank_methodists_unknown", region=region.code)
        return []


async def item_submitted(
    settings: Settings, provisioner: KeycloakProvisioner | None, region: Region, item: BankItem
) -> int:
    sent = 0
    kind = BANK_ITEM_KIND_TITLES[item.kind].lower()
    for address in await methodists_of(provisioner, region):
        sent += await send_mail(
            settings,
            to=address,
            subject=f"Банк практик: на модерации «{item.title}»",
            body=(
                f"{item.author_name} отправляет в банк программ и практик региона {kind} «{item.title}».\n\n"
                f"Откройте материал, чтобы одобрить его или вернуть на доработку:\n"
                f"{settings.base_url}/r/{region.code}/bank/{item.id}\n"
            ),
        )
    return sent


async def item_moderated(
    settings: Settings, item: BankItem, action: BankEventAction, comment: str, school_code: str | None
) -> bool:
    if not item.contact_email or item.author_school_id is None:
        return False
    link = (
        f"{settings.base_url}/s/{school_code}/publications/{item.id}/edit"
        if school_code
        else settings.base_url
    )
    if action is BankEventAction.APPROVED:
        link = f"{settings.base_url}/s/{school_code}/bank/{item.id}" if school_code else settings.base_url
    text = f"Материал «{item.title}»: {BANK_EVENT_TITLES[action].lower()}.\n\n"
    if comment:
        text += f"Комментарий методиста ИРО:\n{comment}\n\n"
    if action is BankEventAction.RETURNED:
        text += "Исправьте материал и отправьте его на модерацию снова.\n"
    return await send_mail(
        settings,
        to=item.contact_email,
        subject=f"Банк практик: {BANK_EVENT_TITLES[action].lower()} — «{item.title}»",
        body=f"{text}{link}\n",
    )
