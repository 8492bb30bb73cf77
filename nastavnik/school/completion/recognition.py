"""Recognition: the school's contests with nominations, and the incentives register.

A contest («Наставник года», «Лучшая пара "Наставник+"») has nominations; mentors (or
pairs) are put forward in each; the winner of a nomination is chosen by the jury's votes
(one vote per member per nomination, the most votes win, a tie is refused) or by the
curator's decision. Deciding writes a certificate to the register for every winner.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_school
from nastavnik.platform.ui.pagination import Window, page_of
from nastavnik.platform.web import Form
from nastavnik.school.completion.models import (
    CONTEST_KIND_TITLES,
    ContestKind,
    ContestNomination,
    ContestNominee,
    ContestVote,
    DecisionMode,
    Incentive,
    IncentiveKind,
    RecipientKind,
    SchoolContest,
)
from nastavnik.school.pairs.models import MemberRole, Mentorship, MentorshipMember
from nastavnik.school.participants.models import MentorProfile, Participant, PartnerOrganization
from nastavnik.tenants.models import School

CONTEST_FIELDS = ("kind", "title", "decision_mode", "held_on", "nominations")
NOMINEE_FIELDS = ("nomination_id", "candidate")
INCENTIVE_FIELDS = ("kind", "recipient", "person", "partner_id", "parent_name", "wording", "issued_on")
MAX_NOMINATIONS = 10


def _date(form: Form, name: str, year: AcademicYear, *, required: bool) -> dt.date | None:
    raw = form.value(name)
    if not raw:
        if required:
            form.error(name, "Укажите дату.")
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        form.error(name, "Дата пишется так: 25.05.2026.")
        return None
    if not year.contains(day):
        form.error(name, year.outside_message())
        return None
    return day


# --- contests ----------------------------------------------------------------------------


async def contests_of_year(db: AsyncSession, school: School, year: int) -> list[SchoolContest]:
    await set_school(db, school.id)
    query = (
        select(SchoolContest)
        .where(SchoolContest.school_id == school.id, SchoolContest.academic_year == year)
        .order_by(SchoolContest.created_at)
        .limit(50)
    )
    return list((await db.execute(query)).scalars())


async def create_contest(
    db: AsyncSession, school: School, year: AcademicYear, form: Form
) -> SchoolContest | None:
    try:
        kind = ContestKind(form.value("kind"))
    except ValueError:
        form.error("kind", "Выберите конкурс.")
        kind = ContestKind.MENTOR_OF_YEAR
    try:
        mode = DecisionMode(form.value("decision_mode"))
    except ValueError:
        form.error("decision_mode", "Выберите, как определяется победитель.")
        mode = DecisionMode.JURY
    title = form.value("title") or CONTEST_KIND_TITLES[kind]
    if len(title) > 300:
        form.error("title", "Название длиннее 300 знаков.")
    held_on = _date(form, "held_on", year, required=False)
    nominations = [line.strip() for line in form.value("nominations").splitlines() if line.strip()]
    if not nominations:
        form.error(
            "nominations", "Впишите номинации, по одной в строке: например, «Лучший наставник-педагог»."
        )
    elif len(nominations) > MAX_NOMINATIONS:
        form.error("nominations", f"Номинаций не больше {MAX_NOMINATIONS}.")
    elif any(len(n) > 300 for n in nominations):
        form.error("nominations", "Название номинации длиннее 300 знаков.")
    elif len(set(nominations)) != len(nominations):
        form.error("nominations", "Номинации повторяются — у каждой своё название.")
    if not form.ok:
        return None
    contest = SchoolContest(
        school_id=school.id,
        academic_year=year.start,
        kind=kind,
        title=title,
        decision_mode=mode,
        held_on=held_on,
    )
    db.add(contest)
    await db.flush()
    for position, name in enumerate(nominations):
        db.add(ContestNomination(school_id=school.id, contest_id=contest.id, title=name, position=position))
    await db.flush()
    return contest


async def get_contest(db: AsyncSession, school: School, contest_id: str) -> SchoolContest | None:
    try:
        key = uuid.UUID(contest_id)
    except ValueError:
        return None
    await set_school(db, school.id)
    return await db.get(SchoolContest, (school.id, key))


@dataclass
class NomineeLine:
    nominee: ContestNominee
    votes: int
    voted_by_me: bool


@dataclass
class NominationView:
    nomination: ContestNomination
    nominees: list[NomineeLine]
    my_vote: uuid.UUID | None


async def nominations_of(
    db: AsyncSession, contest: SchoolContest, voter_id: uuid.UUID
) -> list[NominationView]:
    """The contest's nominations with their nominees and vote counts (counted in SQL)."""
    nominations = list(
        (
            await db.execute(
                select(ContestNomination)
                .where(
                    ContestNomination.school_id == contest.school_id,
                    ContestNomination.contest_id == contest.id,
                )
                .order_by(ContestNomination.position)
            )
        ).scalars()
    )
    ids = [n.id for n in nominations]
    votes = func.count(ContestVote.id)
    mine = func.count(ContestVote.id).filter(ContestVote.voter_id == voter_id)
    rows = (
        await db.execute(
            select(ContestNominee, votes, mine)
            .outerjoin(
                ContestVote,
                and_(
                    ContestVote.school_id == ContestNominee.school_id,
                    ContestVote.nominee_id == ContestNominee.id,
                ),
            )
            .where(ContestNominee.school_id == contest.school_id, ContestNominee.nomination_id.in_(ids))
            .group_by(ContestNominee.school_id, ContestNominee.id)
            .order_by(ContestNominee.label)
        )
    ).all()
    by_nomination: dict[uuid.UUID, list[NomineeLine]] = {i: [] for i in ids}
    for nominee, count, my in rows:
        by_nomination[nominee.nomination_id].append(NomineeLine(nominee, int(count), bool(my)))
    return [
        NominationView(
            n, by_nomination[n.id], next((x.nominee.id for x in by_nomination[n.id] if x.voted_by_me), None)
        )
        for n in nominations
    ]


async def candidates(db: AsyncSession, school: School, contest: SchoolContest) -> list[tuple[str, str]]:
    """(value, label) of who may be put forward: the year's mentors, or its pairs for «Лучшая пара»."""
    if contest.kind is ContestKind.BEST_PAIR:
        pairs = await db.execute(
            select(Mentorship)
            .where(Mentorship.school_id == school.id, Mentorship.academic_year == contest.academic_year)
            .options(selectinload(Mentorship.members))
            .order_by(Mentorship.number)
            .limit(300)
        )
        return [(f"pair:{m.id}", f"{m.kind_title} № {m.number}: {m.title}") for m in pairs.unique().scalars()]
    rows = await db.execute(
        select(Participant)
        .join(
            MentorProfile,
            and_(
                MentorProfile.school_id == Participant.school_id,
                MentorProfile.participant_id == Participant.id,
            ),
        )
        .where(Participant.school_id == school.id, MentorProfile.academic_year == contest.academic_year)
        .order_by(Participant.last_name, Participant.first_name)
        .limit(300)
    )
    return [(f"person:{p.id}", p.full_name) for p in rows.scalars()]


async def add_nominee(
    db: AsyncSession, school: School, contest: SchoolContest, form: Form
) -> ContestNominee | None:
    if contest.decided_on is not None:
        form.error("__all__", "Итоги конкурса подведены: состав номинантов не меняется.")
        return None
    nomination = None
    with contextlib.suppress(ValueError):
        nomination = await db.get(ContestNomination, (school.id, uuid.UUID(form.value("nomination_id"))))
    if nomination is None or nomination.contest_id != contest.id:
        form.error("nomination_id", "Выберите номинацию.")
        return None
    labels = dict(await candidates(db, school, contest))
    value = form.value("candidate")
    if value not in labels:
        form.error("candidate", "Выберите номинанта из списка.")
        return None
    kind, raw = value.split(":", 1)
    participant_id: uuid.UUID
    mentorship_id: uuid.UUID | None = None
    if kind == "pair":
        mentorship_id = uuid.UUID(raw)
        mentor = await db.scalar(
            select(MentorshipMember.participant_id)
            .where(
                MentorshipMember.school_id == school.id,
                MentorshipMember.mentorship_id == mentorship_id,
                MentorshipMember.role == MemberRole.MENTOR,
            )
            .limit(1)
        )
        if mentor is None:
            form.error("candidate", "У этой пары нет наставника.")
            return None
        participant_id = mentor
    else:
        participant_id = uuid.UUID(raw)
    exists = await db.scalar(
        select(func.count())
        .select_from(ContestNominee)
        .where(
            ContestNominee.school_id == school.id,
            ContestNominee.nomination_id == nomination.id,
            ContestNominee.participant_id == participant_id,
            ContestNominee.mentorship_id.is_(None)
            if mentorship_id is None
            else ContestNominee.mentorship_id == mentorship_id,
        )
    )
    if exists:
        form.error("candidate", "Этот номинант уже выдвинут в номинации.")
        return None
    nominee = ContestNominee(
        school_id=school.id,
        nomination_id=nomination.id,
        participant_id=participant_id,
        mentorship_id=mentorship_id,
        label=labels[value][:400],
    )
    db.add(nominee)
    await db.flush()
    return nominee


async def vote(
    db: AsyncSession, school: School, contest: SchoolContest, form: Form, voter_id: uuid.UUID
) -> bool:
    """The voter's choice in a nomination; voting again replaces the earlier vote."""
    if contest.decision_mode is not DecisionMode.JURY:
        form.error("__all__", "В этом конкурсе победителя выбирает куратор, голосования нет.")
        return False
    if contest.decided_on is not None:
        form.error("__all__", "Итоги конкурса подведены: голосование закрыто.")
        return False
    nominee = None
    with contextlib.suppress(ValueError):
        nominee = await db.get(ContestNominee, (school.id, uuid.UUID(form.value("nominee_id"))))
    nomination = await db.get(ContestNomination, (school.id, nominee.nomination_id)) if nominee else None
    if nominee is None or nomination is None or nomination.contest_id != contest.id:
        form.error("nominee_id", "Выберите номинанта.")
        return False
    await db.execute(
        delete(ContestVote).where(
            ContestVote.school_id == school.id,
            ContestVote.nomination_id == nomination.id,
            ContestVote.voter_id == voter_id,
        )
    )
    db.add(
        ContestVote(
            school_id=school.id, nomination_id=nomination.id, nominee_id=nominee.id, voter_id=voter_id
        )
    )
    await db.flush()
    return True


async def decide(
    db: AsyncSession,
    school: School,
    contest: SchoolContest,
    form: Form,
    today: dt.date,
    *,
    chosen: dict[str, str],
) -> bool:
    """Name the winners (by votes, or the curator's `chosen` nominee per nomination) and
    write a certificate for each to the incentives register."""
    if contest.decided_on is not None:
        form.error("__all__", "Итоги конкурса уже подведены.")
        return False
    views = await nominations_of(db, contest, uuid.UUID(int=0))
    winners: list[ContestNominee] = []
    for view in views:
        if not view.nominees:
            form.error("__all__", f"В номинации «{view.nomination.title}» нет номинантов.")
            continue
        if contest.decision_mode is DecisionMode.JURY:
            best = max(line.votes for line in view.nominees)
            top = [line for line in view.nominees if line.votes == best]
            if best == 0:
                form.error("__all__", f"В номинации «{view.nomination.title}» ещё никто не голосовал.")
            elif len(top) > 1:
                form.error(
                    "__all__",
                    f"В номинации «{view.nomination.title}» голоса разделились поровну: "
                    "попросите жюри переголосовать.",
                )
            else:
                winners.append(top[0].nominee)
        else:
            picked = chosen.get(str(view.nomination.id), "")
            line = next((x for x in view.nominees if str(x.nominee.id) == picked), None)
            if line is None:
                form.error(f"winner_{view.nomination.id}", "Выберите победителя номинации.")
            else:
                winners.append(line.nominee)
    if not form.ok:
        return False
    names = {v.nomination.id: v.nomination.title for v in views}
    for nominee in winners:
        nominee.winner = True
        db.add(
            Incentive(
                school_id=school.id,
                academic_year=contest.academic_year,
                kind=IncentiveKind.CERTIFICATE,
                recipient=RecipientKind.PARTICIPANT,
                participant_id=nominee.participant_id,
                nominee_id=nominee.id,
                wording=(
                    f"за победу в конкурсе «{contest.title}» в номинации «{names[nominee.nomination_id]}»"
                ),
                issued_on=min(today, AcademicYear(contest.academic_year).ends),
            )
        )
    contest.decided_on = min(today, AcademicYear(contest.academic_year).ends)
    await db.flush()
    return True


# --- the incentives register ----------------------------------------------------------------


async def incentives_page(
    db: AsyncSession, school: School, year: int, page: int
) -> tuple[list[tuple[Incentive, str]], Window]:
    """The register of the year, person by person: each entry with its recipient's name."""
    await set_school(db, school.id)
    # A partner's row has no participant (and the reverse): the one that is there names it.
    name = func.coalesce(
        PartnerOrganization.name,
        func.concat_ws(
            " ", Participant.last_name, Participant.first_name, func.nullif(Participant.middle_name, "")
        ),
    )
    query = (
        select(Incentive, name.label("name"))
        .outerjoin(
            Participant,
            and_(Participant.school_id == Incentive.school_id, Participant.id == Incentive.participant_id),
        )
        .outerjoin(
            PartnerOrganization,
            and_(
                PartnerOrganization.school_id == Incentive.school_id,
                PartnerOrganization.id == Incentive.partner_id,
            ),
        )
        .where(Incentive.school_id == school.id, Incentive.academic_year == year)
        .order_by(name, Incentive.issued_on, Incentive.id)
    )
    rows, window = await page_of(db, query, page)
    return [(incentive, str(title or "")) for incentive, title in rows], window


async def incentive_counts(db: AsyncSession, school: School, year: int) -> dict[IncentiveKind, int]:
    rows = await db.execute(
        select(Incentive.kind, func.count())
        .where(Incentive.school_id == school.id, Incentive.academic_year == year)
        .group_by(Incentive.kind)
    )
    return {kind: int(n) for kind, n in rows.all()}


async def recipient_options(
    db: AsyncSession, school: School, year: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(people of the year's banks and pairs, partner organisations) for the register's form."""
    people = await db.execute(
        select(Participant.id, Participant.last_name, Participant.first_name, Participant.middle_name)
        .join(
            MentorshipMember,
            and_(
                MentorshipMember.school_id == Participant.school_id,
                MentorshipMember.participant_id == Participant.id,
            ),
        )
        .join(
            Mentorship,
            and_(
                Mentorship.school_id == MentorshipMember.school_id,
                Mentorship.id == MentorshipMember.mentorship_id,
            ),
        )
        .where(Participant.school_id == school.id, Mentorship.academic_year == year)
        .distinct()
        .order_by(Participant.last_name, Participant.first_name, Participant.middle_name, Participant.id)
        .limit(500)
    )
    partners = await db.execute(
        select(PartnerOrganization.id, PartnerOrganization.name)
        .where(PartnerOrganization.school_id == school.id)
        .order_by(PartnerOrganization.name)
        .limit(200)
    )
    return (
        [
            (str(i), " ".join(p for p in (last, first, middle) if p))
            for i, last, first, middle in people.all()
        ],
        [(str(i), n) for i, n in partners.all()],
    )


async def add_incentive(  # noqa: PLR0912 - one check per field, each with its own message
    db: AsyncSession, school: School, year: AcademicYear, form: Form
) -> Incentive | None:
    try:
        kind = IncentiveKind(form.value("kind"))
    except ValueError:
        form.error("kind", "Выберите вид поощрения.")
        return None
    try:
        recipient = RecipientKind(form.value("recipient"))
    except ValueError:
        form.error("recipient", "Выберите, кому.")
        return None
    issued_on = _date(form, "issued_on", year, required=True)
    people, partners = await recipient_options(db, school, year.start)
    participant_id: uuid.UUID | None = None
    partner_id: uuid.UUID | None = None
    parent_name = form.value("parent_name")
    if recipient is RecipientKind.PARTNER:
        if form.value("partner_id") not in dict(partners):
            form.error("partner_id", "Выберите организацию-партнёра.")
        else:
            partner_id = uuid.UUID(form.value("partner_id"))
    elif form.value("person") not in dict(people):
        form.error("person", "Выберите участника программы этого года.")
    else:
        participant_id = uuid.UUID(form.value("person"))
    if recipient is RecipientKind.PARENT:
        if len(parent_name.split()) < 2:
            form.error("parent_name", "Впишите фамилию, имя и отчество родителя: письмо обращается к нему.")
        elif participant_id is not None:
            person = await db.get(Participant, (school.id, participant_id))
            if person is None or person.kind.value != "pupil":
                form.error("person", "Письмо родителям пишут родителям наставников-обучающихся.")
    if recipient is RecipientKind.PARTNER and kind not in (IncentiveKind.GRATITUDE,):
        form.error("kind", "Организации-партнёру направляют благодарственное письмо.")
    if len(form.value("wording")) > 1000 or len(parent_name) > 300:
        form.error("wording", "Текст длиннее 1000 знаков — сократите его.")
    if not form.ok or issued_on is None:
        return None
    incentive = Incentive(
        school_id=school.id,
        academic_year=year.start,
        kind=kind,
        recipient=recipient,
        participant_id=participant_id,
        partner_id=partner_id,
        parent_name=parent_name if recipient is RecipientKind.PARENT else "",
        wording=form.value("wording"),
        issued_on=issued_on,
    )
    db.add(incentive)
    await db.flush()
    return incentive


async def get_incentive(db: AsyncSession, school: School, incentive_id: str) -> Incentive | None:
    try:
        key = uuid.UUID(incentive_id)
    except ValueError:
        return None
    await set_school(db, school.id)
    return await db.get(Incentive, (school.id, key))
