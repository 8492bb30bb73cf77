"""Roles (from Keycloak group paths) and the permissions derived from them, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    DIRECTOR = "director"
    CURATOR = "curator"
    PSYCHOLOGIST = "psychologist"
    MENTOR = "mentor"
    MENTEE_TEACHER = "mentee_teacher"
    MUNICIPAL_OFFICER = "municipal_officer"
    IRO_METHODIST = "iro_methodist"
    CNPPM_TUTOR = "cnppm_tutor"
    MINISTRY_VIEWER = "ministry_viewer"
    PLATFORM_ADMIN = "platform_admin"


ROLE_TITLES: dict[Role, str] = {
    Role.DIRECTOR: "Руководитель ОО",
    Role.CURATOR: "Куратор программ наставничества",
    Role.PSYCHOLOGIST: "Педагог-психолог",
    Role.MENTOR: "Наставник",
    Role.MENTEE_TEACHER: "Наставляемый педагог",
    Role.MUNICIPAL_OFFICER: "Специалист муниципального органа управления образованием",
    Role.IRO_METHODIST: "Методист ИРО",
    Role.CNPPM_TUTOR: "Тьютор ЦНППМ",
    Role.MINISTRY_VIEWER: "Сотрудник министерства",
    Role.PLATFORM_ADMIN: "Администратор платформы",
}

SCHOOL_ROLES = (
    Role.DIRECTOR,
    Role.CURATOR,
    Role.PSYCHOLOGIST,
    Role.MENTOR,
    Role.MENTEE_TEACHER,
)
REGION_ROLES = (Role.IRO_METHODIST, Role.CNPPM_TUTOR, Role.MINISTRY_VIEWER)

# Roles a school's staff can grant by invitation; the director is appointed by the region.
INVITABLE_ROLES = (Role.CURATOR, Role.PSYCHOLOGIST, Role.MENTOR, Role.MENTEE_TEACHER)


class Scope(StrEnum):
    SCHOOL = "school"
    MUNICIPALITY = "municipality"
    REGION = "region"
    PLATFORM = "platform"


class Permission(StrEnum):
    SCHOOL_WORKSPACE_VIEW = "school:workspace:view"
    SCHOOL_STAFF_VIEW = "school:staff:view"
    SCHOOL_STAFF_INVITE = "school:staff:invite"
    SCHOOL_PARTICIPANTS_VIEW = "school:participants:view"
    SCHOOL_PARTICIPANTS_VIEW_UNCONSENTED = "school:participants:view_unconsented"
    SCHOOL_PARTICIPANTS_VIEW_OWN = "school:participants:view_own"
    SCHOOL_PARTICIPANTS_MANAGE = "school:participants:manage"
    SCHOOL_PARTICIPANTS_INTERVIEW = "school:participants:interview"
    SCHOOL_PROGRAMME_VIEW = "school:programme:view"
    SCHOOL_PROGRAMME_MANAGE = "school:programme:manage"
    SCHOOL_ROADMAP_APPROVE = "school:roadmap:approve"
    SCHOOL_DOCUMENTS_MANAGE = "school:documents:manage"
    SCHOOL_MATCHING_VIEW = "school:matching:view"
    SCHOOL_MATCHING_MANAGE = "school:matching:manage"
    SCHOOL_MATCHING_MARK = "school:matching:mark"
    SCHOOL_PAIRS_VIEW = "school:pairs:view"
    SCHOOL_PAIRS_VIEW_OWN = "school:pairs:view_own"
    SCHOOL_PAIRS_MANAGE = "school:pairs:manage"
    SCHOOL_MEETINGS_VIEW = "school:meetings:view"
    SCHOOL_MEETINGS_LOG_OWN = "school:meetings:log_own"
    SCHOOL_MEETINGS_MANAGE = "school:meetings:manage"
    SCHOOL_QUESTIONNAIRES_MANAGE = "school:questionnaires:manage"
    SCHOOL_COMPLETION_VIEW = "school:completion:view"
    SCHOOL_COMPLETION_MANAGE = "school:completion:manage"
    SCHOOL_CONTEST_VOTE = "school:contest:vote"
    SCHOOL_ROUTES_MANAGE = "school:routes:manage"
    MUNICIPALITY_INDICATORS_VIEW = "municipality:indicators:view"
    REGION_INDICATORS_VIEW = "region:indicators:view"
    REGION_INDICATORS_TARGET = "region:indicators:target"
    REGION_PRACTICES_MODERATE = "region:practices:moderate"
    REGION_ROUTES_GUIDE = "region:routes:guide"
    REGION_ROUTES_ASSIGN = "region:routes:assign"
    REGION_TEMPLATES_MANAGE = "region:templates:manage"
    PLATFORM_TENANTS_MANAGE = "platform:tenants:manage"
    PLATFORM_TEMPLATES_MANAGE = "platform:templates:manage"


# Curator and director keep the banks; only they see people without a valid consent.
_PARTICIPANTS_MANAGERS = {
    Permission.SCHOOL_PARTICIPANTS_VIEW,
    Permission.SCHOOL_PARTICIPANTS_VIEW_UNCONSENTED,
    Permission.SCHOOL_PARTICIPANTS_MANAGE,
}

# The curator runs the programme and its roadmap; the director approves the roadmap; both
# produce and register the documents; the psychologist sees the roadmap.
_PROGRAMME_CURATOR = {
    Permission.SCHOOL_PROGRAMME_VIEW,
    Permission.SCHOOL_PROGRAMME_MANAGE,
    Permission.SCHOOL_DOCUMENTS_MANAGE,
    Permission.SCHOOL_QUESTIONNAIRES_MANAGE,
    Permission.SCHOOL_ROUTES_MANAGE,
}
_PROGRAMME_DIRECTOR = {
    Permission.SCHOOL_PROGRAMME_VIEW,
    Permission.SCHOOL_ROADMAP_APPROVE,
    Permission.SCHOOL_DOCUMENTS_MANAGE,
    Permission.SCHOOL_QUESTIONNAIRES_MANAGE,
    Permission.SCHOOL_ROUTES_MANAGE,
}

# Curator and director match, approve pairs and see every meeting; the psychologist sees the
# matching and marks incompatible pairs; mentors see their own pairs and log their meetings.
_PAIRS_MANAGERS = {
    Permission.SCHOOL_MATCHING_VIEW,
    Permission.SCHOOL_MATCHING_MANAGE,
    Permission.SCHOOL_MATCHING_MARK,
    Permission.SCHOOL_PAIRS_VIEW,
    Permission.SCHOOL_PAIRS_MANAGE,
    Permission.SCHOOL_MEETINGS_VIEW,
    Permission.SCHOOL_MEETINGS_MANAGE,
}
_PAIRS_PSYCHOLOGIST = {
    Permission.SCHOOL_MATCHING_VIEW,
    Permission.SCHOOL_MATCHING_MARK,
    Permission.SCHOOL_PAIRS_VIEW,
    Permission.SCHOOL_MEETINGS_VIEW,
}
_PAIRS_OWN = {Permission.SCHOOL_PAIRS_VIEW_OWN, Permission.SCHOOL_MEETINGS_LOG_OWN}

# Completing the year (issue 15): curator and director record results, cases, contests and
# incentives and publish the public page; the psychologist sees them and sits on the jury.
_COMPLETION_MANAGERS = {
    Permission.SCHOOL_COMPLETION_VIEW,
    Permission.SCHOOL_COMPLETION_MANAGE,
    Permission.SCHOOL_CONTEST_VOTE,
}
_COMPLETION_JURY = {Permission.SCHOOL_COMPLETION_VIEW, Permission.SCHOOL_CONTEST_VOTE}

_ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.DIRECTOR: frozenset(
        {Permission.SCHOOL_WORKSPACE_VIEW, Permission.SCHOOL_STAFF_VIEW, Permission.SCHOOL_STAFF_INVITE}
        | _PARTICIPANTS_MANAGERS
        | _PROGRAMME_DIRECTOR
        | _PAIRS_MANAGERS
        | _COMPLETION_MANAGERS
    ),
    Role.CURATOR: frozenset(
        {Permission.SCHOOL_WORKSPACE_VIEW, Permission.SCHOOL_STAFF_VIEW, Permission.SCHOOL_STAFF_INVITE}
        | _PARTICIPANTS_MANAGERS
        | _PROGRAMME_CURATOR
        | _PAIRS_MANAGERS
        | _COMPLETION_MANAGERS
    ),
    Role.PSYCHOLOGIST: frozenset(
        {Permission.SCHOOL_WORKSPACE_VIEW, Permission.SCHOOL_STAFF_VIEW}
        | {Permission.SCHOOL_PARTICIPANTS_VIEW, Permission.SCHOOL_PARTICIPANTS_INTERVIEW}
        | {Permission.SCHOOL_PROGRAMME_VIEW}
        | _PAIRS_PSYCHOLOGIST
        | _COMPLETION_JURY
    ),
    Role.MENTOR: frozenset(
        {Permission.SCHOOL_WORKSPACE_VIEW, Permission.SCHOOL_PARTICIPANTS_VIEW_OWN} | _PAIRS_OWN
    ),
    Role.MENTEE_TEACHER: frozenset(
        {Permission.SCHOOL_WORKSPACE_VIEW, Permission.SCHOOL_PARTICIPANTS_VIEW_OWN}
        | {Permission.SCHOOL_PAIRS_VIEW_OWN}
    ),
    Role.MUNICIPAL_OFFICER: frozenset({Permission.MUNICIPALITY_INDICATORS_VIEW}),
    Role.IRO_METHODIST: frozenset(
        {
            Permission.REGION_INDICATORS_VIEW,
            Permission.REGION_INDICATORS_TARGET,
            Permission.REGION_PRACTICES_MODERATE,
            Permission.REGION_TEMPLATES_MANAGE,
            Permission.REGION_ROUTES_ASSIGN,
        }
    ),
    Role.CNPPM_TUTOR: frozenset({Permission.REGION_INDICATORS_VIEW, Permission.REGION_ROUTES_GUIDE}),
    Role.MINISTRY_VIEWER: frozenset({Permission.REGION_INDICATORS_VIEW}),
    Role.PLATFORM_ADMIN: frozenset(
        {Permission.PLATFORM_TENANTS_MANAGE, Permission.PLATFORM_TEMPLATES_MANAGE}
    ),
}


def permissions_for(roles: set[Role] | frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= _ROLE_PERMISSIONS[role]
    return frozenset(granted)


@dataclass(frozen=True, order=True)
class Membership:
    """One Keycloak group membership: a role in a school, municipality, region or platform."""

    scope: Scope
    code: str
    role: Role

    @property
    def group_path(self) -> str:
        match self.scope:
            case Scope.SCHOOL:
                return f"/schools/{self.code}/{self.role}"
            case Scope.MUNICIPALITY:
                return f"/municipalities/{self.code}/{self.role}"
            case Scope.REGION:
                return f"/regions/{self.code}/{self.role}"
            case Scope.PLATFORM:
                return "/platform/admins"

    def to_json(self) -> list[str]:
        return [self.scope.value, self.code, self.role.value]

    @classmethod
    def from_json(cls, value: list[str]) -> Membership:
        return cls(Scope(value[0]), value[1], Role(value[2]))


def memberships_from_groups(groups: list[str]) -> list[Membership]:
    """Parse the `groups` claim (full paths); unknown paths are ignored, never trusted."""
    found: set[Membership] = set()
    for path in groups:
        parts = [p for p in path.split("/") if p]
        if parts == ["platform", "admins"]:
            found.add(Membership(Scope.PLATFORM, "platform", Role.PLATFORM_ADMIN))
            continue
        if len(parts) != 3:
            continue
        kind, code, role_name = parts
        try:
            role = Role(role_name)
        except ValueError:
            continue
        if kind == "schools" and role in SCHOOL_ROLES:
            found.add(Membership(Scope.SCHOOL, code, role))
        elif kind == "municipalities" and role is Role.MUNICIPAL_OFFICER:
            found.add(Membership(Scope.MUNICIPALITY, code, role))
        elif kind == "regions" and role in REGION_ROLES:
            found.add(Membership(Scope.REGION, code, role))
    return sorted(found)
