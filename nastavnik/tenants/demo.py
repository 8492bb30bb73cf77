"""The demo region: the same organisations and people as the demo Keycloak realm."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.auth.permissions import Role
from nastavnik.platform.db import set_school
from nastavnik.tenants.models import (
    Municipality,
    Region,
    School,
    SchoolKind,
    StaffMember,
)
from nastavnik.tenants.provisioning import KeycloakProvisioner

DEMO_REGION = ("demo", "Демонстрационная область")
DEMO_MUNICIPALITIES = [
    ("zarechny", "Заречный муниципальный округ"),
    ("ozyorsk", "Озёрский муниципальный район"),
]
DEMO_SCHOOLS = [
    (
        "zarechny",
        "sosh2-zar",
        "МБОУ СОШ № 2",
        "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 2»",
        SchoolKind.GENERAL,
        "г. Заречный, ул. Школьная, 2",
    ),
    (
        "zarechny",
        "gimn1-zar",
        "МАОУ Гимназия № 1",
        "Муниципальное автономное общеобразовательное учреждение «Гимназия № 1»",
        SchoolKind.GENERAL,
        "г. Заречный, пр. Мира, 15",
    ),
    (
        "ozyorsk",
        "cdt-ozr",
        "МБУ ДО ЦДТ",
        "Муниципальное бюджетное учреждение дополнительного образования «Центр детского творчества»",
        SchoolKind.ADDITIONAL,
        "г. Озёрск, ул. Ленина, 40",
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str


# Users of deploy/keycloak/nastavnik-realm.json (password "demo" for all).
DEMO_LOGINS = [
    DemoLogin("admin", "Администратор Платформы", "администратор платформы"),
    DemoLogin("director", "Соколова Елена Викторовна", "директор, МБОУ СОШ № 2"),
    DemoLogin("curator", "Иванова Мария Петровна", "куратор, МБОУ СОШ № 2 и Гимназия № 1"),
    DemoLogin("curator2", "Петров Андрей Николаевич", "куратор, МБУ ДО ЦДТ"),
    DemoLogin("psychologist", "Кузнецова Ольга Игоревна", "педагог-психолог, СОШ № 2"),
    DemoLogin("mentor", "Смирнов Дмитрий Алексеевич", "наставник, СОШ № 2"),
    DemoLogin("mentee", "Васильева Анна Сергеевна", "наставляемый педагог, СОШ № 2"),
    DemoLogin("municipal", "Морозова Татьяна Юрьевна", "специалист муниципалитета (Заречный)"),
    DemoLogin("methodist", "Новиков Павел Андреевич", "методист ИРО"),
    DemoLogin("tutor", "Фёдорова Ирина Владимировна", "тьютор ЦНППМ"),
    DemoLogin("ministry", "Лебедев Сергей Михайлович", "сотрудник министерства"),
]

DEMO_STAFF = {
    "sosh2-zar": [
        ("director", "Соколова", "Елена", "Викторовна", "Директор", [Role.DIRECTOR]),
        ("curator", "Иванова", "Мария", "Петровна", "Заместитель директора по УВР", [Role.CURATOR]),
        ("psychologist", "Кузнецова", "Ольга", "Игоревна", "Педагог-психолог", [Role.PSYCHOLOGIST]),
        ("mentor", "Смирнов", "Дмитрий", "Алексеевич", "Учитель математики", [Role.MENTOR]),
        ("mentee", "Васильева", "Анна", "Сергеевна", "Учитель русского языка", [Role.MENTEE_TEACHER]),
    ],
    "gimn1-zar": [
        ("curator", "Иванова", "Мария", "Петровна", "Методист (совместительство)", [Role.CURATOR]),
    ],
    "cdt-ozr": [
        ("curator2", "Петров", "Андрей", "Николаевич", "Заместитель директора", [Role.CURATOR]),
    ],
}


async def seed_demo(db: AsyncSession, provisioner: KeycloakProvisioner | None) -> bool:
    """Create the demo region if it is not there yet; returns whether anything was created."""
    if (await db.execute(select(Region).where(Region.code == DEMO_REGION[0]))).scalar_one_or_none():
        return False
    if provisioner is not None:
        await provisioner.ensure_region_groups(DEMO_REGION[0])
    region = Region(code=DEMO_REGION[0], name=DEMO_REGION[1])
    db.add(region)
    await db.flush()
    municipalities: dict[str, Municipality] = {}
    for code, name in DEMO_MUNICIPALITIES:
        if provisioner is not None:
            await provisioner.ensure_municipality_groups(code)
        municipalities[code] = Municipality(region_id=region.id, code=code, name=name)
        db.add(municipalities[code])
    await db.flush()
    for m_code, code, name, full_name, kind, address in DEMO_SCHOOLS:
        if provisioner is not None:
            await provisioner.ensure_school_groups(code)
        school = School(
            municipality_id=municipalities[m_code].id,
            code=code,
            name=name,
            full_name=full_name,
            kind=kind,
            address=address,
        )
        db.add(school)
        await db.flush()
        await set_school(db, school.id)
        for username, last, first, middle, position, roles in DEMO_STAFF.get(code, []):
            db.add(
                StaffMember(
                    school_id=school.id,
                    email=f"{username}@demo.nastavnik.local",
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    position=position,
                    roles=roles,
                )
            )
        await db.flush()
    await set_school(db, None)
    return True
