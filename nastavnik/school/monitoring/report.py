"""The monitoring report: charts drawn by ReportLab's charting library (SVG in the page, the
same drawing in the PDF), and the document in PDF, DOCX and XLSX with the raw figures."""

from __future__ import annotations

from html import escape

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.documents.fonts import SANS, register_fonts
from nastavnik.platform.documents.model import (
    Cell,
    Column,
    Document,
    Figure,
    Heading,
    Paragraph,
    Table,
)
from nastavnik.school.monitoring.pupil_results import PupilResultsSummary
from nastavnik.school.monitoring.services import (
    SWOT_FIELDS,
    SWOT_TITLES,
    MonitoringFigures,
    QualityByForm,
    RateByQuestionnaire,
)
from nastavnik.school.questionnaires.models import MonitoringSummary
from nastavnik.tenants.models import School

BEFORE = colors.HexColor("#9aa5b1")
AFTER = colors.HexColor("#1f6feb")
WIDTH, HEIGHT = 480, 220
# Under a bar there is room for a word or two.
SHORT_TITLES = {
    "motivation": "Мотивация",
    "competences": "Компетенции",
    "growth": "Рост",
    "involvement": "Включённость",
    "adaptation": "Адаптация",
    "wish_mentor": "Стать наставником",
}


def _decimal_comma(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _font() -> str:
    register_fonts()
    return SANS.face()


def _bar_chart(
    title: str,
    labels: list[str],
    series: list[list[float]],
    names: list[str],
    value_max: float,
    *,
    counts: bool = False,
) -> Drawing:
    font = _font()
    drawing = Drawing(WIDTH, HEIGHT)
    drawing.add(String(0, HEIGHT - 14, title, fontName=font, fontSize=11))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 36, 54, WIDTH - 60, HEIGHT - 100
    chart.data = [tuple(s) for s in series]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 0
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = value_max
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.barLabelFormat = "%d" if counts else _decimal_comma
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    chart.groupSpacing = 8
    palette = [BEFORE, AFTER]
    for i in range(len(series)):
        chart.bars[i].fillColor = palette[i % len(palette)]
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    if len(names) > 1:
        legend = Legend()
        # Under the title, at the right, clear of the bars' labels.
        legend.x, legend.y = WIDTH - 190, HEIGHT - 26
        legend.fontName, legend.fontSize = font, 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.colorNamePairs = list(zip(palette, names, strict=False))
        drawing.add(legend)
    return drawing


def impact_chart(figures: MonitoringFigures) -> Drawing | None:
    if not figures.has_impact:
        return None
    changes = [c for c in figures.impact if c.people]
    return _bar_chart(
        "Влияние программы: до и после (средний балл 1-10)",
        [SHORT_TITLES.get(c.parameter, c.title) for c in changes],
        [[c.before or 0 for c in changes], [c.after or 0 for c in changes]],
        ["Входной замер", "Итоговый замер"],
        10,
    )


def satisfaction_chart(figures: MonitoringFigures) -> Drawing | None:
    if figures.satisfaction_average is None:
        return None
    scores = sorted(figures.satisfaction_distribution)
    counts = [float(figures.satisfaction_distribution[s]) for s in scores]
    return _bar_chart(
        "Удовлетворённость участием (число ответов по баллам)",
        [str(s) for s in scores],
        [counts],
        ["Ответов"],
        max(*counts, 1) * 1.2,
        counts=True,
    )


def rates_chart(rates: list[RateByQuestionnaire]) -> Drawing | None:
    """The share of answers per questionnaire, as horizontal bars (a title reads beside its bar)."""
    if not rates:
        return None
    font = _font()
    row = 18
    height = 40 + row * len(rates)
    drawing = Drawing(WIDTH, height)
    drawing.add(String(0, height - 14, "Доля ответов по анкетам, %", fontName=font, fontSize=11))
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 220, 16, WIDTH - 250, row * len(rates)
    ordered = list(reversed(rates))  # the chart draws from the bottom up
    chart.data = [tuple(float(r.percent) for r in ordered)]
    chart.categoryAxis.categoryNames = [r.title for r in ordered]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 25
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 8
    chart.bars[0].fillColor = AFTER
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def quality_table(rows: list[QualityByForm]) -> Table:
    def score(value: float | None) -> str:
        return _number(value)

    return Table(
        columns=[
            Column("Форма", 2.4),
            Column("Наставников", 1, "right"),
            Column("Их оценка (1-5)", 1.2, "right"),
            Column("Наставляемых", 1, "right"),
            Column("Их оценка (1-5)", 1.2, "right"),
        ],
        rows=[
            [r.form, str(r.mentors), score(r.mentors_score), str(r.mentees), score(r.mentees_score)]
            for r in rows
        ],
    )


def rates_table(rates: list[RateByQuestionnaire]) -> Table:
    return Table(
        columns=[
            Column("Анкета", 3),
            Column("Разослано", 1, "right"),
            Column("Ответов", 1, "right"),
            Column("Доля", 1, "right"),
        ],
        rows=[[r.title, str(r.invited), str(r.answered), f"{r.percent} %"] for r in rates],
    )


def _short(title: str) -> str:
    words = title.split()
    return " ".join(words[:2]) if len(words) > 2 else title


def svg(drawing: Drawing | None, title: str = "") -> str:
    """The chart as inline SVG for the page (no XML declaration), titled for screen readers."""
    if drawing is None:
        return ""
    text = renderSVG.drawToString(drawing)
    text = text[text.index("<svg") :].replace("<svg ", '<svg role="img" ', 1)
    return text.replace("<title>...</title>", f"<title>{escape(title)}</title>", 1).replace(
        "<desc>...</desc>", "", 1
    )


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def impact_table(figures: MonitoringFigures) -> Table:
    return Table(
        columns=[
            Column("Параметр", 2.8),
            Column("Ответили оба раза", 1.2, "right"),
            Column("До", 1, "right"),
            Column("После", 1, "right"),
            Column("Изменение", 1.3, "right"),
        ],
        rows=[
            [
                c.title,
                str(c.people),
                _number(c.before),
                _number(c.after),
                "—" if c.delta is None else f"{c.delta:+.2f}".replace(".", ","),
            ]
            for c in figures.impact
        ],
    )


def summary_rows(figures: MonitoringFigures, contingent: dict[str, int] | None = None) -> list[list[str]]:
    rate = "—" if figures.response_rate is None else f"{round(100 * figures.response_rate)} %"
    return [
        ["Опрошено обучающихся", str(figures.surveyed_pupils)],
        ["Опрошено педагогов", str(figures.surveyed_teachers)],
        ["Опрошено других участников", str(figures.surveyed_other)],
        ["Наставников пар, ответивших на анкеты", str(figures.surveyed_by_role.get("mentor", 0))],
        ["Наставляемых пар, ответивших на анкеты", str(figures.surveyed_by_role.get("mentee", 0))],
        ["Разослано анкет / получено ответов", f"{figures.invited} / {figures.answered}"],
        ["Доля ответов", rate],
        ["Средняя удовлетворённость (1-10)", _number(figures.satisfaction_average)],
        ["Пары без обратной связи 5 недель", str(figures.pairs_without_feedback)],
    ]


def pupil_results_table(results: PupilResultsSummary) -> Table:
    return Table(columns=[Column("Показатель", 3), Column("Значение", 1.2, "right")], rows=results.rows())


def build_document(
    school: School,
    year: AcademicYear,
    figures: MonitoringFigures,
    summary: MonitoringSummary | None,
    results: PupilResultsSummary | None = None,
    rates: list[RateByQuestionnaire] | None = None,
    quality: list[QualityByForm] | None = None,
) -> Document:
    blocks: list[object] = [
        Heading("1. Общие показатели", level=2, align="left"),
        Table(
            columns=[Column("Показатель", 3), Column("Значение", 1.2, "right")], rows=summary_rows(figures)
        ),
    ]
    numbers = iter(range(1, 10))
    rates_drawing = rates_chart(rates or [])
    if rates_drawing is not None and rates:
        blocks += [
            Figure(rates_drawing, f"Рисунок {next(numbers)}. Доля ответов по анкетам."),
            rates_table(rates),
        ]
    blocks += [
        Heading("2. Этап 1. Качество реализации программы (SWOT)", level=2, align="left"),
    ]
    if quality:
        blocks += [
            Paragraph("Анкеты качества по формам наставничества", align="left", bold=True, indent=False),
            quality_table(quality),
        ]
    swot_rows = [
        [Cell(SWOT_TITLES[name], bold=True), getattr(summary, name, "") or "Не заполнено"]
        for name in SWOT_FIELDS
    ]
    blocks.append(Table(columns=[Column("", 1.2), Column("", 4)], rows=swot_rows, show_header=False))
    if results is not None and results.pairs:
        blocks.append(
            Paragraph(
                "Результаты обучающихся наставляемых педагогов (пары «педагог – педагог»)",
                align="left",
                bold=True,
                indent=False,
            )
        )
        blocks.append(pupil_results_table(results))
    blocks.append(Heading("3. Этап 2. Влияние программы на участников", level=2, align="left"))
    chart = impact_chart(figures)
    if chart is None:
        blocks.append(Paragraph("Входной и итоговый замеры одних и тех же участников ещё не собраны."))
    else:
        blocks.append(Figure(chart, f"Рисунок {next(numbers)}. Средние баллы по параметрам до и после."))
    blocks.append(impact_table(figures))
    for label, groups in (("Форма", figures.impact_by_form), ("Направление", figures.impact_by_direction)):
        for group_title, changes in groups.items():
            blocks.append(Paragraph(f"{label} «{group_title}»", align="left", bold=True, indent=False))
            blocks.append(
                impact_table(MonitoringFigures(academic_year=figures.academic_year, impact=changes))
            )
    blocks.append(Heading("4. Удовлетворённость участников", level=2, align="left"))
    sat = satisfaction_chart(figures)
    if sat is None:
        blocks.append(Paragraph("Анкета удовлетворённости ещё не заполнена участниками."))
    else:
        blocks.append(Figure(sat, f"Рисунок {next(numbers)}. Распределение оценок удовлетворённости."))
        blocks.append(
            Table(
                columns=[Column("Балл", 1, "right"), Column("Ответов", 1, "right")],
                rows=[[str(s), str(n)] for s, n in figures.satisfaction_distribution.items()],
            )
        )
    return Document(
        title="Отчёт о мониторинге программы наставничества",
        subtitle=f"{year.title} учебный год",
        organisation=school.name,
        blocks=blocks,  # type: ignore[arg-type]
    )


def xlsx_sheets(
    figures: MonitoringFigures,
    results: PupilResultsSummary | None = None,
    rates: list[RateByQuestionnaire] | None = None,
    quality: list[QualityByForm] | None = None,
) -> list[tuple[str, Table]]:
    sheets = [
        (
            "Показатели",
            Table(columns=[Column("Показатель", 3), Column("Значение", 1.2)], rows=summary_rows(figures)),
        ),
        ("До и после", impact_table(figures)),
        (
            "Удовлетворённость",
            Table(
                columns=[Column("Балл", 1), Column("Ответов", 1)],
                rows=[[str(s), str(n)] for s, n in figures.satisfaction_distribution.items()],
            ),
        ),
    ]
    if rates:
        sheets.append(("Доля ответов", rates_table(rates)))
    if quality:
        sheets.append(("Качество по формам", quality_table(quality)))
    if results is not None and results.pairs:
        sheets.append(("Результаты обучающихся", pupil_results_table(results)))
    for form_title, changes in figures.impact_by_form.items():
        sheets.append(
            (
                form_title[:31],
                impact_table(MonitoringFigures(academic_year=figures.academic_year, impact=changes)),
            )
        )
    return sheets
