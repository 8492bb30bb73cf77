"""Ages, minors, names and the consent rule on plain objects."""

from __future__ import annotations

import datetime as dt

from nastavnik.school.participants.consent_rules import consent_is_valid
from nastavnik.school.participants.consents import consent_state
from nastavnik.school.participants.models import (
    Consent,
    ConsentScope,
    ConsentSigner,
    Participant,
    ParticipantKind,
    PartnerKind,
    PartnerOrganization,
)
from nastavnik.school.participants.search import BankFilters

DAY = dt.date(2025, 10, 1)


def pupil(birth: dt.date | None) -> Participant:
    return Participant(
        kind=ParticipantKind.PUPIL,
        last_name="Иванова",
        first_name="Мария",
        middle_name="Петровна",
        birth_date=birth,
        grade=7,
        class_letter="Б",
    )


def test_age_and_minority_count_birthdays_exactly() -> None:
    person = pupil(dt.date(2007, 10, 2))
    assert person.age(DAY) == 17
    assert person.is_minor(DAY)
    assert not person.is_minor(dt.date(2025, 10, 2))
    assert pupil(None).is_minor(DAY)
    teacher = Participant(
        kind=ParticipantKind.TEACHER, last_name="А", first_name="Б", middle_name="", birth_date=None
    )
    assert not teacher.is_minor(DAY)


def test_names_and_classes_are_written_as_in_documents() -> None:
    person = pupil(None)
    assert person.full_name == "Иванова Мария Петровна"
    assert person.short_name == "Иванова М.П."
    assert person.class_title == "7 «Б»"


def test_a_minors_own_signature_is_not_a_valid_consent() -> None:
    person = pupil(dt.date(2010, 1, 1))
    own = Consent(signer=ConsentSigner.SELF, signer_name="x", signed_on=DAY, scopes=[ConsentScope.PROGRAMME])
    parent = Consent(
        signer=ConsentSigner.PARENT, signer_name="x", signed_on=DAY, scopes=[ConsentScope.PROGRAMME]
    )
    assert not consent_is_valid(own, person, DAY)
    assert consent_is_valid(parent, person, DAY)
    assert consent_state(own, person, DAY) == ("Недействительно: подписал несовершеннолетний", "danger")
    assert consent_state(parent, person, DAY) == ("Действует", "success")
    parent.withdrawn_at = dt.datetime(2025, 10, 5, 12, tzinfo=dt.UTC)
    assert not consent_is_valid(parent, person, DAY)
    assert consent_state(parent, person, DAY)[0].startswith("Отозвано 05.10.2025")


def test_partner_agreement_in_force() -> None:
    partner = PartnerOrganization(
        name="Завод",
        kind=PartnerKind.EMPLOYER,
        agreement_date=dt.date(2025, 9, 1),
        agreement_valid_until=dt.date(2026, 8, 31),
    )
    assert partner.agreement_in_force(DAY)
    assert not partner.agreement_in_force(dt.date(2026, 9, 1))
    assert not PartnerOrganization(name="Без договора", kind=PartnerKind.OTHER).agreement_in_force(DAY)


def test_bank_filters_are_read_from_the_query_and_written_back() -> None:
    filters = BankFilters.from_query(
        {
            "year": "2024-2025",
            "q": "  Иванова ",
            "grade": "7",
            "class_letter": "б",
            "consent": "missing",
            "free": "1",
            "page": "3",
        },
        2025,
    )
    assert (
        filters.year,
        filters.q,
        filters.grade,
        filters.class_letter,
        filters.consent,
        filters.free_only,
        filters.page,
    ) == (2024, "Иванова", 7, "Б", "missing", True, 3)
    assert "year=2024-2025" in filters.query_string()
    assert "page=4" in filters.query_string(page=4)
    odd = BankFilters.from_query(
        {"year": "вчера", "grade": "99", "consent": "drop table", "page": "-1"}, 2025
    )
    assert (odd.year, odd.grade, odd.consent, odd.page) == (2025, None, "", 1)
    assert not BankFilters(year=2025).active
