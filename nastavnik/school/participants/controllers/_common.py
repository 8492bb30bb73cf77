"""What the participants' controllers share: the year of the URL, the person of the URL as
each kind of page may see them, the audit record, and the person's card."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, SkipValidation
from litestar.response import Template

from nastavnik.platform import audit
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Permission, Role
from nastavnik.platform.web import DB, CurrentUser, Form, request_id_of
from nastavnik.school.participants import consents as consent_service
from nastavnik.school.participants import services as svc
from nastavnik.school.participants.models import (
    CONSENT_SCOPE_TITLES,
    CONSENT_SIGNER_TITLES,
    INTERVIEW_RESULT_TITLES,
    MENTEE_CATEGORY_TITLES,
    MENTEE_STATUS_TITLES,
    MENTOR_STATUS_TITLES,
    PARTICIPANT_KIND_TITLES,
    REQUEST_SOURCE_TITLES,
    TEACHER_CATEGORY_TITLES,
    ConsentScope,
    ConsentSigner,
    Participant,
    local_today,
)
from nastavnik.school.years import YEAR_COOKIE, school_year_choice
from nastavnik.tenants.dependencies import CurrentSchool, Page, SchoolScope
from nastavnik.tenants.models import School
from nastavnik.tenants.web import SchoolWorkspace

AnyRequest = Request[Any, Any, Any]

BANK_TITLES = {"mentees": "База наставляемых", "mentors": "База наставников"}
INVITE_ROLE_OPTIONS = [(Role.MENTOR.value, "Наставник"), (Role.MENTEE_TEACHER.value, "Наставляемый педагог")]


def year_of(request: AnyRequest) -> int:
    """The academic year of `?year=2024-2025`, the current one when absent or malformed."""
    parsed = AcademicYear.parse(str(request.query_params.get("year", "")))
    return parsed.start if parsed else AcademicYear.current(local_today()).start


def kind_options() -> list[tuple[str, str]]:
    return [(k.value, t) for k, t in PARTICIPANT_KIND_TITLES.items()]


async def person_or_404(db: DB, school: School, participant_id: str, *, full: bool = False) -> Participant:
    try:
        return await svc.get_participant(db, school, participant_id, full=full)
    except svc.NotFoundError as exc:
        raise NotFoundException from exc


async def person_form_context(db: DB, school: School) -> dict[str, Any]:
    """Choices of the person form (new and edit): partner organisations, teacher categories."""
    partners = await svc.list_partners(db, school)
    return {
        "partner_options": [(str(p.id), p.name) for p in partners],
        "category_options": [(c.value, t) for c, t in TEACHER_CATEGORY_TITLES.items()],
    }


# ---- the person of the URL, as a dependency -------------------------------------------


async def provide_person(db: DB, school: CurrentSchool, participant_id: FromPath[str]) -> Participant:
    """The school's person of the URL, anonymised or not (the managers' actions)."""
    return await person_or_404(db, school, participant_id)


async def provide_editable_person(
    db: DB, school: CurrentSchool, participant_id: FromPath[str]
) -> Participant:
    """The person of the URL whose data may still be edited: an anonymised person is 404."""
    person = await person_or_404(db, school, participant_id)
    if person.is_anonymised:
        raise NotFoundException
    return person


async def provide_visible_person(
    db: DB, user: CurrentUser, workspace: SchoolScope, school: CurrentSchool, participant_id: FromPath[str]
) -> Participant:
    """The card as this user may see it: managers all, psychologist consented, mentors own."""
    person = await person_or_404(db, school, participant_id, full=True)
    if workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW_UNCONSENTED):
        return person
    if workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW):
        if consent_service.current_consent(person) is None or person.is_anonymised:
            raise NotFoundException
        return person
    if workspace.can(Permission.SCHOOL_PARTICIPANTS_VIEW_OWN):
        own = await svc.participant_for_user(db, school, user.user.id)
        if own is not None and own.id == person.id:
            return person
    raise NotFoundException


PersonDep = NamedDependency[SkipValidation[Participant]]


# ---- audit and the card ---------------------------------------------------------------


async def audit_person(
    db: DB,
    request: AnyRequest,
    user: CurrentUser,
    school: School,
    action: str,
    *,
    obj: str,
    **details: Any,
) -> None:
    await audit.record(
        db,
        action=action,
        actor_id=user.user.id,
        school_id=school.id,
        object_type="participant",
        object_id=obj,
        request_id=request_id_of(request),
        details=details,
    )


def card_context(
    workspace: SchoolWorkspace,
    person: Participant,
    *,
    own_view: bool = False,
    consent_form: Form | None = None,
    invite_form: Form | None = None,
    interview_forms: dict[int, Form] | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """Everything `participants/card.html` shows, with the forms of its actions.

    `year` is the year of the picker: the card's «В базу …» buttons add the person to it.
    """
    today = local_today()
    year = year if year is not None else AcademicYear.current(today).start
    return {
        "person": person,
        "current_consent": consent_service.current_consent(person, today),
        "consent_states": {c.id: consent_service.consent_state(c, person, today) for c in person.consents},
        "today": today,
        "year": year,
        "years_title": AcademicYear,
        "kind_titles": PARTICIPANT_KIND_TITLES,
        "category_titles": MENTEE_CATEGORY_TITLES,
        "teacher_category_titles": TEACHER_CATEGORY_TITLES,
        "mentee_status_titles": MENTEE_STATUS_TITLES,
        "mentor_status_titles": MENTOR_STATUS_TITLES,
        "source_titles": REQUEST_SOURCE_TITLES,
        "interview_titles": INTERVIEW_RESULT_TITLES,
        "signer_titles": CONSENT_SIGNER_TITLES,
        "scope_titles": CONSENT_SCOPE_TITLES,
        "consent_form": consent_form
        or Form(
            data={
                "signer": ConsentSigner.PARENT.value if person.is_minor(today) else ConsentSigner.SELF.value,
                "signed_on": today.isoformat(),
                "scopes": [ConsentScope.PROGRAMME.value],
            }
        ),
        "signer_options": [(s.value, t) for s, t in CONSENT_SIGNER_TITLES.items()],
        "scope_options": [(s.value, t) for s, t in CONSENT_SCOPE_TITLES.items()],
        "invite_form": invite_form or Form(data={"role": Role.MENTOR.value}),
        "invite_role_options": INVITE_ROLE_OPTIONS,
        "interview_forms": interview_forms or {},
        "interview_options": [(r.value, t) for r, t in INTERVIEW_RESULT_TITLES.items()],
        "has_mentee_year": {p.academic_year for p in person.mentee_profiles},
        "has_mentor_year": {p.academic_year for p in person.mentor_profiles},
        "can_manage": workspace.can(Permission.SCHOOL_PARTICIPANTS_MANAGE),
        "can_interview": workspace.can(Permission.SCHOOL_PARTICIPANTS_INTERVIEW),
        "can_invite": workspace.can(Permission.SCHOOL_STAFF_INVITE)
        and workspace.can(Permission.SCHOOL_PARTICIPANTS_MANAGE),
        "own_view": own_view,
    }


async def card_again(
    db: DB, page: Page, workspace: SchoolWorkspace, school: School, person: Participant, **forms: Any
) -> Template:
    """The card once more (422) with a refused action's form and its messages."""
    # Reloaded in full: the action's person may have been loaded without consents and profiles.
    full = await person_or_404(db, school, str(person.id), full=True)
    chosen = await school_year_choice(db, school, remembered=page.request.cookies.get(YEAR_COOKIE))
    return await page(
        "participants/card.html", status_code=422, **card_context(workspace, full, year=chosen.start, **forms)
    )
