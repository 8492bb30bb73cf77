"""Document benchmark: the roadmap execution report for a 40-row roadmap, PDF and DOCX.

    uv run python -m bench.bench_documents            # 40 rows, 9 stages, 7 runs each
    uv run python -m bench.bench_documents --rows 200 --runs 3

Times the whole generation after the data is read: building the description
(`report_document`) and rendering it with ReportLab or python-docx. The data are
in-memory models shaped like a real school's (seed 000: long event names, results with
order numbers, a few attachments), so the figure is the CPU cost of a download; reading
the roadmap from PostgreSQL adds a handful of indexed queries. The first run registers
the fonts and is reported separately.

Target: under 1 s for the PDF and under 1 s for the DOCX of a 40-row report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import time
import uuid
from collections.abc import Callable

from pypdf import PdfReader

import nastavnik.models  # noqa: F401 — every mapper known before models are built
from nastavnik.platform import documents as d
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Role
from nastavnik.school.documents.builders import DocumentData, report_document
from nastavnik.school.programme.figures import Figures
from nastavnik.school.programme.models import Contingent, Programme, ProgrammeModel, ProgrammeStage
from nastavnik.school.programme.seed_templates import PUPILS
from nastavnik.school.roadmap.models import ItemStatus, RoadmapAttachment, RoadmapItem, RoadmapResponsible
from nastavnik.school.roadmap.services import RoadmapView, StageView
from nastavnik.tenants.models import School, SchoolKind, StaffMember

YEAR = AcademicYear(2025)
TODAY = dt.date(2026, 3, 15)
RESULT = (
    "Издан приказ от 23.09.2025 № 62-од «Об организации наставничества», ответственным за реализацию "
    "целевой модели наставничества назначена Крюкова Н. Е., методист. Информация размещена на сайте "
    "в разделе «Наставничество»."
)


def _staff(school: School) -> list[StaffMember]:
    people = [
        ("Соколова", "Елена", "Викторовна", "Директор", Role.DIRECTOR),
        ("Иванова", "Мария", "Петровна", "Заместитель директора по УВР", Role.CURATOR),
        ("Кузнецова", "Ольга", "Игоревна", "Педагог-психолог", Role.PSYCHOLOGIST),
    ]
    return [
        StaffMember(
            school_id=school.id,
            id=uuid.uuid4(),
            email=f"{last}@school.example",
            last_name=last,
            first_name=first,
            middle_name=middle,
            position=position,
            roles=[role],
        )
        for last, first, middle, position, role in people
    ]


def report_data(rows: int) -> DocumentData:
    school = School(
        id=uuid.uuid4(),
        code="bench",
        name="МБУ ДО ЦДТ",
        full_name=(
            "Муниципальное бюджетное учреждение дополнительного образования «Центр детского творчества»"
        ),
        kind=SchoolKind.ADDITIONAL,
        address="г. Озёрск, ул. Ленина, 40",
    )
    staff = _staff(school)
    programme = Programme(
        school_id=school.id,
        id=uuid.uuid4(),
        academic_year=YEAR.start,
        model=ProgrammeModel.PUPILS,
        title="Программа наставничества на 2025-2026 учебный год",
        origin="Шаблон",
        goals=PUPILS.goals,
        forms=["student_student", "teacher_teacher", "teacher_student"],
        approved_by_name="",
        approved_by_position="",
    )
    seeds = [(title, item) for title, items in PUPILS.stages for item in items]
    stages: dict[str, ProgrammeStage] = {}
    views: dict[str, list[RoadmapItem]] = {}
    for number in range(rows):
        title, seed = seeds[number % len(seeds)]
        if title not in stages:
            stages[title] = ProgrammeStage(
                school_id=school.id,
                id=uuid.uuid4(),
                programme_id=programme.id,
                position=len(stages) + 1,
                title=title,
            )
            views[title] = []
        stage = stages[title]
        item = RoadmapItem(
            school_id=school.id,
            id=uuid.uuid4(),
            programme_id=programme.id,
            stage_id=stage.id,
            position=len(views[title]) + 1,
            event=seed.event,
            deadline_text=seed.deadline,
            due_on=YEAR.starts + dt.timedelta(days=7 * number),
            responsible_note="",
            expected_result=seed.result,
            status=ItemStatus.DONE if number % 3 else ItemStatus.PLANNED,
            result_text=RESULT if number % 3 else "",
            completed_on=YEAR.starts + dt.timedelta(days=7 * number),
        )
        person = staff[number % len(staff)]
        link = RoadmapResponsible(school_id=school.id, item_id=item.id, staff_member_id=person.id, position=0)
        link.staff_member = person
        item.responsibles = [link]
        item.attachments = (
            [RoadmapAttachment(filename=f"Скан приказа {number}.pdf", content_type="application/pdf", size=1)]
            if number % 7 == 0
            else []
        )
        views[title].append(item)
    stage_views = [
        StageView(stage, number, views[title], TODAY)
        for number, (title, stage) in enumerate(stages.items(), start=1)
    ]
    items = [i for v in stage_views for i in v.items]
    view = RoadmapView(programme, stage_views, TODAY, 0, items)
    contingent = Contingent(
        school_id=school.id,
        academic_year=YEAR.start,
        pupils=520,
        pupils_10_19=400,
        teachers=45,
        young_teachers=5,
    )
    figures = Figures(
        YEAR,
        contingent,
        pupil_mentees=52,
        pupil_mentees_10_19=48,
        teacher_mentees=5,
        young_teacher_mentees=2,
        mentors=23,
        directions=[("Раскрытие потенциала наставляемого", 1), ("Мотивация и результаты", 14)],
    )
    return DocumentData(
        school=school,
        programme=programme,
        view=view,
        figures=figures,
        registrations={},
        director=staff[0],
        curator=staff[1],
        form_titles=["Ученик – ученик", "Учитель – учитель", "Учитель – ученик"],
        today=TODAY,
    )


def _time(make: Callable[[], bytes], runs: int) -> tuple[float, list[float], bytes]:
    started = time.perf_counter()
    content = make()
    first = time.perf_counter() - started
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        content = make()
        times.append(time.perf_counter() - started)
    return first, times, content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    data = report_data(args.rows)
    print(f"Отчёт об исполнении дорожной карты: {args.rows} мероприятий, {len(data.view.stages)} этапов")
    for name, render in (("PDF", d.render_pdf), ("DOCX", d.render_docx)):
        first, times, content = _time(lambda render=render: render(report_document(data)), args.runs)
        pages = f", страниц: {len(PdfReader(io.BytesIO(content)).pages)}" if name == "PDF" else ""
        print(
            f"  {name:4}: медиана {statistics.median(times) * 1000:6.0f} мс, "
            f"мин {min(times) * 1000:6.0f} мс, макс {max(times) * 1000:6.0f} мс "
            f"(первый запуск {first * 1000:.0f} мс), {len(content) / 1024:.0f} КБ{pages}"
        )


if __name__ == "__main__":
    main()
