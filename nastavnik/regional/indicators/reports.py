"""The regional report for the ministry: the same figures as the pages, as PDF, DOCX and XLSX.

Built by a background job from the rollups only (the region's scope), with its progress
stored on the report row so that the page can show a bar.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform import jobs
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.db import set_region, utcnow
from nastavnik.platform.documents.model import Column, Document, Heading, Paragraph, Table
from nastavnik.platform.documents.pdf import render_pdf
from nastavnik.platform.documents.text import format_date
from nastavnik.platform.documents.word import render_docx
from nastavnik.platform.documents.xlsx import render_xlsx
from nastavnik.regional.indicators import services as svc
from nastavnik.regional.indicators.models import Dimension, RegionalReport, ReportStatus
from nastavnik.regional.indicators.views import refreshed_label
from nastavnik.tenants.models import Region

TASK_NAME = "regional.build_report"
NO_DATA = "нет данных"
# The lists of lagging schools and of all schools in the spreadsheet are bounded.
LAGGING_LIMIT = 500
SCHOOLS_LIMIT = 5000


def people(count: int | None) -> str:
    if count is None:
        return NO_DATA
    return "< 5" if 0 < count < svc.SMALL_CELL else str(count)


def pct(value: int | None) -> str:
    return NO_DATA if value is None else f"{value} %"


def school_pct(part: int, value: int | None) -> str:
    return "< 5 чел." if 0 < part < svc.SMALL_CELL else pct(value)


def _indicators(figures: svc.Figures, monitoring: svc.Monitoring, target: int | None) -> Table:
    d = svc.DEFINITIONS
    rows: list[Sequence[str]] = [
        (d["coverage_pupils"][0], pct(figures.coverage_pupils), d["coverage_pupils"][1]),
        (d["coverage_teachers"][0], pct(figures.coverage_teachers), d["coverage_teachers"][1]),
        ("Ориентир", f"{svc.FEDERAL_TARGET} % (федеральный); цель региона: {pct(target)}", ""),
        (d["surveyed"][0], pct(monitoring.surveyed), d["surveyed"][1]),
        ("Наставники", people(figures.mentors), d["mentors_mentees"][1]),
        ("Наставляемые", people(figures.mentees), ""),
        ("Пары / группы", f"{figures.pairs} / {figures.groups}", d["pairs"][1]),
        (
            d["roadmap"][0],
            f"{pct(figures.roadmap_percent)}; просрочено: {figures.roadmap_overdue}",
            d["roadmap"][1],
        ),
        (
            d["no_programme"][0],
            (
                f"без утверждённой программы: {figures.schools_without_programme}; "
                f"без пар: {figures.schools_without_pairs} (из {figures.schools})"
            ),
            d["no_programme"][1],
        ),
        ("Встречи / «тихие» пары", f"{figures.meetings} / {figures.quiet_pairs}", d["meetings"][1]),
        ("Регулярность обратной связи", pct(monitoring.feedback_regularity), d["monitoring"][1]),
        ("Удовлетворённость участников", pct(monitoring.satisfaction), ""),
        ("Изменения «до/после»", pct(monitoring.impact), ""),
    ]
    return Table(
        columns=[Column("Показатель", 1.3), Column("Значение", 1.2), Column("Определение", 2.5)],
        rows=rows,
        font_size=9,
    )


def _municipalities(rows: list[svc.MunicipalityRow]) -> Table:
    return Table(
        columns=[
            Column("Муниципалитет", 2.2),
            Column("Организаций", 0.8, "right"),
            Column("Охват 10-19", 0.8, "right"),
            Column("Охват молодых педагогов", 0.9, "right"),
            Column("Наставников", 0.8, "right"),
            Column("Пар и групп", 0.8, "right"),
            Column("Дорожные карты", 0.8, "right"),
            Column("Просрочено", 0.8, "right"),
            Column("Без программы", 0.8, "right"),
        ],
        rows=[
            (
                r.municipality.name,
                str(r.figures.schools),
                pct(r.figures.coverage_pupils),
                pct(r.figures.coverage_teachers),
                people(r.figures.mentors),
                str(r.figures.mentorships),
                pct(r.figures.roadmap_percent),
                str(r.figures.roadmap_overdue),
                str(r.figures.schools_without_programme),
            )
            for r in rows
        ],
        font_size=8,
    )


def _lagging(rows: list[svc.SchoolRow]) -> Table:
    def reasons(row: svc.SchoolRow) -> str:
        found = []
        if row.row is None:
            return "нет данных за год"
        if not row.row.programme_approved:
            found.append("нет утверждённой программы")
        if row.row.pairs + row.row.groups == 0:
            found.append("нет пар и групп")
        if row.row.roadmap_overdue:
            found.append(f"просрочено мероприятий: {row.row.roadmap_overdue}")
        return "; ".join(found)

    return Table(
        columns=[Column("Организация", 2.2), Column("Муниципалитет", 1.6), Column("Что отстаёт", 2.2)],
        rows=[(r.school.name, r.municipality_name, reasons(r)) for r in rows],
        font_size=8,
    )


def _schools(rows: list[svc.SchoolRow]) -> Table:
    def cells(r: svc.SchoolRow) -> Sequence[str]:
        f = r.figures
        if r.row is None:
            return (r.school.name, r.municipality_name, r.kind_title, NO_DATA, NO_DATA, "", "", "", "", "")
        return (
            r.school.name,
            r.municipality_name,
            r.kind_title,
            school_pct(f.mentee_pupils_10_19, f.coverage_pupils),
            school_pct(f.mentee_young_teachers, f.coverage_teachers),
            people(f.mentors),
            people(f.mentees),
            str(f.mentorships),
            pct(f.roadmap_percent),
            str(f.roadmap_overdue),
        )

    return Table(
        columns=[
            Column("Организация", 2),
            Column("Муниципалитет", 1.6),
            Column("Тип", 1.4),
            Column("Охват 10-19", 0.8),
            Column("Охват молодых педагогов", 0.8),
            Column("Наставников", 0.8),
            Column("Наставляемых", 0.8),
            Column("Пар и групп", 0.8),
            Column("Дорожная карта", 0.8),
            Column("Просрочено", 0.8),
        ],
        rows=[cells(r) for r in rows],
    )


Progress = Callable[[int], Awaitable[None]]


async def build_report(
    db: AsyncSession, region: Region, year: AcademicYear, report_date: dt.date, progress: Progress
) -> tuple[bytes, bytes, bytes, dt.datetime | None]:
    """PDF, DOCX, XLSX and when the data were counted; reads the rollups in the region's scope."""
    await set_region(db, region.id)
    scope = svc.Scope(region.id)
    figures = await svc.totals(db, scope, year)
    monitoring = await svc.monitoring_figures(db, scope, year)
    target = await svc.region_target(db, region.id)
    municipalities = await svc.by_municipality(db, scope, year)
    forms = await svc.breakdown(db, scope, year, Dimension.FORM)
    lagging = await svc.lagging_schools(db, scope, year, limit=LAGGING_LIMIT)
    await progress(30)
    as_of = refreshed_label(figures.refreshed_at)
    document = Document(
        title="Отчёт о реализации целевой модели наставничества",
        organisation=region.name,
        subtitle=f"за {year.title} учебный год, по состоянию на {format_date(report_date)} ({as_of})",
        orientation="landscape",
        font_size=11,
        author="Платформа «Наставник»",
        subject=f"Региональный отчёт {year.title}",
    )
    lagging_table = _lagging(lagging)
    document.add(
        Paragraph(
            f"Организаций в регионе с данными за учебный год: {figures.schools}. Число людей от 1 до 4 "
            "в ячейке показано как «< 5», чтобы никого нельзя было узнать; показатели мониторинга, "
            "по которым данных ещё нет, отмечены «нет данных».",
        ),
        Heading("1. Показатели региона", level=2, align="left"),
        _indicators(figures, monitoring, target),
        Heading("2. Показатели по муниципалитетам", level=2, align="left"),
        _municipalities(municipalities),
        Heading("3. Пары и группы по формам наставничества", level=2, align="left"),
        Table(
            columns=[Column("Форма", 2), Column("Пар и групп", 1, "right"), Column("Завершено", 1, "right")],
            rows=[(title, str(total), str(done)) for title, total, done in forms]
            or [("Пар и групп нет", "0", "0")],
        ),
        Heading("4. Отстающие организации", level=2, align="left"),
        Paragraph(
            "Организации без утверждённой программы, без пар и групп или с просроченными мероприятиями "
            f"дорожной карты: {len(lagging)}"
            + (f" (показаны первые {LAGGING_LIMIT})." if len(lagging) >= LAGGING_LIMIT else "."),
        ),
        lagging_table,
    )
    pdf = render_pdf(document)
    await progress(60)
    docx = render_docx(document)
    await progress(80)
    schools, _ = await svc.schools_table(
        db, scope, year, svc.Filters(), sort="name", descending=False, page=1, size=SCHOOLS_LIMIT
    )
    xlsx = render_xlsx(
        [
            ("Показатели", _indicators(figures, monitoring, target)),
            ("Муниципалитеты", _municipalities(municipalities)),
            ("Организации", _schools(schools)),
            ("Отстающие", lagging_table),
        ]
    )
    return pdf, docx, xlsx, figures.refreshed_at


async def request_report(
    db: AsyncSession, region: Region, year: AcademicYear, report_date: dt.date, user_id: uuid.UUID
) -> RegionalReport:
    report = RegionalReport(
        region_id=region.id, academic_year=year.start, report_date=report_date, requested_by_id=user_id
    )
    db.add(report)
    await db.flush()
    await jobs.defer(db, build_report_job, region_id=str(region.id), report_id=str(report.id))
    return report


async def recent_reports(db: AsyncSession, region: Region, limit: int = 10) -> list[RegionalReport]:
    rows = await db.execute(
        select(RegionalReport)
        .where(RegionalReport.region_id == region.id)
        .order_by(RegionalReport.created_at.desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def report_of(db: AsyncSession, region: Region, report_id: str) -> RegionalReport | None:
    try:
        key = uuid.UUID(report_id)
    except ValueError:
        return None
    return (
        await db.execute(
            select(RegionalReport).where(RegionalReport.region_id == region.id, RegionalReport.id == key)
        )
    ).scalar_one_or_none()


@jobs.app.task(name=TASK_NAME, pass_context=True, retry=jobs.RetryStrategy(max_attempts=2, wait=5))
async def build_report_job(context: jobs.JobContext, *, region_id: str, report_id: str) -> None:
    maker = jobs.sessionmaker_of(context)
    region_uuid, report_uuid = uuid.UUID(region_id), uuid.UUID(report_id)
    where = (RegionalReport.region_id == region_uuid, RegionalReport.id == report_uuid)

    async def progress(percent: int, **values: object) -> None:
        # A short transaction of its own, so the page shows it while the work goes on.
        async with maker() as side, side.begin():
            await set_region(side, region_uuid)
            await side.execute(update(RegionalReport).where(*where).values(progress=percent, **values))

    try:
        await progress(5, status=ReportStatus.RUNNING)
        async with maker() as db, db.begin():
            await set_region(db, region_uuid)
            report = (await db.execute(select(RegionalReport).where(*where))).scalar_one_or_none()
            region = await db.get(Region, region_uuid)
            if report is None or region is None:
                return
            pdf, docx, xlsx, as_of = await build_report(
                db, region, AcademicYear(report.academic_year), report.report_date, progress
            )
            report.pdf, report.docx, report.xlsx, report.data_as_of = pdf, docx, xlsx, as_of
            report.status, report.progress, report.finished_at = ReportStatus.DONE, 100, utcnow()
    except Exception:
        if jobs.is_last_attempt(context):
            await progress(0, status=ReportStatus.FAILED)
        raise
