"""Participants of a school's programme: people, their yearly mentee and mentor profiles,
partner organisations, consents to personal-data processing and imports.

A person is recorded once per school (`Participant`) and takes part in programme years
through profiles: `MenteeProfile` (база наставляемых) and `MentorProfile` (база
наставников), one of each kind per academic year at most. History (profiles, pairs of
issue 5) keeps pointing at the person; deleting a person with history anonymises them.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    Column,
    Computed,
    Date,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    and_,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.platform.db import SCHOOL_OWNED, Base, SchoolOwned, TimestampMixin, metadata
from nastavnik.tenants.models import StaffMember
from nastavnik.tenants.reference import ReferenceItem


def local_today() -> dt.date:
    """Today in the server's time zone (set TZ to the region's zone in production)."""
    return dt.datetime.now(dt.UTC).astimezone().date()


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


# --- enumerations ---------------------------------------------------------------------


class ParticipantKind(enum.StrEnum):
    PUPIL = "pupil"
    TEACHER = "teacher"
    GRADUATE = "graduate"
    EMPLOYER_STAFF = "employer_staff"
    UNIVERSITY_STUDENT = "university_student"


PARTICIPANT_KIND_TITLES: dict[ParticipantKind, str] = {
    ParticipantKind.PUPIL: "Обучающийся",
    ParticipantKind.TEACHER: "Педагог",
    ParticipantKind.GRADUATE: "Выпускник",
    ParticipantKind.EMPLOYER_STAFF: "Сотрудник предприятия",
    ParticipantKind.UNIVERSITY_STUDENT: "Студент вуза / колледжа",
}


class TeacherCategory(enum.StrEnum):
    YOUNG_SPECIALIST = "young_specialist"
    NONE = "none"
    COMPLIANCE = "compliance"
    FIRST = "first"
    HIGHEST = "highest"
    METHODIST = "methodist"
    MENTOR = "mentor"


TEACHER_CATEGORY_TITLES: dict[TeacherCategory, str] = {
    TeacherCategory.YOUNG_SPECIALIST: "Молодой специалист",
    TeacherCategory.NONE: "Без категории",
    TeacherCategory.COMPLIANCE: "Соответствие занимаемой должности",
    TeacherCategory.FIRST: "Первая квалификационная категория",
    TeacherCategory.HIGHEST: "Высшая квалификационная категория",
    TeacherCategory.METHODIST: "Педагог-методист",
    TeacherCategory.MENTOR: "Педагог-наставник",
}


class PartnerKind(enum.StrEnum):
    EMPLOYER = "employer"
    UNIVERSITY = "university"
    COLLEGE = "college"
    OTHER = "other"


PARTNER_KIND_TITLES: dict[PartnerKind, str] = {
    PartnerKind.EMPLOYER: "Предприятие (работодатель)",
    PartnerKind.UNIVERSITY: "Вуз",
    PartnerKind.COLLEGE: "Колледж, техникум",
    PartnerKind.OTHER: "Другая организация",
}


class MenteeCategory(enum.StrEnum):
    PUPIL = "pupil"
    YOUNG_TEACHER = "young_teacher"
    NEW_TEACHER = "new_teacher"
    NEW_TECHNOLOGY = "new_technology"
    NO_PEDAGOGICAL_EDUCATION = "no_pedagogical_education"
    AFTER_ATTESTATION = "after_attestation"
    OTHER = "other"


MENTEE_CATEGORY_TITLES: dict[MenteeCategory, str] = {
    MenteeCategory.PUPIL: "Обучающийся",
    MenteeCategory.YOUNG_TEACHER: "Молодой педагог (первые 3 года работы)",
    MenteeCategory.NEW_TEACHER: "Педагог, новый в коллективе",
    MenteeCategory.NEW_TECHNOLOGY: "Педагог, осваивающий новую технологию",
    MenteeCategory.NO_PEDAGOGICAL_EDUCATION: "Педагог без педагогического образования",
    MenteeCategory.AFTER_ATTESTATION: "Педагог по итогам аттестации",
    MenteeCategory.OTHER: "Другое",
}


class RequestSource(enum.StrEnum):
    QUESTIONNAIRE = "questionnaire"
    CLASS_TEACHER = "class_teacher"
    PSYCHOLOGIST = "psychologist"
    SOCIAL_WORKER = "social_worker"
    PARENT = "parent"
    PERSONAL_FILE = "personal_file"
    METHODOLOGICAL_ANALYSIS = "methodological_analysis"
    ATTESTATION = "attestation"
    LESSON_VISITS = "lesson_visits"
    PROFESSIONAL_STANDARD = "professional_standard"


REQUEST_SOURCE_TITLES: dict[RequestSource, str] = {
    RequestSource.QUESTIONNAIRE: "Анкетирование",
    RequestSource.CLASS_TEACHER: "Классный руководитель",
    RequestSource.PSYCHOLOGIST: "Педагог-психолог",
    RequestSource.SOCIAL_WORKER: "Социальный педагог",
    RequestSource.PARENT: "Родители (законные представители)",
    RequestSource.PERSONAL_FILE: "Личное дело",
    RequestSource.METHODOLOGICAL_ANALYSIS: "Анализ методической работы",
    RequestSource.ATTESTATION: "Рекомендации аттестации",
    RequestSource.LESSON_VISITS: "Посещённые занятия",
    RequestSource.PROFESSIONAL_STANDARD: "Анкеты профстандарта",
}
PUPIL_REQUEST_SOURCES = (
    RequestSource.QUESTIONNAIRE,
    RequestSource.CLASS_TEACHER,
    RequestSource.PSYCHOLOGIST,
    RequestSource.SOCIAL_WORKER,
    RequestSource.PARENT,
)
TEACHER_REQUEST_SOURCES = (
    RequestSource.QUESTIONNAIRE,
    RequestSource.PERSONAL_FILE,
    RequestSource.METHODOLOGICAL_ANALYSIS,
    RequestSource.ATTESTATION,
    RequestSource.LESSON_VISITS,
    RequestSource.PROFESSIONAL_STANDARD,
)


class MenteeStatus(enum.StrEnum):
    ACTIVE = "active"  # in the bank, looking for or working with a mentor
    COMPLETED = "completed"  # finished the programme year successfully
    WITHDRAWN = "withdrawn"  # left the programme


MENTEE_STATUS_TITLES: dict[MenteeStatus, str] = {
    MenteeStatus.ACTIVE: "Участвует",
    MenteeStatus.COMPLETED: "Завершил(а) программу",
    MenteeStatus.WITHDRAWN: "Выбыл(а)",
}


class MentorStatus(enum.StrEnum):
    CANDIDATE = "candidate"  # potential mentor (stage 3)
    SELECTED = "selected"  # selected for the programme (stage 4)
    WITHDRAWN = "withdrawn"


MENTOR_STATUS_TITLES: dict[MentorStatus, str] = {
    MentorStatus.CANDIDATE: "Кандидат",
    MentorStatus.SELECTED: "Отобран(а)",
    MentorStatus.WITHDRAWN: "Не участвует",
}


class InterviewResult(enum.StrEnum):
    NOT_DONE = "not_done"
    RECOMMENDED = "recommended"
    NOT_RECOMMENDED = "not_recommended"


INTERVIEW_RESULT_TITLES: dict[InterviewResult, str] = {
    InterviewResult.NOT_DONE: "Собеседование не проведено",
    InterviewResult.RECOMMENDED: "Рекомендован(а)",
    InterviewResult.NOT_RECOMMENDED: "Не рекомендован(а)",
}


class ConsentSigner(enum.StrEnum):
    SELF = "self"
    PARENT = "parent"
    LEGAL_REPRESENTATIVE = "legal_representative"


CONSENT_SIGNER_TITLES: dict[ConsentSigner, str] = {
    ConsentSigner.SELF: "Сам(а) участник",
    ConsentSigner.PARENT: "Родитель",
    ConsentSigner.LEGAL_REPRESENTATIVE: "Законный представитель",
}


class ConsentScope(enum.StrEnum):
    PROGRAMME = "programme"  # processing for the mentoring programme: required to take part
    REGIONAL_BANK = "regional_bank"  # the mentor profile may be shown to other schools
    PUBLICATION = "publication"  # photos and achievements on the school's site
    INTER_SCHOOL = "inter_school"  # the mentee's data may go to a mentor's school (inter-school pair)


CONSENT_SCOPE_TITLES: dict[ConsentScope, str] = {
    ConsentScope.PROGRAMME: "Обработка персональных данных для участия в программе наставничества",
    ConsentScope.REGIONAL_BANK: "Передача сведений о наставнике в региональную базу наставников",
    ConsentScope.PUBLICATION: "Публикация фото- и видеоматериалов и сведений о достижениях",
    ConsentScope.INTER_SCHOOL: "Передача сведений о наставляемом в другую образовательную организацию "
    "для межшкольной наставнической пары",
}


class ImportTarget(enum.StrEnum):
    PUPILS = "pupils"
    STAFF = "staff"


class ImportBank(enum.StrEnum):
    NONE = "none"
    MENTEES = "mentees"
    MENTORS = "mentors"


class ImportStatus(enum.StrEnum):
    UPLOADED = "uploaded"  # columns to map
    VALIDATING = "validating"
    VALIDATED = "validated"  # errors listed (or none): ready to apply when clean
    APPLYING = "applying"
    APPLIED = "applied"
    FAILED = "failed"


# --- partner organisations -------------------------------------------------------------


class PartnerOrganization(SchoolOwned, TimestampMixin, Base):
    """An employer, university or college working with the school under an agreement."""

    __tablename__ = "partner_organization"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        {"info": {SCHOOL_OWNED: True}},
    )

    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[PartnerKind] = mapped_column(_enum(PartnerKind, "partner_kind"))
    inn: Mapped[str | None] = mapped_column(String(12))
    agreement_number: Mapped[str] = mapped_column(String(60), default="")
    agreement_date: Mapped[dt.date | None] = mapped_column(Date)
    agreement_valid_until: Mapped[dt.date | None] = mapped_column(Date)
    contact: Mapped[str] = mapped_column(String(300), default="")

    def agreement_in_force(self, day: dt.date) -> bool:
        if self.agreement_date is None or self.agreement_date > day:
            return False
        return self.agreement_valid_until is None or self.agreement_valid_until >= day


# --- people ---------------------------------------------------------------------------


class Participant(SchoolOwned, TimestampMixin, Base):
    """A person taking part in the school's programme, recorded once per school."""

    __tablename__ = "participant"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        ForeignKeyConstraint(
            ["school_id", "partner_organization_id"],
            ["partner_organization.school_id", "partner_organization.id"],
        ),
        ForeignKeyConstraint(["school_id", "staff_member_id"], ["staff_member.school_id", "staff_member.id"]),
        UniqueConstraint("school_id", "import_key"),
        Index("ix_participant_school_id_kind", "school_id", "kind"),
        Index(
            "ix_participant_search_name_trgm",
            "search_name",
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        ),
        Index("ix_participant_school_id_partner_organization_id", "school_id", "partner_organization_id"),
        Index("ix_participant_school_id_staff_member_id", "school_id", "staff_member_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    kind: Mapped[ParticipantKind] = mapped_column(_enum(ParticipantKind, "participant_kind"))
    last_name: Mapped[str] = mapped_column(String(120))
    first_name: Mapped[str] = mapped_column(String(120))
    middle_name: Mapped[str] = mapped_column(String(120), default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    # Pupils: grade 1-11 and the class letter («7 «Б»»).
    grade: Mapped[int | None]
    class_letter: Mapped[str] = mapped_column(String(8), default="")
    # Teachers (and staff of partners): subjects, experience in years, category, position.
    subjects: Mapped[list[str]] = mapped_column(ARRAY(String(120)), default=list)
    experience_years: Mapped[int | None]
    teacher_category: Mapped[TeacherCategory | None] = mapped_column(
        _enum(TeacherCategory, "teacher_category")
    )
    position: Mapped[str] = mapped_column(String(200), default="")
    graduation_year: Mapped[int | None]
    partner_organization_id: Mapped[uuid.UUID | None]
    # A teacher who signs in is found through StaffMember.user_id.
    staff_member_id: Mapped[uuid.UUID | None]
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # A pupil's parent as the school's list names them: the signer offered for a minor's consent.
    parent_name: Mapped[str] = mapped_column(String(300), default="", server_default="")
    parent_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # De-duplication key of imports: "ext:<id in the school system>" or "fio:<name>|<birth>".
    import_key: Mapped[str | None] = mapped_column(String(300))
    anonymised_at: Mapped[dt.datetime | None]
    # Lower-cased full name with ё as е, for typo-tolerant search (pg_trgm index above).
    search_name: Mapped[str] = mapped_column(
        Text,
        Computed(
            "translate(lower(last_name || ' ' || first_name || ' ' || middle_name), 'ё', 'е')", persisted=True
        ),
    )

    partner_organization: Mapped[PartnerOrganization | None] = relationship(
        primaryjoin=lambda: and_(
            Participant.school_id == PartnerOrganization.school_id,
            Participant.partner_organization_id == PartnerOrganization.id,
        ),
        foreign_keys=lambda: [Participant.partner_organization_id],
        lazy="raise",
    )
    staff_member: Mapped[StaffMember | None] = relationship(
        primaryjoin=lambda: and_(
            Participant.school_id == StaffMember.school_id,
            Participant.staff_member_id == StaffMember.id,
        ),
        foreign_keys=lambda: [Participant.staff_member_id],
        lazy="raise",
    )
    mentee_profiles: Mapped[list[MenteeProfile]] = relationship(
        back_populates="participant",
        order_by="MenteeProfile.academic_year.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )
    mentor_profiles: Mapped[list[MentorProfile]] = relationship(
        back_populates="participant",
        order_by="MentorProfile.academic_year.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="participant",
        order_by="Consent.signed_on.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip()

    @property
    def class_title(self) -> str:
        """«7 «Б»» for a pupil, "" otherwise."""
        if self.grade is None:
            return ""
        return f"{self.grade} «{self.class_letter}»" if self.class_letter else str(self.grade)

    @property
    def kind_title(self) -> str:
        return PARTICIPANT_KIND_TITLES[self.kind]

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def age(self, on: dt.date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        day = on or local_today()
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def is_minor(self, on: dt.date | None = None) -> bool:
        """Under 18; a pupil whose birth date is unknown is treated as a minor."""
        age = self.age(on)
        if age is None:
            return self.kind is ParticipantKind.PUPIL
        return age < 18


# Requests and offers as reference items (directions, request areas, competency areas).
def _profile_reference_table(name: str, profile_table: str) -> Table:
    profile_column = f"{profile_table}_id"
    return Table(
        name,
        metadata,
        Column("school_id", Uuid(), nullable=False),
        Column(profile_column, Uuid(), nullable=False),
        Column("reference_item_id", Uuid(), ForeignKey("reference_item.id"), nullable=False, index=True),
        PrimaryKeyConstraint("school_id", profile_column, "reference_item_id"),
        ForeignKeyConstraint(
            ["school_id", profile_column],
            [f"{profile_table}.school_id", f"{profile_table}.id"],
            ondelete="CASCADE",
        ),
        info={SCHOOL_OWNED: True},
    )


mentee_direction = _profile_reference_table("mentee_direction", "mentee_profile")
mentee_request_area = _profile_reference_table("mentee_request_area", "mentee_profile")
mentor_direction = _profile_reference_table("mentor_direction", "mentor_profile")
mentor_competency = _profile_reference_table("mentor_competency", "mentor_profile")


def _reference_relationship(table: Table, profile: str) -> Any:
    column = f"{profile}_id"
    return relationship(
        ReferenceItem,
        secondary=table,
        primaryjoin=lambda: and_(
            _profile_class(profile).school_id == table.c.school_id,
            _profile_class(profile).id == table.c[column],
        ),
        secondaryjoin=lambda: ReferenceItem.id == table.c.reference_item_id,
        order_by=lambda: (ReferenceItem.sort_order, ReferenceItem.title),
        lazy="raise",
    )


def _profile_class(profile: str) -> Any:
    return {"mentee_profile": MenteeProfile, "mentor_profile": MentorProfile}[profile]


class MenteeProfile(SchoolOwned, TimestampMixin, Base):
    """A participant in the mentee bank for one programme year, with their requests."""

    __tablename__ = "mentee_profile"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("school_id", "participant_id", "academic_year"),
        Index("ix_mentee_profile_school_id_academic_year", "school_id", "academic_year"),
        {"info": {SCHOOL_OWNED: True}},
    )

    participant_id: Mapped[uuid.UUID]
    academic_year: Mapped[int]  # start year: 2025 is «2025-2026»
    category: Mapped[MenteeCategory] = mapped_column(_enum(MenteeCategory, "mentee_category"))
    request_text: Mapped[str] = mapped_column(Text, default="")
    request_sources: Mapped[list[RequestSource]] = mapped_column(
        ARRAY(_enum(RequestSource, "request_source")), default=list
    )
    status: Mapped[MenteeStatus] = mapped_column(
        _enum(MenteeStatus, "mentee_status"), default=MenteeStatus.ACTIVE
    )

    participant: Mapped[Participant] = relationship(back_populates="mentee_profiles", lazy="raise")
    directions: Mapped[list[ReferenceItem]] = _reference_relationship(mentee_direction, "mentee_profile")
    request_areas: Mapped[list[ReferenceItem]] = _reference_relationship(
        mentee_request_area, "mentee_profile"
    )


class MentorProfile(SchoolOwned, TimestampMixin, Base):
    """A participant in the mentor bank for one programme year."""

    __tablename__ = "mentor_profile"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["school_id", "interviewed_by_id"], ["staff_member.school_id", "staff_member.id"]
        ),
        UniqueConstraint("school_id", "participant_id", "academic_year"),
        Index("ix_mentor_profile_school_id_academic_year", "school_id", "academic_year"),
        Index("ix_mentor_profile_school_id_interviewed_by_id", "school_id", "interviewed_by_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    participant_id: Mapped[uuid.UUID]
    academic_year: Mapped[int]
    capacity: Mapped[int] = mapped_column(default=1)  # how many mentees at once
    subjects: Mapped[list[str]] = mapped_column(ARRAY(String(120)), default=list)
    competencies_text: Mapped[str] = mapped_column(Text, default="")
    confirmed_results: Mapped[str] = mapped_column(Text, default="")
    interview_result: Mapped[InterviewResult] = mapped_column(
        _enum(InterviewResult, "interview_result"), default=InterviewResult.NOT_DONE
    )
    interview_date: Mapped[dt.date | None] = mapped_column(Date)
    interview_note: Mapped[str] = mapped_column(Text, default="")
    interviewed_by_id: Mapped[uuid.UUID | None]
    # Agrees to be found by other schools (cross-school search, regional layer).
    cross_school_search: Mapped[bool] = mapped_column(default=False)
    status: Mapped[MentorStatus] = mapped_column(
        _enum(MentorStatus, "mentor_status"), default=MentorStatus.CANDIDATE
    )

    participant: Mapped[Participant] = relationship(back_populates="mentor_profiles", lazy="raise")
    directions: Mapped[list[ReferenceItem]] = _reference_relationship(mentor_direction, "mentor_profile")
    competencies: Mapped[list[ReferenceItem]] = _reference_relationship(mentor_competency, "mentor_profile")
    trainings: Mapped[list[MentorTraining]] = relationship(
        back_populates="mentor_profile",
        order_by="MentorTraining.completed_on.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )
    interviewed_by: Mapped[StaffMember | None] = relationship(
        primaryjoin=lambda: and_(
            MentorProfile.school_id == StaffMember.school_id,
            MentorProfile.interviewed_by_id == StaffMember.id,
        ),
        foreign_keys=lambda: [MentorProfile.interviewed_by_id],
        lazy="raise",
    )


class MentorTraining(SchoolOwned, TimestampMixin, Base):
    """Training a mentor completed (курсы повышения квалификации, школа наставников)."""

    __tablename__ = "mentor_training"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "mentor_profile_id"],
            ["mentor_profile.school_id", "mentor_profile.id"],
            ondelete="CASCADE",
        ),
        Index("ix_mentor_training_school_id_mentor_profile_id", "school_id", "mentor_profile_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    mentor_profile_id: Mapped[uuid.UUID]
    completed_on: Mapped[dt.date] = mapped_column(Date)
    course: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300), default="")
    hours: Mapped[int | None]

    mentor_profile: Mapped[MentorProfile] = relationship(back_populates="trainings", lazy="raise")


# --- consents -------------------------------------------------------------------------


class ConsentBatchScan(SchoolOwned, TimestampMixin, Base):
    """One scanned stack of signed forms, recorded through the consents grid: kept once, named
    by every consent of the stack (`Consent.batch_scan_id`)."""

    __tablename__ = "consent_batch_scan"

    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)


class Consent(SchoolOwned, TimestampMixin, Base):
    """A signed consent to personal-data processing (152-ФЗ).

    Adults sign their own; for a minor, a parent or legal representative signs. A consent
    is valid from `signed_on`, until `valid_until` (if set) and until it is withdrawn.
    """

    __tablename__ = "consent"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "participant_id"],
            ["participant.school_id", "participant.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["school_id", "batch_scan_id"], ["consent_batch_scan.school_id", "consent_batch_scan.id"]
        ),
        Index("ix_consent_school_id_participant_id", "school_id", "participant_id"),
        Index("ix_consent_school_id_batch_scan_id", "school_id", "batch_scan_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    participant_id: Mapped[uuid.UUID]
    signer: Mapped[ConsentSigner] = mapped_column(_enum(ConsentSigner, "consent_signer"))
    signer_name: Mapped[str] = mapped_column(String(300))
    signed_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    scopes: Mapped[list[ConsentScope]] = mapped_column(ARRAY(_enum(ConsentScope, "consent_scope")))
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawal_note: Mapped[str] = mapped_column(Text, default="")
    scan_filename: Mapped[str] = mapped_column(String(255), default="")
    scan_content_type: Mapped[str] = mapped_column(String(100), default="")
    scan_size: Mapped[int] = mapped_column(default=0)
    # The scanned stack this consent came in (its file name and size are copied above).
    batch_scan_id: Mapped[uuid.UUID | None]

    participant: Mapped[Participant] = relationship(back_populates="consents", lazy="raise")

    @property
    def has_scan(self) -> bool:
        return self.scan_size > 0

    @property
    def signer_title(self) -> str:
        return CONSENT_SIGNER_TITLES[self.signer]

    def in_force(self, day: dt.date) -> bool:
        if self.withdrawn_at is not None or self.signed_on > day:
            return False
        return self.valid_until is None or self.valid_until >= day


class ConsentScan(SchoolOwned, Base):
    """The scanned signed paper, kept in the database behind row-level security."""

    __tablename__ = "consent_scan"
    __table_args__ = (
        ForeignKeyConstraint(
            ["school_id", "consent_id"], ["consent.school_id", "consent.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("school_id", "consent_id"),
        {"info": {SCHOOL_OWNED: True}},
    )

    consent_id: Mapped[uuid.UUID]
    content: Mapped[bytes] = mapped_column(LargeBinary)


# --- imports --------------------------------------------------------------------------


class ParticipantImport(SchoolOwned, TimestampMixin, Base):
    """One uploaded file of pupils or staff on its way into the bank.

    The file stays here (behind row-level security) until it is applied, so that the
    mapping, row corrections and the background job all read the same bytes.
    """

    __tablename__ = "participant_import"
    __table_args__ = (
        ForeignKeyConstraint(["school_id"], ["school.id"]),
        {"info": {SCHOOL_OWNED: True}},
    )

    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    target: Mapped[ImportTarget] = mapped_column(_enum(ImportTarget, "import_target"))
    bank: Mapped[ImportBank] = mapped_column(_enum(ImportBank, "import_bank"), default=ImportBank.NONE)
    academic_year: Mapped[int]
    status: Mapped[ImportStatus] = mapped_column(
        _enum(ImportStatus, "import_status"), default=ImportStatus.UPLOADED
    )
    headers: Mapped[list[str]] = mapped_column(JSONB, default=list)
    # Column index (as a string) → field name; unmapped columns are left out.
    mapping: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    # Line number (as a string) → field → corrected value, typed in by the curator.
    corrections: Mapped[dict[str, dict[str, str]]] = mapped_column(JSONB, default=dict)
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # Counts of the validation or of the apply: {"create": n, "update": n, "same": n}.
    summary: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    failure: Mapped[str] = mapped_column(Text, default="")
    applied_at: Mapped[dt.datetime | None]
