"""The region's bank of programmes and practices: a school publishes, a methodist moderates,
the region searches (stems, typos, facets), another school adopts into its collection."""

from __future__ import annotations

import mailbox
import re
import uuid
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.permissions import Membership, Role, Scope
from nastavnik.platform.db import set_region, set_school
from nastavnik.regional.practice_bank import search
from nastavnik.school.bank.models import CollectionItem
from nastavnik.school.pairs.models import DevelopmentPlan, PlanItem
from nastavnik.school.pairs.services import create_mentorship
from nastavnik.school.participants.models import local_today
from nastavnik.school.programme.models import RoadmapTemplate
from nastavnik.tenants.models import Municipality, School, SchoolKind
from nastavnik.tenants.reference import ReferenceKind, reference_by_code
from tests.conftest import Browser, Persona, World, csrf_token, make_persona
from tests.functional._matching import YEAR, small_pool

pytestmark = pytest.mark.anyio

PRACTICE = {
    "kind": "practice",
    "title": "Клуб молодого педагога «Первые шаги»",
    "summary": "Еженедельные встречи молодых педагогов с наставниками: разбор уроков и трудных ситуаций.",
    "description": "Наставники проводили открытые уроки, молодые педагоги посещали их и обсуждали.",
    "results": "Все молодые педагоги остались в школе; двое выступили на муниципальном семинаре.",
    "keywords": "адаптация, молодой педагог",
    "forms": "teacher_teacher",
    "school_kind": "general",
    "grade_from": "5",
    "grade_to": "9",
}


@pytest.fixture
async def methodist(db: AsyncSession, settings: Any, world: World) -> Persona:
    return await make_persona(
        db, settings, "methodist", [Membership(Scope.REGION, world.region.code, Role.IRO_METHODIST)]
    )


@pytest.fixture
async def curator_c(db: AsyncSession, settings: Any, world: World) -> Persona:
    """A curator of a school in another region: the bank of `world.region` is closed to them."""
    from nastavnik.tenants.models import Region

    region = Region(code=f"{world.region.code}-x", name="Другая область")
    db.add(region)
    await db.flush()
    municipality = Municipality(region_id=region.id, code=f"{world.region.code}-mx", name="Другой")
    db.add(municipality)
    await db.flush()
    school = School(
        municipality_id=municipality.id,
        code=f"{world.region.code}-sc",
        name="Школа В",
        full_name="Школа В",
        kind=SchoolKind.GENERAL,
    )
    db.add(school)
    await db.flush()
    return await make_persona(
        db, settings, "curator_c", [Membership(Scope.SCHOOL, school.code, Role.CURATOR)]
    )


async def publish(browser: Any, code: str, fields: dict[str, str], *, submit: bool = True) -> str:
    token = await csrf_token(browser, f"/s/{code}/publications/new")
    data = {"_csrf_token": token, **fields}
    if submit:
        data["submit"] = "1"
    reply = await browser.post(f"/s/{code}/publications/new", data=data, follow_redirects=False)
    assert reply.status_code == 303, reply.text[:2000]
    match = re.search(r"/publications/([0-9a-f-]{36})/edit", reply.headers["location"])
    assert match
    return match.group(1)


async def moderate(browser: Any, world: World, item_id: str, action: str, comment: str = "") -> Any:
    token = await csrf_token(browser, f"/r/{world.region.code}/bank/{item_id}")
    return await browser.post(
        f"/r/{world.region.code}/bank/{item_id}/moderate",
        data={"_csrf_token": token, "action": action, "comment": comment},
        follow_redirects=False,
    )


def subjects_to(folder: Path, address: str) -> list[str]:
    return [
        str(make_header(decode_header(m["Subject"])))
        for m in mailbox.Maildir(str(folder), create=False)
        if m["To"] == address
    ]


async def test_practice_goes_from_draft_through_return_to_publication_and_adoption(
    browser_for: Browser,
    world: World,
    curator_a: Persona,
    curator_b: Persona,
    methodist: Persona,
    smtp_sink: Path,
) -> None:
    a, b, m = await browser_for(curator_a), await browser_for(curator_b), await browser_for(methodist)
    item_id = await publish(a, world.school_a.code, PRACTICE)
    region = world.region.code

    # On moderation: not in the bank yet, neither for B nor in the region's search.
    assert PRACTICE["title"] not in (await b.get(f"/s/{world.school_b.code}/bank")).text
    assert (await b.get(f"/s/{world.school_b.code}/bank/{item_id}")).status_code == 404
    queue = await m.get(f"/r/{region}/moderation")
    assert PRACTICE["title"] in queue.text

    # A return needs a comment; with one, A gets the comment by mail and edits again.
    assert (await moderate(m, world, item_id, "return")).status_code == 422
    reply = await moderate(m, world, item_id, "return", "Уберите фамилии из описания.")
    assert reply.status_code == 303
    assert any("возвращено на доработку" in s for s in subjects_to(smtp_sink, curator_a.user.email or ""))
    page = await a.get(f"/s/{world.school_a.code}/publications/{item_id}/edit")
    assert "Уберите фамилии из описания." in page.text
    token = await csrf_token(a, f"/s/{world.school_a.code}/publications/{item_id}/edit")
    reply = await a.post(
        f"/s/{world.school_a.code}/publications/{item_id}/edit",
        data={
            "_csrf_token": token,
            **PRACTICE,
            "description": "Наставники проводили открытые уроки.",
            "submit": "1",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303

    assert (await moderate(m, world, item_id, "approve")).status_code == 303
    assert any("одобрено" in s for s in subjects_to(smtp_sink, curator_a.user.email or ""))
    history = (await a.get(f"/s/{world.school_a.code}/bank/{item_id}")).text
    for step in ("Отправлено на модерацию", "Возвращено на доработку", "Одобрено и опубликовано"):
        assert step in history

    # B finds it by a stem and by a typo, and adopts it into the collection once.
    found = await b.get(f"/s/{world.school_b.code}/bank?q=молодых+педагогов")
    assert PRACTICE["title"] in found.text
    typo = await b.get(f"/s/{world.school_b.code}/bank?q=педагок")
    assert PRACTICE["title"] in typo.text
    token = await csrf_token(b, f"/s/{world.school_b.code}/bank/{item_id}")
    reply = await b.post(f"/s/{world.school_b.code}/bank/{item_id}/adopt", data={"_csrf_token": token})
    assert reply.status_code == 200
    assert PRACTICE["title"] in (await b.get(f"/s/{world.school_b.code}/collection")).text
    again = await b.post(f"/s/{world.school_b.code}/bank/{item_id}/adopt", data={"_csrf_token": token})
    assert "уже есть в методической копилке" in again.text

    # The author sees the count of adoptions.
    mine = await a.get(f"/s/{world.school_a.code}/publications")
    assert re.search(r'<td class="num">1</td>', mine.text)


async def test_an_unfinished_form_keeps_what_was_typed_and_says_what_is_missing(
    browser_for: Browser, world: World, curator_a: Persona
) -> None:
    a = await browser_for(curator_a)
    token = await csrf_token(a, f"/s/{world.school_a.code}/publications/new")
    reply = await a.post(
        f"/s/{world.school_a.code}/publications/new",
        data={"_csrf_token": token, "kind": "case", "title": "Кейс без описания", "grade_from": "12"},
    )
    assert reply.status_code == 422
    assert "Кейс без описания" in reply.text
    assert "Отметьте хотя бы одну форму наставничества." in reply.text
    assert "Класс — число от 1 до 11." in reply.text


async def test_drafts_stay_with_their_school_and_the_methodist_sees_only_what_was_sent(
    db: AsyncSession,
    browser_for: Browser,
    world: World,
    curator_a: Persona,
    curator_b: Persona,
    methodist: Persona,
) -> None:
    a = await browser_for(curator_a)
    draft = await publish(a, world.school_a.code, PRACTICE, submit=False)
    assert (
        await (await browser_for(curator_b)).get(f"/s/{world.school_b.code}/bank/{draft}")
    ).status_code == 404
    assert (
        await (await browser_for(methodist)).get(f"/r/{world.region.code}/bank/{draft}")
    ).status_code == 404
    # B cannot open A's publication editor either (another school's URL is 404 too).
    b = await browser_for(curator_b)
    assert (await b.get(f"/s/{world.school_b.code}/publications/{draft}/edit")).status_code == 404
    assert (await b.get(f"/s/{world.school_a.code}/publications/{draft}/edit")).status_code == 404


async def test_a_photo_needs_the_participants_consent(
    browser_for: Browser, world: World, curator_a: Persona
) -> None:
    a = await browser_for(curator_a)
    item_id = await publish(a, world.school_a.code, PRACTICE, submit=False)
    url = f"/s/{world.school_a.code}/publications/{item_id}/files"
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    token = await csrf_token(a, f"/s/{world.school_a.code}/publications/{item_id}/edit")
    refused = await a.post(
        url, data={"_csrf_token": token}, files={"file": ("встреча.png", png, "image/png")}
    )
    assert refused.status_code == 422
    assert "только с согласия" in refused.text
    accepted = await a.post(
        url,
        data={"_csrf_token": token, "consent": "1"},
        files={"file": ("встреча.png", png, "image/png")},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    page = await a.get(f"/s/{world.school_a.code}/publications/{item_id}/edit")
    link = re.search(r'href="(/s/[^"]+/files/[0-9a-f-]{36})"', page.text)
    assert link
    assert (await a.get(link.group(1))).content == png


async def test_search_counts_facets_in_sql_and_filters_by_them(
    db: AsyncSession, world: World, methodist: Persona, browser_for: Browser
) -> None:
    m = await browser_for(methodist)
    for title, forms, grades in (
        ("Профориентационный маршрут «Моя профессия»", "employer_student", ("8", "11")),
        ("Ученическое самоуправление и лидерство", "student_student", ("5", "9")),
        ("Методический десант для молодых учителей", "teacher_teacher", ("", "")),
    ):
        token = await csrf_token(m, f"/r/{world.region.code}/moderation/new")
        reply = await m.post(
            f"/r/{world.region.code}/moderation/new",
            data={
                "_csrf_token": token,
                "kind": "practice",
                "title": title,
                "summary": "Описание практики.",
                "description": "Что сделано.",
                "results": "Результаты.",
                "forms": forms,
                "grade_from": grades[0],
                "grade_to": grades[1],
            },
            follow_redirects=False,
        )
        assert reply.status_code == 303, reply.text[:1500]
    await set_school(db, None)
    await set_region(db, world.region.id)
    _, facets, window = await search.search(db, search.BankQuery(), world.region.id)
    assert facets.total == window.total == 3
    assert facets.form == {"employer_student": 1, "student_student": 1, "teacher_teacher": 1}
    # An item without grades suits every level.
    assert facets.level == {"primary": 1, "basic": 3, "secondary": 2}
    only, facets, _ = await search.search(db, search.BankQuery(level="secondary"), world.region.id)
    assert {i.title for i in only} == {
        "Профориентационный маршрут «Моя профессия»",
        "Методический десант для молодых учителей",
    }
    stem, _, _ = await search.search(db, search.BankQuery(q="профессии"), world.region.id)
    assert [i.title for i in stem] == ["Профориентационный маршрут «Моя профессия»"]
    # Searches are kept until the region's bank changes: a fourth item shows at once.
    kept = await search.search(db, search.BankQuery(), world.region.id)
    assert kept is await search.search(db, search.BankQuery(), world.region.id)
    token = await csrf_token(m, f"/r/{world.region.code}/moderation/new")
    reply = await m.post(
        f"/r/{world.region.code}/moderation/new",
        data={
            "_csrf_token": token,
            "kind": "practice",
            "title": "Клуб юных исследователей",
            "summary": "Описание.",
            "description": "Что сделано.",
            "results": "Результаты.",
            "forms": "student_student",
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    await set_school(db, None)
    await set_region(db, world.region.id)
    _, facets, window = await search.search(db, search.BankQuery(), world.region.id)
    assert facets.total == window.total == 4


async def test_a_programme_adopted_from_the_bank_becomes_the_schools_roadmap_template(
    db: AsyncSession,
    browser_for: Browser,
    world: World,
    curator_a: Persona,
    curator_b: Persona,
    methodist: Persona,
) -> None:
    a = await browser_for(curator_a)
    token = await csrf_token(a, f"/s/{world.school_a.code}/programme")
    today = local_today()
    year = today.year if today.month >= 9 else today.year - 1
    started = await a.post(
        f"/s/{world.school_a.code}/programme",
        data={
            "_csrf_token": token,
            "year": f"{year}-{year + 1}",
            "source": "template:" + str(await first_template(db)),
        },
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text[:1500]
    item_id = await publish(
        a,
        world.school_a.code,
        {
            **PRACTICE,
            "kind": "programme",
            "title": "Программа наставничества школы А",
            "programme_year": str(year),
        },
    )
    assert (await moderate(await browser_for(methodist), world, item_id, "approve")).status_code == 303
    b = await browser_for(curator_b)
    token = await csrf_token(b, f"/s/{world.school_b.code}/bank/{item_id}")
    reply = await b.post(f"/s/{world.school_b.code}/bank/{item_id}/adopt", data={"_csrf_token": token})
    assert "стала шаблоном школы" in reply.text
    await set_school(db, world.school_b.id)
    entry = (await db.execute(select(CollectionItem))).scalars().one()
    template = await db.get(RoadmapTemplate, entry.roadmap_template_id)
    assert template is not None
    assert template.school_id == world.school_b.id
    # Offered to B when it starts a programme, never to A's or another school's list.
    assert "Программа наставничества школы А" in (await b.get(f"/s/{world.school_b.code}/programme")).text
    assert "Программа наставничества школы А" not in (await a.get(f"/s/{world.school_a.code}/programme")).text


async def first_template(db: AsyncSession) -> Any:
    return (
        await db.execute(select(RoadmapTemplate.id).where(RoadmapTemplate.region_id.is_(None)).limit(1))
    ).scalar_one()


async def test_another_regions_school_and_other_roles_get_404(
    browser_for: Browser, world: World, curator_a: Persona, curator_c: Persona, mentor_a: Persona
) -> None:
    a = await browser_for(curator_a)
    item_id = await publish(a, world.school_a.code, PRACTICE, submit=False)
    c = await browser_for(curator_c)
    assert (await c.get(f"/s/{world.school_a.code}/bank")).status_code == 404
    assert (await c.get(f"/r/{world.region.code}/bank")).status_code == 404
    own_code = curator_c.memberships[0].code
    assert (await c.get(f"/s/{own_code}/bank/{item_id}")).status_code == 404
    # A mentor of A browses the bank but cannot publish or adopt.
    mentor = await browser_for(mentor_a)
    assert (await mentor.get(f"/s/{world.school_a.code}/bank")).status_code == 200
    assert (await mentor.get(f"/s/{world.school_a.code}/publications/new")).status_code == 403


async def test_a_collected_plan_template_fills_a_pairs_plan(
    db: AsyncSession, browser_for: Browser, world: World, curator_a: Persona, methodist: Persona
) -> None:
    m = await browser_for(methodist)
    token = await csrf_token(m, f"/r/{world.region.code}/moderation/new")
    reply = await m.post(
        f"/r/{world.region.code}/moderation/new",
        data={
            "_csrf_token": token,
            "kind": "plan_template",
            "title": "Шаблон программы молодого учителя",
            "summary": "Задачи на год.",
            "forms": "teacher_student",
            "plan": (
                "Диагностика затруднений | Анкета и посещение уроков | 0\n"
                "Открытый урок | Подготовка с наставником | 6"
            ),
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text[:1500]
    item_id = reply.headers["location"].rsplit("/", 1)[1]
    pool = await small_pool(db, world.school_a)
    await set_school(db, world.school_a.id)
    form = (await reference_by_code(db, ReferenceKind.FORM))["teacher_student"]
    for profile in (pool.ivanova, pool.smirnova):
        await db.refresh(profile, ["participant", "directions"])
    pair = await create_mentorship(
        db,
        world.school_a,
        year=YEAR,
        form=form,
        mentors=[pool.smirnova],
        mentees=[pool.ivanova],
        started_on=None,
    )
    await db.commit()
    a = await browser_for(curator_a)
    token = await csrf_token(a, f"/s/{world.school_a.code}/bank/{item_id}")
    adopted = await a.post(
        f"/s/{world.school_a.code}/bank/{item_id}/adopt", data={"_csrf_token": token}, follow_redirects=False
    )
    entry_url = adopted.headers["location"]
    page = await a.get(entry_url)
    assert "Добавить задачи в план пары" in page.text
    assert f'value="{pair.id}"' in page.text
    applied = await a.post(
        f"{entry_url}/plan", data={"_csrf_token": token, "pair": str(pair.id)}, follow_redirects=False
    )
    assert applied.status_code == 303
    assert applied.headers["location"].startswith(f"/s/{world.school_a.code}/pairs/{pair.id}")
    await set_school(db, world.school_a.id)
    tasks = (
        (
            await db.execute(
                select(PlanItem.task)
                .join(DevelopmentPlan, DevelopmentPlan.id == PlanItem.plan_id)
                .where(DevelopmentPlan.mentorship_id == pair.id)
            )
        )
        .scalars()
        .all()
    )
    assert {"Диагностика затруднений", "Открытый урок"} <= set(tasks)
    # Another school's pair is not one of A's: the form refuses it.
    refused = await a.post(f"{entry_url}/plan", data={"_csrf_token": token, "pair": str(uuid.uuid4())})
    assert "Выберите пару из списка" in refused.text
