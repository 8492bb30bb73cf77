"""Individual educational routes (ИОМ): caseloads, the seven steps, the catalogue, documents."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from openpyxl import Workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_region, set_school
from nastavnik.platform.settings import Settings
from nastavnik.regional.routes.models import (
    IndividualRoute,
    RouteActivity,
    RouteAreaScore,
    RouteCourse,
    RouteFigure,
    RouteStatus,
    RouteVersion,
)
from nastavnik.school.directory.models import CrossSchoolPair
from nastavnik.school.participants.models import ParticipantKind
from nastavnik.school.questionnaires.models import SurveyResponse
from tests.conftest import Browser, Persona, World, csrf_token, make_persona
from tests.functional._directory import directory_mentor
from tests.functional._participants import give_consent, make_mentee, make_person
from tests.functional._routes import course, make_route, methodist_persona, teacher_with_login, tutor_persona

pytestmark = pytest.mark.anyio

AREAS = ("theory", "regulatory", "subject", "psychology", "methods", "ict", "upbringing", "health")


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def _figure(db: AsyncSession, world: World, route: IndividualRoute) -> RouteFigure:
    await set_region(db, world.region.id)
    figure = await db.scalar(select(RouteFigure).where(RouteFigure.route_id == route.id))
    assert figure is not None
    db.expunge(figure)
    await set_region(db, None)
    return figure


async def test_methodist_assigns_a_teacher_and_the_tutor_sees_the_caseload_across_schools(
    db: AsyncSession, settings: Settings, world: World, browser_for: Browser
) -> None:
    methodist = await methodist_persona(db, settings, world.region)
    tutor, record = await tutor_persona(db, settings, world.region, "tutor_one")
    teacher_a = await make_person(db, world.school_a, kind=ParticipantKind.TEACHER, last_name="Алфёрова")
    await make_person(db, world.school_b, kind=ParticipantKind.TEACHER, last_name="Бережная")
    await db.commit()
    browser = await browser_for(methodist)
    base = f"/r/{world.region.code}/routes"
    form = await browser.get(f"{base}/assign?school={world.school_a.code}")
    assert form.status_code == 200
    assert "Алфёрова" in form.text and "Бережная" not in form.text
    token = await csrf_token(browser, f"{base}/assign?school={world.school_a.code}")
    refused = await browser.post(
        f"{base}/assign",
        data={"_csrf_token": token, "school": world.school_a.code, "teacher": "", "tutor": ""},
    )
    assert refused.status_code == 422
    assert "Выберите педагога" in refused.text
    reply = await browser.post(
        f"{base}/assign",
        data={
            "_csrf_token": token,
            "school": world.school_a.code,
            "teacher": str(teacher_a.id),
            "tutor": str(record.id),
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    other = await make_route(db, world.school_b, tutor=record)
    await db.commit()
    caseload = await (await browser_for(tutor)).get(f"{base}/")
    assert caseload.status_code == 200
    assert "Алфёрова" in caseload.text and other.teacher_name in caseload.text
    assert "Школа А" in caseload.text and "Школа Б" in caseload.text


async def test_a_tutor_not_assigned_gets_404_on_the_route(
    db: AsyncSession, settings: Settings, world: World, browser_for: Browser
) -> None:
    _, assigned = await tutor_persona(db, settings, world.region, "tutor_assigned")
    stranger, _ = await tutor_persona(db, settings, world.region, "tutor_stranger")
    route = await make_route(db, world.school_a, tutor=assigned)
    await db.commit()
    browser = await browser_for(stranger)
    base = f"/r/{world.region.code}/routes/{route.id}"
    for url in (base, f"{base}?step=3", f"{base}/iom/pdf"):
        assert (await browser.get(url)).status_code == 404, url
    token = await csrf_token(browser, f"/r/{world.region.code}/routes/")
    reply = await browser.post(
        f"{base}/steps/1", data={"_csrf_token": token, "status": "done", "content": "x"}
    )
    assert reply.status_code == 404
    caseload = await browser.get(f"/r/{world.region.code}/routes/")
    assert route.teacher_name not in caseload.text


async def test_the_route_is_never_visible_to_another_school(
    db: AsyncSession, world: World, curator_a: Persona, curator_b: Persona, browser_for: Browser
) -> None:
    route = await make_route(db, world.school_a)
    await db.commit()
    own = await (await browser_for(curator_a)).get(f"/s/{world.school_a.code}/routes/{route.id}")
    assert own.status_code == 200
    other = await browser_for(curator_b)
    assert (await other.get(f"/s/{world.school_a.code}/routes/{route.id}")).status_code == 404
    assert (await other.get(f"/s/{world.school_b.code}/routes/{route.id}")).status_code == 404
    listing = await other.get(f"/s/{world.school_b.code}/routes")
    assert listing.status_code == 200 and route.teacher_name not in listing.text


async def test_the_teacher_answers_the_self_diagnosis_and_the_tutor_sees_the_profile(
    db: AsyncSession, settings: Settings, world: World, browser_for: Browser
) -> None:
    tutor, record = await tutor_persona(db, settings, world.region, "tutor_diag")
    teacher, person = await teacher_with_login(db, settings, world.school_a)
    route = await make_route(db, world.school_a, person, record)
    await db.commit()
    browser = await browser_for(teacher)
    base = f"/s/{world.school_a.code}/routes/{route.id}"
    token = await csrf_token(browser, f"{base}?step=3")
    refused = await browser.post(f"{base}/diagnosis", data={"_csrf_token": token})
    assert "Нет действующего согласия" in refused.text
    await give_consent(db, world.school_a, person)
    await set_school(db, None)
    await db.commit()
    own = await browser.get(f"/s/{world.school_a.code}/routes", follow_redirects=False)
    assert own.status_code == 303 and own.headers["location"].endswith(str(route.id))
    started = await browser.post(f"{base}/diagnosis", data={"_csrf_token": token}, follow_redirects=False)
    assert started.status_code == 303
    mine = await browser.get(f"/s/{world.school_a.code}/my-questionnaires/")
    links = re.findall(rf"/s/{world.school_a.code}/my-questionnaires/([0-9a-f-]{{36}})", mine.text)
    assert len(set(links)) == 8
    for response_id in list(dict.fromkeys(links))[:2]:
        page = await browser.get(f"/s/{world.school_a.code}/my-questionnaires/{response_id}")
        assert "Оцените себя" in page.text
        reply = await browser.post(
            f"/s/{world.school_a.code}/my-questionnaires/{response_id}",
            data={
                "_csrf_token": token,
                "s1": "2",
                "s2": "2",
                "s3": "3",
                "difficulties": "Мало практики",
                "action": "submit",
            },
            follow_redirects=False,
        )
        assert reply.status_code in {200, 303}, reply.text[:300]
    await set_school(db, world.school_a.id)
    submitted = await db.scalar(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.school_id == world.school_a.id, SurveyResponse.status == "submitted")
    )
    assert submitted == 2
    scores = (
        (
            await db.execute(
                select(RouteAreaScore).where(RouteAreaScore.route_id == route.id, RouteAreaScore.round == 1)
            )
        )
        .scalars()
        .all()
    )
    assert sorted(float(s.self_score or 0) for s in scores) == [2.33, 2.33]
    assert all(s.self_comment == "Мало практики" for s in scores)
    await set_school(db, None)
    figure = await _figure(db, world, route)
    assert len(figure.deficit_codes) == 2
    page = await (await browser_for(tutor)).get(f"/r/{world.region.code}/routes/{route.id}?step=3")
    assert page.status_code == 200
    assert "2,3" in page.text and "выраженный дефицит" in page.text


async def test_assessments_are_checked_and_a_mentor_sees_the_mentee_route(
    db: AsyncSession, settings: Settings, world: World, browser_for: Browser, curator_a: Persona
) -> None:
    route = await make_route(db, world.school_a)
    psychologist = await make_persona(
        db, settings, "psych", [Membership(Scope.SCHOOL, world.school_a.code, Role.PSYCHOLOGIST)]
    )
    await db.commit()
    curator = await browser_for(curator_a)
    base = f"/s/{world.school_a.code}/routes/{route.id}"
    token = await csrf_token(curator, f"{base}?step=3")
    bad = await curator.post(f"{base}/assessment", data={"_csrf_token": token, "score_ict": "9"})
    assert bad.status_code == 422 and "Оценка от 1 до 5." in bad.text
    good = await curator.post(
        f"{base}/assessment",
        data={"_csrf_token": token, "score_ict": "2", "score_methods": "4"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    await set_school(db, world.school_a.id)
    ict = await db.scalar(
        select(RouteAreaScore).where(RouteAreaScore.route_id == route.id, RouteAreaScore.area_code == "ict")
    )
    assert ict is not None and ict.curator_score == 2
    await set_school(db, None)
    assert (await (await browser_for(psychologist)).get(base)).status_code == 404


async def test_the_tutor_builds_the_roadmap_from_the_catalogue_and_changes_need_a_reason(
    db: AsyncSession, settings: Settings, world: World, browser_for: Browser
) -> None:
    tutor, record = await tutor_persona(db, settings, world.region, "tutor_map")
    route = await make_route(db, world.school_a, tutor=record)
    item = await course(db, world.region)
    await db.commit()
    browser = await browser_for(tutor)
    base = f"/r/{world.region.code}/routes/{route.id}"
    step4 = await browser.get(f"{base}?step=4")
    assert item.title in step4.text
    token = await csrf_token(browser, f"{base}?step=4")
    missing = await browser.post(
        f"{base}/activities", data={"_csrf_token": token, "kind": "course", "course": ""}
    )
    assert missing.status_code == 422
    assert "Выберите программу из каталога ДПП." in missing.text and "Отметьте дефицит" in missing.text
    added = await browser.post(
        f"{base}/activities",
        data={"_csrf_token": token, "kind": "course", "course": str(item.id), "areas": ["ict"]},
        follow_redirects=False,
    )
    assert added.status_code == 303
    approved = await browser.post(
        f"{base}/roadmap/approve", data={"_csrf_token": token}, follow_redirects=False
    )
    assert approved.status_code == 303
    no_reason = await browser.post(
        f"{base}/activities",
        data={"_csrf_token": token, "kind": "trial", "title": "Пробные уроки", "areas": ["ict"]},
    )
    assert no_reason.status_code == 422 and "укажите причину изменения" in no_reason.text
    assert "Пробные уроки" in no_reason.text  # what was typed is kept
    with_reason = await browser.post(
        f"{base}/activities",
        data={
            "_csrf_token": token,
            "kind": "trial",
            "title": "Пробные уроки",
            "areas": ["ict"],
            "reason": "Запрос школы",
        },
        follow_redirects=False,
    )
    assert with_reason.status_code == 303
    await set_school(db, world.school_a.id)
    activity = await db.scalar(
        select(RouteActivity).where(RouteActivity.route_id == route.id, RouteActivity.course_id == item.id)
    )
    assert activity is not None and activity.title == item.title and activity.starts_on == item.starts_on
    versions = (
        (
            await db.execute(
                select(RouteVersion).where(RouteVersion.route_id == route.id).order_by(RouteVersion.number)
            )
        )
        .scalars()
        .all()
    )
    assert [v.number for v in versions] == [1, 2] and versions[1].reason == "Запрос школы"
    assert len(versions[1].snapshot) == 2
    await set_school(db, None)
    figure = await _figure(db, world, route)
    assert figure.course_ids == [item.id]
    history = await browser.get(f"{base}?step=6")
    assert "Запрос школы" in history.text


async def test_the_course_catalogue_import_is_all_or_nothing_with_a_row_report(
    db: AsyncSession, settings: Settings, world: World, browser_for: Browser
) -> None:
    methodist = await methodist_persona(db, settings, world.region)
    browser = await browser_for(methodist)
    base = f"/r/{world.region.code}/routes/courses"
    token = await csrf_token(browser, base)
    header = [
        "Название программы",
        "Организация",
        "Часы",
        "Формат",
        "Дата начала",
        "Дата окончания",
        "Области",
    ]
    bad = _xlsx(
        [
            header,
            ["Курс один", "ИРО", "36", "очно", "01.02.2027", "28.02.2027", "ИКТ"],
            ["Курс два", "", "много", "телепатически", "31.02.2027", "", "Кулинария"],
        ]
    )
    reply = await browser.post(
        f"{base}/import",
        data={"_csrf_token": token},
        files={"file": ("каталог.xlsx", bad, "application/octet-stream")},
    )
    assert reply.status_code == 422
    assert "Ничего не загружено" in reply.text
    for message in (
        "Укажите организацию",
        "Часы — целое число",
        "Формат:",
        "Дата в виде",
        "Неизвестная область",
    ):
        assert message in reply.text, message
    report = re.search(rf"{base}/import-reports/([0-9a-f-]{{36}})", reply.text)
    assert report is not None
    csv = await browser.get(f"{base}/import-reports/{report.group(1)}")
    assert csv.status_code == 200 and "Часы" in csv.text
    await set_region(db, world.region.id)
    assert await db.scalar(select(func.count()).select_from(RouteCourse)) == 0
    await set_region(db, None)
    good = _xlsx([header, ["Курс один", "ИРО", 36, "очно", "01.02.2027", "28.02.2027", "ИКТ; Методические"]])
    ok = await browser.post(
        f"{base}/import",
        data={"_csrf_token": token},
        files={"file": ("каталог.xlsx", good, "application/octet-stream")},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    await set_region(db, world.region.id)
    stored = (await db.execute(select(RouteCourse))).scalars().all()
    assert [(c.title, c.hours, c.area_codes) for c in stored] == [("Курс один", 36, ["ict", "methods"])]
    await set_region(db, None)


async def test_the_teacher_attaches_a_product_and_the_rediagnosis_shows_the_change(
    db: AsyncSession, settings: Settings, world: World, browser_for: Browser
) -> None:
    tutor, record = await tutor_persona(db, settings, world.region, "tutor_product")
    teacher, person = await teacher_with_login(db, settings, world.school_a, "teacher_product")
    route = await make_route(db, world.school_a, person, record)
    await set_school(db, world.school_a.id)
    db.add(
        RouteAreaScore(
            school_id=world.school_a.id,
            route_id=route.id,
            round=1,
            area_code="ict",
            self_score=2.0,
            tutor_score=2,
            curator_score=2,
            self_comment="",
            achievements="",
            reflection="",
        )
    )
    activity = RouteActivity(
        school_id=world.school_a.id,
        route_id=route.id,
        kind="trial",
        title="Цифровой урок",
        area_codes=["ict"],
        status="planned",
    )
    db.add(activity)
    await db.flush()
    await set_school(db, None)
    await db.commit()
    browser = await browser_for(teacher)
    base = f"/s/{world.school_a.code}/routes/{route.id}"
    token = await csrf_token(browser, f"{base}?step=5")
    bad = await browser.post(
        f"{base}/activities/{activity.id}/product",
        data={"_csrf_token": token, "product_title": "Разработка урока", "product_url": "ftp://x"},
    )
    assert bad.status_code == 422 and "https://" in bad.text and "Разработка урока" in bad.text
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    saved = await browser.post(
        f"{base}/activities/{activity.id}/product",
        data={"_csrf_token": token, "product_title": "Разработка урока", "teacher_view": "Получилось"},
        files={"product_file": ("урок.pdf", pdf, "application/pdf")},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    tutor_browser = await browser_for(tutor)
    file = await tutor_browser.get(f"/r/{world.region.code}/routes/{route.id}/activities/{activity.id}/file")
    assert file.status_code == 200 and file.content == pdf
    ttoken = await csrf_token(tutor_browser, f"/r/{world.region.code}/routes/{route.id}?step=7")
    await tutor_browser.post(
        f"/r/{world.region.code}/routes/{route.id}/rediagnosis", data={"_csrf_token": ttoken}
    )
    again = await tutor_browser.post(
        f"/r/{world.region.code}/routes/{route.id}/assessment",
        data={"_csrf_token": ttoken, "score_ict": "5"},
        follow_redirects=False,
    )
    assert again.status_code == 303
    page = await tutor_browser.get(f"/r/{world.region.code}/routes/{route.id}?step=7")
    assert "дефицит закрыт" in page.text and "+3,0" in page.text
    figure = await _figure(db, world, route)
    assert figure.closed_codes == ["ict"]
    indicators = await tutor_browser.get(f"/r/{world.region.code}/routes-indicators/")
    assert indicators.status_code == 200
    assert "Дефицитов закрыто" in indicators.text and "&lt;&nbsp;5" in indicators.text


async def test_a_mentor_from_another_school_is_proposed_for_a_deficit_and_the_pair_is_requested(
    db: AsyncSession, settings: Settings, world: World, browser_for: Browser, curator_a: Persona
) -> None:
    tutor, record = await tutor_persona(db, settings, world.region, "tutor_pair")
    person = await make_person(db, world.school_a, kind=ParticipantKind.TEACHER, last_name="Искомова")
    await give_consent(db, world.school_a, person)
    await make_mentee(db, world.school_a, person)
    route = await make_route(db, world.school_a, person, record)
    await set_school(db, world.school_a.id)
    db.add(
        RouteAreaScore(
            school_id=world.school_a.id,
            route_id=route.id,
            round=1,
            area_code="ict",
            self_score=2.0,
            tutor_score=2,
            curator_score=None,
            self_comment="",
            achievements="",
            reflection="",
        )
    )
    await directory_mentor(db, world.school_b, competencies=("ict",), last_name="Цифрова")
    await set_school(db, None)
    await db.commit()
    browser = await browser_for(tutor)
    base = f"/r/{world.region.code}/routes/{route.id}"
    found = await browser.get(f"{base}?step=3&area=ict")
    assert "Цифрова" in found.text and "Школа Б" in found.text
    entry = re.search(r'name="entry" value="([0-9a-f-]{36})"', found.text)
    assert entry is not None
    token = await csrf_token(browser, f"{base}?step=3")
    proposed = await browser.post(
        f"{base}/mentors",
        data={"_csrf_token": token, "area": "ict", "entry": entry.group(1)},
        follow_redirects=False,
    )
    assert proposed.status_code == 303
    curator = await browser_for(curator_a)
    school_base = f"/s/{world.school_a.code}/routes/{route.id}"
    page = await curator.get(f"{school_base}?step=3")
    proposal = re.search(rf"{school_base}/proposals/([0-9a-f-]{{36}})/request", page.text)
    assert proposal is not None and "Цифрова" in page.text
    ctoken = await csrf_token(curator, f"{school_base}?step=3")
    sent = await curator.post(
        f"{school_base}/proposals/{proposal.group(1)}/request",
        data={"_csrf_token": ctoken},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    await set_school(db, world.school_a.id)
    pair = await db.scalar(select(CrossSchoolPair).where(CrossSchoolPair.mentee_participant_id == person.id))
    assert pair is not None and pair.mentor_school_id == world.school_b.id
    await set_school(db, None)
    shown = await browser.get(f"{base}?step=3")
    assert "Межшкольная пара" in shown.text and "Цифрова" in shown.text


async def test_the_iom_pdf_and_the_caseload_report_read_back(
    db: AsyncSession, settings: Settings, world: World, browser_for: Browser, curator_a: Persona
) -> None:
    tutor, record = await tutor_persona(db, settings, world.region, "tutor_doc")
    route = await make_route(db, world.school_a, tutor=record)
    await set_school(db, world.school_a.id)
    db.add(
        RouteAreaScore(
            school_id=world.school_a.id,
            route_id=route.id,
            round=1,
            area_code="methods",
            self_score=2.0,
            tutor_score=3,
            curator_score=2,
            self_comment="",
            achievements="",
            reflection="",
        )
    )
    db.add(
        RouteActivity(
            school_id=world.school_a.id,
            route_id=route.id,
            kind="course",
            title="Формирующее оценивание",
            area_codes=["methods"],
            status="done",
            product_title="Методические рекомендации",
        )
    )
    await set_school(db, None)
    await db.commit()
    reply = await (await browser_for(curator_a)).get(f"/s/{world.school_a.code}/routes/{route.id}/iom/pdf")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/pdf")
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(reply.content)).pages)
    flat = " ".join(text.split())
    for expected in (
        "ИНДИВИДУАЛЬНЫЙ ОБРАЗОВАТЕЛЬНЫЙ МАРШРУТ",
        route.teacher_name,
        "Формирующее оценивание",
        "Методические рекомендации",
        "выраженный дефицит",
    ):
        assert expected in flat, expected
    docx = await (await browser_for(curator_a)).get(f"/s/{world.school_a.code}/routes/{route.id}/iom/docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    report = await (await browser_for(tutor)).get(f"/r/{world.region.code}/routes/report/pdf")
    report_text = " ".join(
        " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(report.content)).pages).split()
    )
    assert "ОТЧЁТ ТЬЮТОРА ЦНППМ" in report_text and route.teacher_name in report_text


async def test_a_curator_requests_a_tutor_and_the_methodist_assigns_one(
    db: AsyncSession, settings: Settings, world: World, browser_for: Browser, curator_a: Persona
) -> None:
    person = await make_person(db, world.school_a, kind=ParticipantKind.TEACHER, last_name="Просящая")
    methodist = await methodist_persona(db, settings, world.region)
    _, record = await tutor_persona(db, settings, world.region, "tutor_req")
    await db.commit()
    curator = await browser_for(curator_a)
    token = await csrf_token(curator, f"/s/{world.school_a.code}/routes")
    empty = await curator.post(f"/s/{world.school_a.code}/routes", data={"_csrf_token": token, "teacher": ""})
    assert empty.status_code == 422 and "Выберите педагога." in empty.text
    sent = await curator.post(
        f"/s/{world.school_a.code}/routes",
        data={"_csrf_token": token, "teacher": str(person.id), "note": "Молодой педагог"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    await set_school(db, world.school_a.id)
    route = await db.scalar(select(IndividualRoute).where(IndividualRoute.participant_id == person.id))
    assert route is not None and route.status is RouteStatus.REQUESTED
    await set_school(db, None)
    browser = await browser_for(methodist)
    waiting = await browser.get(f"/r/{world.region.code}/routes/?waiting=1")
    assert "Просящая" in waiting.text and "Ждут тьютора" in waiting.text
    mtoken = await csrf_token(browser, f"/r/{world.region.code}/routes/{route.id}")
    assigned = await browser.post(
        f"/r/{world.region.code}/routes/{route.id}/tutor",
        data={"_csrf_token": mtoken, "tutor": str(record.id)},
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    await set_school(db, world.school_a.id)
    await db.refresh(route)
    assert route.tutor_id == record.id and route.status is RouteStatus.ACTIVE
    await set_school(db, None)
    # A methodist reads the route but cannot write its records.
    step = await browser.post(
        f"/r/{world.region.code}/routes/{route.id}/steps/1", data={"_csrf_token": mtoken, "status": "done"}
    )
    assert step.status_code == 403
    assert uuid.UUID(str(route.id))
