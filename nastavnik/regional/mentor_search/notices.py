"""Letters about an inter-school pair, at each step, to the parties who must act or know.

Each letter is sent from the scope of the school acting, with only what that scope may
read: school A reaches school B's curators through their Keycloak group (never B's
tables); B reaches its own mentor; both reach the person who asked (`requested_by`), an
account of the platform.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.auth.models import User
from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.mail import send_mail
from nastavnik.platform.settings import Settings
from nastavnik.school.directory.models import CrossSchoolPair, CrossSchoolPairStatus
from nastavnik.school.participants.models import MentorProfile
from nastavnik.tenants.models import School
from nastavnik.tenants.provisioning import KeycloakProvisioner, ProvisioningError

log = structlog.get_logger(__name__)


async def _curators(provisioner: KeycloakProvisioner | None, school: School) -> list[str]:
    if provisioner is None:
        return []
    try:
        return await provisioner.member_emails(f"/schools/{school.code}/{Role.CURATOR}")
    except ProvisioningError:
        log.warning("cross_pair_curators_unknown", school=school.code)
        return []


async def _user_email(db: AsyncSession, user_id: uuid.UUID | None) -> str:
    if user_id is None:
        return ""
    user = await db.get(User, user_id)
    return user.email or "" if user else ""


async def _mentor_email(db: AsyncSession, school: School, pair: CrossSchoolPair) -> str:
    """The mentor's address, read in school B's own scope."""
    profile = await db.scalar(
        select(MentorProfile)
        .where(MentorProfile.school_id == school.id, MentorProfile.id == pair.mentor_profile_id)
        .options(selectinload(MentorProfile.participant))
    )
    return (profile.participant.email or "") if profile is not None else ""


async def _send(settings: Settings, addresses: list[str], subject: str, body: str) -> int:
    sent = 0
    for address in dict.fromkeys(a for a in addresses if a):
        sent += await send_mail(settings, to=address, subject=subject, body=body)
    return sent


async def requested(
    settings: Settings,
    provisioner: KeycloakProvisioner | None,
    pair: CrossSchoolPair,
    mentee_school: School,
    mentor_school: School,
) -> int:
    """A's request reaches B's curators."""
    return await _send(
        settings,
        await _curators(provisioner, mentor_school),
        f"Запрос наставника из другой школы: {pair.mentor_name}",
        (
            f"{mentee_school.name} просит вашего наставника {pair.mentor_name} для наставляемого "
            f"{pair.mentee_name}.\n\nЗапрос: {pair.message}\n\n"
            "Примите или отклоните его; наставник тоже подтверждает запрос в своём кабинете:\n"
            f"{settings.base_url}/s/{mentor_school.code}/region/pairs/{pair.id}\n"
        ),
    )


async def answered(
    db: AsyncSession,
    settings: Settings,
    provisioner: KeycloakProvisioner | None,
    pair: CrossSchoolPair,
    mentor_school: School,
    mentee_school: School | None,
    *,
    by_mentor: bool,
) -> int:
    """A step of school B (curator or mentor): the requester, the mentor and B's curators learn it."""
    requester = await _user_email(db, pair.requested_by_id)
    mentor = await _mentor_email(db, mentor_school, pair)
    link_a = f"{settings.base_url}/s/{mentee_school.code}/region/pairs/{pair.id}" if mentee_school else ""
    if pair.status is CrossSchoolPairStatus.DECLINED:
        return await _send(
            settings,
            [requester],
            f"Запрос наставника отклонён: {pair.mentor_name}",
            f"{mentor_school.name}: запрос для {pair.mentee_name} отклонён.\n\n"
            f"{pair.decision_note}\n\n{link_a}\n",
        )
    if pair.status is CrossSchoolPairStatus.ACCEPTED:
        curators = await _curators(provisioner, mentor_school)
        return await _send(
            settings,
            [requester, mentor, *curators],
            f"Межшкольная пара согласована: {pair.mentee_name} — {pair.mentor_name}",
            (
                f"Куратор {mentor_school.name} и наставник {pair.mentor_name} приняли запрос. "
                f"Приказы обеих школ готовы (№ {pair.order_number}).\n\n{link_a}\n"
            ),
        )
    if by_mentor:
        curators = await _curators(provisioner, mentor_school)
        return await _send(
            settings,
            curators,
            f"Наставник принял запрос: {pair.mentor_name}",
            (
                f"{pair.mentor_name} согласен наставлять {pair.mentee_name}. "
                "Примите запрос, чтобы пара была согласована:\n"
                f"{settings.base_url}/s/{mentor_school.code}/region/pairs/{pair.id}\n"
            ),
        )
    sent = await _send(
        settings,
        [mentor],
        "Вас просят стать наставником в другой школе",
        (
            f"Куратор вашей школы принял запрос: наставляемый {pair.mentee_name}. "
            "Подтвердите или отклоните его в своём кабинете:\n"
            f"{settings.base_url}/s/{mentor_school.code}/my-cross-pairs/{pair.id}\n"
        ),
    )
    return sent + await _send(
        settings,
        [requester],
        f"Куратор {mentor_school.name} принял запрос",
        f"Ждём подтверждения наставника {pair.mentor_name}.\n\n{link_a}\n",
    )
