"""The order each school issues for an agreed inter-school pair (PDF/DOCX).

School A's order names its mentee and the mentor from school B; school B's order names
its mentor and the mentee of school A. Both print only the pair's agreed fields.
"""

from __future__ import annotations

import datetime as dt

from nastavnik.platform import documents as d
from nastavnik.school.directory.models import CrossSchoolPair
from nastavnik.tenants.models import School, StaffMember


def pair_order(
    pair: CrossSchoolPair,
    *,
    school: School,
    other: School,
    form_title: str,
    director: StaffMember | None,
    curator: StaffMember | None,
) -> d.Document:
    ours_is_mentee = school.id == pair.mentee_school_id
    date = pair.decided_at.date() if pair.decided_at else dt.date.today()  # noqa: DTZ011 - a document date
    doc = d.Document(
        title="ПРИКАЗ",
        subtitle="Об утверждении межшкольной наставнической пары",
        organisation=school.full_name,
        organisation_parent=school.municipality.name if school.municipality else None,
        registration=d.Registration(number=pair.order_number or None, date=date),
        registration_before_subtitle=True,
        author=school.name,
        subject="Об утверждении межшкольной наставнической пары",
    )
    directions = "; ".join(pair.direction_titles) or "по запросу наставляемого"
    if ours_is_mentee:
        agreed = (
            f"Утвердить наставническую пару по форме «{form_title}»: наставляемый — {pair.mentee_name}; "
            f"наставник — {pair.mentor_name}"
            + (f", {pair.mentor_position}" if pair.mentor_position else "")
            + f", {other.full_name} (по согласованию с организацией)."
        )
    else:
        agreed = (
            f"Закрепить наставника {pair.mentor_name}"
            + (f", {pair.mentor_position}," if pair.mentor_position else "")
            + f" за наставляемым {pair.mentee_name} ({other.full_name}) по форме «{form_title}»."
        )
    doc.add(
        d.Paragraph(
            "В соответствии с Положением о наставничестве и по согласованию между образовательными "
            f"организациями {school.name} и {other.name}, в целях межшкольного наставничества"
        ),
        d.Paragraph("ПРИКАЗЫВАЮ:", indent=False, bold=True),
        d.BulletList(
            [
                agreed,
                f"Направления работы пары: {directions}.",
                (
                    "Наставнику и наставляемому в течение месяца составить персонализированную программу "
                    "наставничества; встречи и обратную связь отмечать на платформе «Наставник»."
                ),
                "Передавать другой организации только согласованные сведения об участниках пары.",
                "Контроль за исполнением настоящего приказа "
                + (
                    "возложить на куратора программ наставничества "
                    f"{d.initials_surname(curator.full_name, d.Case.ACCUSATIVE)}."
                    if curator
                    else "оставляю за собой."
                ),
            ],
            numbered=True,
        ),
        d.SignatureBlock([d.Signer("Директор", d.initials_surname(director.full_name) if director else "")]),
    )
    return doc
