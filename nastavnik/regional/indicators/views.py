"""What the indicator pages show, built from the query string and the rollups."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.ui.pagination import page_number
from nastavnik.regional.indicators import services as svc
from nastavnik.regional.indicators.models import Dimension
from nastavnik.school.participants.models import local_today
from nastavnik.tenants.models import SCHOOL_KIND_TITLES, Municipality, SchoolKind

MONTHS = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]


def chosen_year(params: Mapping[str, Any], years: list[AcademicYear]) -> AcademicYear:
    """The year asked for; else the current one if there is data for it; else the latest with data."""
    asked = AcademicYear.parse(str(params.get("year", "")))
    if asked is not None:
        return asked
    current = AcademicYear.current()
    if not years or current in years:
        return current
    return years[-1]


def month_title(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def chart(kind: str, labels: list[str], datasets: list[dict[str, Any]], **options: Any) -> str:
    return json.dumps({"type": kind, "labels": labels, "datasets": datasets, **options}, ensure_ascii=False)


def filters_of(params: Mapping[str, Any], municipalities: list[Municipality]) -> svc.Filters:
    kind_value = str(params.get("kind", ""))
    kind = SchoolKind(kind_value) if kind_value in {k.value for k in SchoolKind} else None
    wanted = str(params.get("municipality", ""))
    municipality = next((m for m in municipalities if m.code == wanted), None)
    search = str(params.get("q", "")).strip()[:100]
    return svc.Filters(kind=kind, municipality_id=municipality.id if municipality else None, search=search)


# Dashboards computed per worker, keyed by scope and year and checked against the rollups'
# version (one cheap aggregate): a recount of any school of the scope, a deleted school or
# a new target makes the next request compute afresh. Bounded; the oldest entry goes first.
_DASHBOARDS: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], dict[str, Any]]] = OrderedDict()
DASHBOARD_CACHE_SIZE = 256


async def dashboard(db: AsyncSession, scope: svc.Scope, params: Mapping[str, Any]) -> dict[str, Any]:
    """Totals, breakdowns and trends of the scope for the year asked for, with charts' figures."""
    key = (scope.region_id, scope.municipality_id, str(params.get("year", "")), AcademicYear.current())
    version = await svc.rollup_version(db, scope)
    cached = _DASHBOARDS.get(key)
    if cached is not None and cached[0] == version:
        _DASHBOARDS.move_to_end(key)
        return dict(cached[1])
    context = await _dashboard(db, scope, params)
    _DASHBOARDS[key] = (version, context)
    while len(_DASHBOARDS) > DASHBOARD_CACHE_SIZE:
        _DASHBOARDS.popitem(last=False)
    return dict(context)


async def _dashboard(db: AsyncSession, scope: svc.Scope, params: Mapping[str, Any]) -> dict[str, Any]:
    years = await svc.years_available(db, scope)
    year = chosen_year(params, years)
    if year not in years:
        years = sorted([*years, year])
    figures = await svc.totals(db, scope, year)
    target = await svc.region_target(db, scope.region_id)
    by_form = await svc.breakdown(db, scope, year, Dimension.FORM)
    by_direction = await svc.breakdown(db, scope, year, Dimension.DIRECTION)
    months = await svc.breakdown(db, scope, year, Dimension.ROADMAP_MONTH)
    # Completion over the year: rows due by the end of each month, and how many of them are done.
    completion: list[tuple[str, int, int]] = []
    due = done = 0
    for key, total, finished in months:
        due += total
        done += finished
        completion.append((month_title(key), due, done))
    trend = await svc.trend(db, scope)
    coverage_labels = ["Обучающиеся 10-19 лет", "Молодые педагоги"]
    coverage_values = [figures.coverage_pupils, figures.coverage_teachers]
    target_sets = [
        {
            "label": "Федеральный ориентир 70 %",
            "data": [svc.FEDERAL_TARGET] * 2,
            "line": True,
            "color": "#dc2626",
        }
    ]
    if target is not None:
        target_sets.append(
            {"label": f"Цель региона {target} %", "data": [target] * 2, "line": True, "color": "#f59e0b"}
        )
    return {
        "year": year,
        "years": years,
        "figures": figures,
        "target": target,
        "federal_target": svc.FEDERAL_TARGET,
        "monitoring": await svc.monitoring_figures(db, scope, year),
        "by_form": by_form,
        "by_direction": by_direction,
        "completion": completion,
        "trend": trend,
        "definitions": svc.DEFINITIONS,
        "refreshed_at": figures.refreshed_at,
        "coverage_chart": chart(
            "bar",
            coverage_labels,
            [{"label": "Охват, %", "data": coverage_values}, *target_sets],
            percent=True,
        ),
        "form_chart": chart(
            "bar",
            [t for t, _, _ in by_form],
            [{"label": "Пары и группы", "data": [n for _, n, _ in by_form]}],
            horizontal=True,
        ),
        "completion_chart": chart(
            "line",
            [m for m, _, _ in completion],
            [
                {"label": "Мероприятий со сроком к концу месяца", "data": [d for _, d, _ in completion]},
                {"label": "Из них выполнено", "data": [n for _, _, n in completion]},
            ],
        ),
        "trend_chart": chart(
            "line",
            [y.title for y, _ in trend],
            [
                {"label": "Охват 10-19, %", "data": [f.coverage_pupils for _, f in trend]},
                {"label": "Охват молодых педагогов, %", "data": [f.coverage_teachers for _, f in trend]},
            ],
            percent=True,
        ),
    }


async def schools_context(
    db: AsyncSession,
    scope: svc.Scope,
    year: AcademicYear,
    params: Mapping[str, Any],
    municipalities: list[Municipality],
    base_url: str,
) -> dict[str, Any]:
    filters = filters_of(params, municipalities)
    sort = str(params.get("sort", "coverage"))
    if sort not in svc.SORTS:
        sort = "coverage"
    descending = str(params.get("dir", "desc" if sort != "name" else "asc")) != "asc"
    rows, window = await svc.schools_table(
        db, scope, year, filters, sort=sort, descending=descending, page=page_number(params)
    )
    kept = {
        "year": year.title,
        "kind": filters.kind.value if filters.kind else "",
        "municipality": str(params.get("municipality", "")) if filters.municipality_id else "",
        "q": filters.search,
    }
    sort_links = {}
    for key in svc.SORTS:
        # A second click on the sorted column turns the order round.
        flip = "asc" if key == sort and descending else "desc"
        if key == "name":
            flip = "desc" if key == sort and not descending else "asc"
        values = {k: v for k, v in {**kept, "sort": key, "dir": flip}.items() if v}
        sort_links[key] = f"{base_url}?{urlencode(values)}"
    return {
        "sort_links": sort_links,
        "schools": rows,
        "window": window.linked(base_url, {**kept, "sort": sort, "dir": "desc" if descending else "asc"}),
        "sort": sort,
        "descending": descending,
        "sorts": svc.SORTS,
        "filters": filters,
        "kept": kept,
        "kind_titles": SCHOOL_KIND_TITLES,
        "filter_municipalities": municipalities,
        "schools_url": base_url,
    }


# Pages are also re-rendered at least this often, for what the rollups' version does not
# follow (a municipality renamed, a school added before its first recount).
PAGE_MAX_AGE_SECONDS = 300


async def page_version(db: AsyncSession, scope: svc.Scope) -> tuple[Any, ...]:
    """What a cached indicator page of the scope is made of: the rollups' version and the day."""
    return (
        await svc.rollup_version(db, scope),
        local_today(),
        int(time.time() // PAGE_MAX_AGE_SECONDS),
    )


def refreshed_label(moment: dt.datetime | None) -> str:
    if moment is None:
        return "данных ещё нет"
    local = moment.astimezone(dt.timezone(dt.timedelta(hours=3)))  # московское время
    return f"данные на {local:%H:%M} {local:%d.%m.%Y} (МСК)"


async def region_home(db: AsyncSession, region_id: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The region's dashboard: totals, charts and the table by municipality."""
    scope = svc.Scope(region_id)
    context = await dashboard(db, scope, params)
    context["municipality_rows"] = await svc.by_municipality(db, scope, context["year"])
    context["school_total"] = await svc.school_count(db, scope)
    context["refreshed"] = refreshed_label(context["refreshed_at"])
    return context


async def municipality_home(
    db: AsyncSession, region_id: Any, municipality_id: Any, code: str, params: Mapping[str, Any]
) -> dict[str, Any]:
    scope = svc.Scope(region_id, municipality_id)
    context = await dashboard(db, scope, params)
    context |= await schools_context(db, scope, context["year"], params, [], f"/m/{code}/")
    context["school_total"] = await svc.school_count(db, scope)
    context["refreshed"] = refreshed_label(context["refreshed_at"])
    return context
