"""Regional indicators: the rollups count each school's rows, school writes queue a
recount, and the municipality and region pages show aggregates (never a person) with
drill-down, small cells as «< 5» and monitoring as «нет данных»."""

from __future__ import annotations

import datetime as dt
import io
import random
import re

import pytest
from docx import Document as DocxDocument
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik.platform import jobs
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_region, set_school
from nastavnik.platform.settings import Settings
from nastavnik.regional.indicators.demo import DemoSchool, _Writer, _year
from nastavnik.regional.indicators.hook import TASK_NAME
from nastavnik.regional.indicators.models import RegionalSchoolYear
from nastavnik.regional.indicators.rollup import refresh_school
from nastavnik.school.pairs.services import create_mentorship
from nastavnik.school.participants.models import (
    MenteeCategory,
    MenteeProfile,
    Participant,
    ParticipantKind,
    local_today,
)
from nastavnik.tenants.models import School, SchoolKind, StaffMember
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import Browser, Persona, World, csrf_token, make_persona
from tests.functional._matching import SmallPool, small_pool

pytestmark = pytest.mark.anyio

TODAY = local_today()
YEAR = AcademicYear.current(TODAY)


def spec(
    code: str, *, pupils: int, mentees: int, teachers: int = 30, young: int = 2, stage: str = "advanced"
) -> DemoSchool:
    return DemoSchool(
        "-", code, "Школа", "Школа", SchoolKind.GENERAL, "", stage, pupils, teachers, mentees, young, 2, False
    )


async def fill(db: AsyncSession, school: School, data: DemoSchool) -> None:
    """Real rows in the school's own tables, as the demo region has them."""
    await set_school(db, school.id)
    refs = {
        "form": await reference_by_code(db, ReferenceKind.FORM),
        "direction": await reference_by_code(db, ReferenceKind.DIRECTION),
    }
    writer = _Writer(db, school, random.Random(f"test-{data.code}"), TODAY)  # noqa: S311 - test data
    await _year(writer, data, YEAR, refs, past=False)
    await writer.flush()


@pytest.fixture
async def filled(db: AsyncSession, world: World) -> World:
    await fill(db, world.school_a, spec("a", pupils=200, mentees=40))
    await fill(db, world.school_b, spec("b", pupils=100, mentees=3, young=1, stage="lagging"))
    # Lagging for sure: its first roadmap row (due in September) is still open.
    await db.execute(
        text(
            "UPDATE roadmap_item SET status = 'planned', completed_on = NULL "
            "WHERE school_id = :s AND position = 0"
        ),
        {"s": world.school_b.id},
    )
    for school in (world.school_a, world.school_b):
        await refresh_school(db, school.id, today=TODAY)
    await db.commit()
    return world


async def rollup(db: AsyncSession, school: School) -> RegionalSchoolYear:
    await set_school(db, school.id)
    return (
        await db.execute(
            select(RegionalSchoolYear)
            .where(RegionalSchoolYear.school_id == school.id, RegionalSchoolYear.academic_year == YEAR.start)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()


async def count(db: AsyncSession, school: School, sql: str) -> int:
    await set_school(db, school.id)
    return int(await db.scalar(text(sql), {"s": school.id, "y": YEAR.start}) or 0)


# ---- counting ------------------------------------------------------------------------


async def test_the_rollup_counts_the_schools_rows_for_the_year(db: AsyncSession, filled: World) -> None:
    school = filled.school_a
    row = await rollup(db, school)
    assert row.region_id == filled.region.id and row.municipality_id == filled.municipality_a.id
    assert (row.has_programme, row.programme_approved) == (True, True)
    assert (row.pupils_10_19, row.young_teachers) == (124, 4)  # 62 % of 200 pupils; 12 % of 30 teachers
    assert (row.mentee_pupils, row.mentee_pupils_10_19, row.mentee_young_teachers) == (40, 40, 2)
    assert row.groups == 2
    assert (
        row.pairs
        == 40
        - (
            await count(
                db,
                school,
                "SELECT count(*) FROM mentorship_member m JOIN mentorship ms "
                "ON ms.school_id = m.school_id AND ms.id = m.mentorship_id "
                "WHERE m.school_id = :s AND ms.is_group AND m.role = 'mentee'",
            )
        )
        + 2
    )
    assert row.meetings == await count(db, school, "SELECT count(*) FROM meeting WHERE school_id = :s")
    assert row.meetings > row.pairs  # every pair met at least once, most several times
    assert row.roadmap_rows == 12
    assert row.roadmap_done + row.roadmap_overdue <= row.roadmap_rows


async def test_pupils_older_than_19_count_as_mentees_but_not_in_coverage(
    db: AsyncSession, filled: World
) -> None:
    school = filled.school_a
    await set_school(db, school.id)
    for birth in (dt.date(YEAR.start - 20, 8, 31), None):  # 20 on 1 September; no birth date (counted)
        person = Participant(
            school_id=school.id,
            kind=ParticipantKind.PUPIL,
            last_name="Старший",
            first_name="Ученик",
            birth_date=birth,
            grade=11,
        )
        db.add(person)
        await db.flush()
        db.add(
            MenteeProfile(
                school_id=school.id,
                participant_id=person.id,
                academic_year=YEAR.start,
                category=MenteeCategory.PUPIL,
            )
        )
    await db.flush()
    await refresh_school(db, school.id, today=TODAY)
    row = await rollup(db, school)
    assert (row.mentee_pupils, row.mentee_pupils_10_19) == (42, 41)


async def test_overdue_rows_are_open_rows_past_their_date(db: AsyncSession, filled: World) -> None:
    school = filled.school_b  # lagging: some past rows left open
    expected = await count(
        db,
        school,
        "SELECT count(*) FROM roadmap_item WHERE school_id = :s AND status IN ('planned', 'in_progress', "
        "'postponed') AND due_on < current_date",
    )
    assert (await rollup(db, school)).roadmap_overdue == expected
    await refresh_school(db, school.id, today=TODAY + dt.timedelta(days=400))
    later = await rollup(db, school)
    assert later.roadmap_overdue == later.roadmap_rows - later.roadmap_done


# ---- kept current on writes ------------------------------------------------------------


async def _queued(db: AsyncSession) -> list[tuple[str, str]]:
    rows = await db.execute(
        text("SELECT queueing_lock, status::text FROM procrastinate_jobs WHERE task_name = :t ORDER BY id"),
        {"t": TASK_NAME},
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_a_meeting_logged_queues_one_recount_of_its_school_and_the_recount_shows_it(
    browser_for: Browser,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    world: World,
    mentor_a: Persona,
) -> None:
    pool: SmallPool = await small_pool(db, world.school_a, mentor_a.user.id)
    school = world.school_a
    await set_school(db, school.id)
    form = (await reference_by_code(db, ReferenceKind.FORM))["teacher_student"]
    for profile in (pool.ivanova, pool.smirnova):
        await db.refresh(profile, ["participant", "directions"])
    mentorship = await create_mentorship(
        db,
        school,
        year=YEAR.start,
        form=form,
        mentors=[pool.smirnova],
        mentees=[pool.ivanova],
        started_on=None,
    )
    await db.commit()
    assert await _queued(db) == [(f"rollup:{school.id}", "todo")]

    browser = await browser_for(mentor_a)
    url = f"/s/{school.code}/pairs/{mentorship.id}"
    for kind, days in (("organisational", 2), ("trial", 1)):
        reply = await browser.post(
            url + "/meetings",
            data={
                "_csrf_token": await csrf_token(browser, url),
                "kind": kind,
                "held_on": (TODAY - dt.timedelta(days=days)).isoformat(),
                "duration_minutes": "40",
                "format": "online",
                "topic": "Встреча",
            },
            follow_redirects=False,
        )
        assert reply.status_code == 303
    # A burst of writes coalesces into the one recount already waiting.
    assert await _queued(db) == [(f"rollup:{school.id}", "todo")]

    await db.execute(
        text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = :t"), {"t": TASK_NAME}
    )
    await db.commit()
    assert await jobs.run_pending(sessionmaker) == 1
    row = await rollup(db, school)
    assert (row.pairs, row.meetings, row.mentee_pupils) == (1, 2, 4)  # the pool has four pupils
    assert await _queued(db) == [(f"rollup:{school.id}", "succeeded")]


async def test_a_write_the_indicators_do_not_count_queues_nothing(db: AsyncSession, world: World) -> None:
    await set_school(db, world.school_a.id)
    db.add(
        StaffMember(school_id=world.school_a.id, email="x@x.ru", last_name="Новый", first_name="Т", roles=[])
    )
    await db.commit()
    assert await _queued(db) == []
    db.add(
        Participant(
            school_id=world.school_a.id, kind=ParticipantKind.TEACHER, last_name="Тест", first_name="Т"
        )
    )
    await db.commit()
    assert await _queued(db) == [(f"rollup:{world.school_a.id}", "todo")]


# ---- pages -----------------------------------------------------------------------------


async def test_the_ministry_viewer_sees_the_region_by_municipality_and_drills_down_to_a_school(
    browser_for: Browser, filled: World, ministry_viewer: Persona
) -> None:
    world = filled
    browser = await browser_for(ministry_viewer)
    home = await browser.get(f"/r/{world.region.code}/")
    assert home.status_code == 200
    assert "Муниципалитет А" in home.text and "Муниципалитет Б" in home.text
    # 43 of 186 pupils 10-19 (124 + 62) across the region: 23 %.
    assert re.search(r"Охват обучающихся 10-19 лет</p>\s*<p class=\"stat__value\">23&nbsp;%", home.text)
    assert "Федеральный ориентир 70 %" in home.text
    assert "данные на " in home.text
    assert "нет данных" in home.text  # satisfaction and the rest of monitoring: no source yet, never zero
    drill = await browser.get(f"/r/{world.region.code}/indicators/municipalities/{world.municipality_b.code}")
    assert drill.status_code == 200
    assert "Школа Б" in drill.text and "Школа А" not in drill.text
    school = await browser.get(f"/r/{world.region.code}/indicators/schools/{world.school_b.code}")
    assert school.status_code == 200
    # School B has 3 pupil mentees: a cell of 1-4 people is «< 5», and so is its share.
    assert "&lt;&nbsp;5" in school.text
    assert "Открыть страницы организации" not in school.text  # the school's own pages are for its staff


async def test_a_kept_dashboard_shows_the_figures_of_the_latest_recount(
    browser_for: Browser, db: AsyncSession, filled: World, ministry_viewer: Persona
) -> None:
    world = filled
    browser = await browser_for(ministry_viewer)
    home = f"/r/{world.region.code}/"
    coverage = re.compile(r"Охват обучающихся 10-19 лет</p>\s*<p class=\"stat__value\">(\d+)&nbsp;%")
    first = await browser.get(home)
    assert coverage.search(first.text)[1] == "23"  # type: ignore[index]
    assert coverage.search((await browser.get(home)).text)[1] == "23"  # type: ignore[index]
    row = await rollup(db, world.school_a)
    row.mentee_pupils_10_19 += 50
    row.refreshed_at = dt.datetime.now(dt.UTC)
    await db.commit()
    # (43 + 50) of 186 pupils 10-19: the recount's version opens a new page, not the kept one.
    assert coverage.search((await browser.get(home)).text)[1] == "50"  # type: ignore[index]


async def test_the_comparison_table_sorts_filters_and_ranks_by_coverage(
    browser_for: Browser, filled: World, cnppm_tutor: Persona
) -> None:
    world = filled
    browser = await browser_for(cnppm_tutor)
    base = f"/r/{world.region.code}/indicators/schools"
    page = await browser.get(base + "?sort=coverage&dir=desc")
    assert page.text.index("Школа А") < page.text.index("Школа Б")
    page = await browser.get(base + "?sort=coverage&dir=asc")
    assert page.text.index("Школа Б") < page.text.index("Школа А")
    page = await browser.get(base + f"?municipality={world.municipality_b.code}")
    assert "Школа Б" in page.text and "Школа А" not in page.text
    page = await browser.get(base + "?kind=preschool")
    assert "Организаций не найдено" in page.text
    page = await browser.get(base + "?sort=nonsense&dir=sideways&page=zero&year=abc")
    assert page.status_code == 200
    ranking = await browser.get(f"/r/{world.region.code}/indicators/ranking")
    assert ranking.status_code == 200
    assert ranking.text.index("Школа А") < ranking.text.index("Школа Б")


async def test_the_municipal_officer_sees_only_the_municipalitys_schools(
    browser_for: Browser, filled: World, municipal_officer: Persona
) -> None:
    world = filled
    browser = await browser_for(municipal_officer)
    home = await browser.get(f"/m/{world.municipality_a.code}/")
    assert home.status_code == 200
    assert "Школа А" in home.text and "Школа Б" not in home.text
    assert (
        await browser.get(f"/m/{world.municipality_a.code}/schools/{world.school_a.code}")
    ).status_code == 200
    assert (
        await browser.get(f"/m/{world.municipality_a.code}/schools/{world.school_b.code}")
    ).status_code == 404
    assert (await browser.get(f"/m/{world.municipality_b.code}/")).status_code == 404
    assert (await browser.get(f"/r/{world.region.code}/")).status_code == 404


async def test_a_tutor_of_another_region_gets_404(
    browser_for: Browser, db: AsyncSession, settings: Settings, filled: World
) -> None:
    world = filled
    other = await make_persona(
        db, settings, "tutor_other", [Membership(Scope.REGION, "no-such-region", Role.CNPPM_TUTOR)]
    )
    browser = await browser_for(other)
    for path in (
        "/",
        "/indicators/schools",
        "/indicators/ranking",
        f"/indicators/schools/{world.school_a.code}",
        f"/indicators/municipalities/{world.municipality_a.code}",
    ):
        assert (await browser.get(f"/r/{world.region.code}{path}")).status_code == 404, path


async def test_the_methodist_sets_the_regions_target_and_bad_input_is_explained(
    browser_for: Browser, db: AsyncSession, settings: Settings, filled: World, ministry_viewer: Persona
) -> None:
    world = filled
    methodist = await make_persona(
        db, settings, "methodist", [Membership(Scope.REGION, world.region.code, Role.IRO_METHODIST)]
    )
    browser = await browser_for(methodist)
    home = f"/r/{world.region.code}/"
    url = home + "indicators/target"
    bad = await browser.post(url, data={"_csrf_token": await csrf_token(browser, home), "target": "170"})
    assert bad.status_code == 422
    assert "от 1 до 100" in bad.text and 'value="170"' in bad.text
    good = await browser.post(
        url, data={"_csrf_token": await csrf_token(browser, home), "target": "75"}, follow_redirects=False
    )
    assert good.status_code == 303
    page = await browser.get(home)
    assert "Цель региона 75 %" in page.text
    viewer = await browser_for(ministry_viewer)
    denied = await viewer.post(url, data={"_csrf_token": await csrf_token(viewer, home), "target": "10"})
    assert denied.status_code == 404
    await set_region(db, world.region.id)
    assert "Цель региона 75 %" in (await viewer.get(home)).text


# ---- reports for the ministry ------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(content)).pages)


async def test_the_ministry_report_is_built_in_the_background_and_read_back(
    browser_for: Browser,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    filled: World,
    ministry_viewer: Persona,
) -> None:
    world = filled
    browser = await browser_for(ministry_viewer)
    reports = f"/r/{world.region.code}/indicators/reports"
    token = await csrf_token(browser, reports)
    bad = await browser.post(
        reports, data={"_csrf_token": token, "year": "2026/2025", "report_date": "завтра"}
    )
    assert bad.status_code == 422
    assert "Учебный год пишется так" in bad.text and "Дата указана неверно" in bad.text
    reply = await browser.post(
        reports,
        data={"_csrf_token": token, "year": YEAR.title, "report_date": TODAY.isoformat()},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    url = reply.headers["location"]
    waiting = await browser.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in waiting.text and "<html" not in waiting.text
    assert (await browser.get(url + "/pdf")).status_code == 404  # not built yet

    assert await jobs.run_pending(sessionmaker) == 1
    done = await browser.get(url)
    assert "Скачать PDF" in done.text
    pdf = await browser.get(url + "/pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text_ = pdf_text(pdf.content)
    assert "Отчёт о реализации целевой модели наставничества" in text_
    assert f"за {YEAR.title} учебный год" in text_
    assert "Муниципалитет А" in text_ and "Муниципалитет Б" in text_
    assert "23 %" in text_  # the region's coverage, as on the page
    assert "Школа Б" in text_  # lagging: overdue roadmap rows
    assert "нет данных" in text_
    docx = await browser.get(url + "/docx")
    assert (
        "\n".join(p.text for p in DocxDocument(io.BytesIO(docx.content)).paragraphs).count(
            "Показатели региона"
        )
        == 1
    )
    xlsx = await browser.get(url + "/xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Показатели", "Муниципалитеты", "Организации", "Отстающие"]
    names = [row[0] for row in book["Организации"].iter_rows(min_row=2, values_only=True)]
    assert names == ["Школа А", "Школа Б"]
    # Another region's staff cannot open it.
    other = await make_persona(
        db,
        browser.client.app.state.settings,
        "ministry_other",
        [Membership(Scope.REGION, "elsewhere", Role.MINISTRY_VIEWER)],
    )
    assert (await (await browser_for(other)).get(url + "/pdf")).status_code == 404


async def test_no_regional_page_or_report_shows_a_pupils_name(
    browser_for: Browser,
    db: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    filled: World,
    ministry_viewer: Persona,
    municipal_officer: Persona,
) -> None:
    world = filled
    names: set[str] = set()
    for school in (world.school_a, world.school_b):
        await set_school(db, school.id)
        pupils = await db.execute(select(Participant).where(Participant.kind == ParticipantKind.PUPIL))
        names |= {p.full_name for p in pupils.scalars()}
        names |= {f"{p.last_name} {p.first_name}" for p in (await db.execute(select(Participant))).scalars()}
    assert len(names) > 40
    await set_school(db, None)
    ministry, officer = await browser_for(ministry_viewer), await browser_for(municipal_officer)
    r, m = f"/r/{world.region.code}", f"/m/{world.municipality_a.code}"
    texts = []
    for browser, url in (
        (ministry, r + "/"),
        (ministry, r + "/indicators/schools"),
        (ministry, r + "/indicators/ranking"),
        (ministry, f"{r}/indicators/municipalities/{world.municipality_a.code}"),
        (ministry, f"{r}/indicators/schools/{world.school_a.code}"),
        (officer, m + "/"),
        (officer, f"{m}/schools/{world.school_a.code}"),
    ):
        reply = await browser.get(url)
        assert reply.status_code == 200, url
        texts.append(reply.text)
    reports = r + "/indicators/reports"
    reply = await ministry.post(
        reports,
        data={
            "_csrf_token": await csrf_token(ministry, reports),
            "year": YEAR.title,
            "report_date": TODAY.isoformat(),
        },
        follow_redirects=False,
    )
    assert await jobs.run_pending(sessionmaker) == 1
    url = reply.headers["location"]
    texts.append(pdf_text((await ministry.get(url + "/pdf")).content))
    docx = DocxDocument(io.BytesIO((await ministry.get(url + "/docx")).content))
    cells = [cell.text for table in docx.tables for row in table.rows for cell in row.cells]
    texts.append("\n".join([*(p.text for p in docx.paragraphs), *cells]))
    book = load_workbook(io.BytesIO((await ministry.get(url + "/xlsx")).content))
    texts.append(
        " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)
    )
    assert "Школа А" in texts[-1]  # the check reads real content
    leaked = {name for name in names for text_ in texts if name in text_}
    assert not leaked
