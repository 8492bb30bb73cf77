"""The indicators API with real Keycloak tokens (client credentials): the demo region's
client reads its region's figures, and nothing else gets through."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.keycloak_server import REALM_FILE
from nastavnik.platform.settings import Settings
from nastavnik.regional.indicators.rollup import refresh_school
from nastavnik.tenants.models import Municipality, Region, School, SchoolKind
from tests.conftest import World
from tests.functional.test_regional_indicators import TODAY, YEAR, fill, spec

pytestmark = pytest.mark.anyio

DEMO_CLIENT = ("nastavnik-indicators-demo", "dev-indicators-secret")
PROVISIONING_CLIENT = ("nastavnik-provisioning", "dev-provisioning-secret")


async def client_token(settings: Settings, client: tuple[str, str]) -> str:
    url = f"{settings.keycloak_url}/realms/{settings.keycloak_realm}/protocol/openid-connect/token"
    async with httpx.AsyncClient() as http:
        reply = await http.post(
            url, data={"grant_type": "client_credentials", "client_id": client[0], "client_secret": client[1]}
        )
    reply.raise_for_status()
    return str(reply.json()["access_token"])


@pytest.fixture
async def demo_region(db: AsyncSession) -> Region:
    """The region the demo client is given (`nastavnik_region: demo`), with two schools' figures."""
    region = (await db.execute(select(Region).where(Region.code == "demo"))).scalar_one_or_none()
    if region is None:
        region = Region(code="demo", name="Демонстрационная область")
        db.add(region)
        await db.flush()
    municipality = Municipality(region_id=region.id, code="api-test-mun", name="Тестовый округ API")
    db.add(municipality)
    await db.flush()
    schools = []
    for code, pupils, mentees, young in (("api-big", 200, 60, 2), ("api-small", 50, 3, 1)):
        school = School(
            municipality_id=municipality.id,
            code=code,
            name=f"Школа {code}",
            full_name=code,
            kind=SchoolKind.GENERAL,
        )
        db.add(school)
        await db.flush()
        await fill(db, school, spec(code, pupils=pupils, mentees=mentees, young=young))
        await refresh_school(db, school.id, today=TODAY)
        schools.append(school)
    await db.commit()
    return region


@pytest.fixture
async def indicator_client(kc_admin: Any) -> None:
    """The demo region's API client as the realm export declares it.

    Other trees on the machine share the Keycloak distribution's import folder, so the
    realm the test server imported may be another tree's; the client is made sure of
    through the admin API from this tree's export.
    """
    realm = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    wanted = next(c for c in realm["clients"] if c["clientId"] == DEMO_CLIENT[0])
    if not await kc_admin.a_get_client_id(DEMO_CLIENT[0]):
        await kc_admin.a_create_client({**wanted, "secret": DEMO_CLIENT[1]}, skip_exists=True)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_demo_regions_client_reads_its_indicators(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    keycloak: Any,
    indicator_client: None,
    demo_region: Region,
) -> None:
    token = await client_token(settings, DEMO_CLIENT)
    reply = await client.get(
        "/api/v1/regions/demo/indicators", params={"year": YEAR.title}, headers=bearer(token)
    )
    assert reply.status_code == 200, reply.text
    data = reply.json()
    assert data["academic_year"] == YEAR.title
    ours = next(m for m in data["municipalities"] if m["code"] == "api-test-mun")
    # 63 of 155 pupils 10-19 (124 + 31) in the municipality: 41 %.
    assert ours["indicators"]["coverage_pupils_percent"] == 41
    assert ours["indicators"]["satisfaction_percent"] is None  # no monitoring source yet: null, never 0
    schools = await client.get(
        "/api/v1/regions/demo/schools",
        params={"municipality": "api-test-mun", "year": YEAR.title},
        headers=bearer(token),
    )
    assert schools.status_code == 200
    by_code = {s["code"]: s for s in schools.json()["schools"]}
    assert by_code["api-big"]["indicators"]["coverage_pupils_percent"] == 48
    assert by_code["api-small"]["indicators"]["coverage_pupils_percent"] == "<5"
    assert by_code["api-small"]["indicators"]["mentees"] == "<5"  # 3 pupils and 1 young teacher
    assert "Фамилия" not in schools.text


async def test_no_token_a_bad_token_or_another_audience_gets_401(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    keycloak: Any,
    indicator_client: None,
    demo_region: Region,
) -> None:
    url = "/api/v1/regions/demo/indicators"
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers=bearer("not.a.token"))).status_code == 401
    other = await client_token(settings, PROVISIONING_CLIENT)
    assert (await client.get(url, headers=bearer(other))).status_code == 401


async def test_the_token_of_one_region_gets_404_in_another(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    keycloak: Any,
    indicator_client: None,
    world: World,
    demo_region: Region,
) -> None:
    token = await client_token(settings, DEMO_CLIENT)
    for path in ("indicators", "schools"):
        assert (
            await client.get(f"/api/v1/regions/{world.region.code}/{path}", headers=bearer(token))
        ).status_code == 404


async def test_the_api_is_documented_at_api_docs(client: AsyncTestClient[Litestar]) -> None:
    schema = (await client.get("/api/docs/openapi.json")).json()
    assert "/api/v1/regions/{region_code}/indicators" in schema["paths"]
    assert "/api/v1/regions/{region_code}/schools" in schema["paths"]
    assert not [p for p in schema["paths"] if not p.startswith("/api/")]
    assert "keycloak" in schema["components"]["securitySchemes"]
    # People read it in a viewer served by the app itself: scripts from /static only, none inline.
    viewer = await client.get("/api/docs")
    assert viewer.status_code == 200
    assert viewer.headers["content-type"].startswith("text/html")
    assert 'data-schema="/api/docs/openapi.json"' in viewer.text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", viewer.text, re.S)
    assert scripts
    assert all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    for asset in ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/js/api-docs.js"):
        assert (await client.get(asset)).status_code == 200
