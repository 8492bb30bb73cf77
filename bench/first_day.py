"""A new curator's first day, scripted in Chromium: from an empty school to the approved order.

    scripts/uv run python -m bench.first_day                    # 200 people (170 pupils, 30 teachers)
    scripts/uv run python -m bench.first_day --rows 60 --mentors 10 --shots var/bench/first-day-shots

The path (issue 10): first sign-in through the real Keycloak form → the programme of the
current year from the regional template → import of one XLSX of pupils and teachers
(the platform's template: «Кто», «Роль», ФИО, birth date, class, parent's ФИО and phone,
directions, capacity) → consents of all of them in the «Полученные согласия» grid → the
requests (they came in the file's «Направления» column; nothing to type) → a matching
round «Учитель – ученик» → approval with the order's number → the order PDF.

Everything runs here: a database of its own on the embedded PostgreSQL (`var/bench`,
migrated from scratch, `nastavnik seed-demo --region-only`: the demo region's schools with
staff and no programme, people or pairs), a Keycloak of its own (`--keycloak-port`, the
realm of `deploy/keycloak`), `nastavnik serve` on a free port among 8765-8769 (the realm's
redirect URIs) and headless Chromium.

What is counted: every click (a menu link, a button, a checkbox; a drop-down choice is two
clicks; choosing a file is two), every field typed and its characters, every page loaded
(main-frame navigations), and the wall time. The minutes of a person are estimated from
those counts with stated unit times (defaults: 3 s a click, 5 s a field plus 0.25 s a
character, 5 s to read each new page) plus the server's own time as measured; the
spreadsheet itself is the school system's export, prepared outside the platform.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook
from playwright.sync_api import Locator, Page, expect, sync_playwright

from nastavnik.cli import migrate
from nastavnik.platform.academic_year import AcademicYear
from nastavnik.platform.database import DatabaseUrls
from nastavnik.platform.embedded_db import APP_ROLE, drop_database, ensure_database, start_server
from nastavnik.platform.keycloak_server import KeycloakServer, default_cache_dir, ensure_distribution
from nastavnik.platform.settings import PROJECT_ROOT
from nastavnik.school.participants.importing import TEMPLATE_COLUMNS

SCHOOL = "sosh2-zar"
USER = "curator"
DATABASE = "nastavnik_bench_first_day"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
GOAL_MINUTES = 30

LAST_M = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Волков",
]
FIRST_M = ["Артём", "Максим", "Иван", "Михаил", "Даниил", "Егор", "Кирилл", "Тимур", "Матвей", "Роман"]
FIRST_F = ["Анна", "Мария", "София", "Алиса", "Дарья", "Полина", "Ева", "Вера", "Ксения", "Варвара"]
FATHERS = ["Александр", "Сергей", "Андрей", "Дмитрий", "Алексей", "Игорь", "Олег", "Павел", "Виктор", "Юрий"]
MOTHERS = ["Ольга", "Елена", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Марина", "Анна", "Екатерина"]
DIRECTIONS = ["1", "2", "3", "4", "5", "6", "7", "9", "4; 9", "1; 7"]


PATRONYMICS = {
    "Александр": ("Александрович", "Александровна"),
    "Сергей": ("Сергеевич", "Сергеевна"),
    "Андрей": ("Андреевич", "Андреевна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Алексей": ("Алексеевич", "Алексеевна"),
    "Игорь": ("Игоревич", "Игоревна"),
    "Олег": ("Олегович", "Олеговна"),
    "Павел": ("Павлович", "Павловна"),
    "Виктор": ("Викторович", "Викторовна"),
    "Юрий": ("Юрьевич", "Юрьевна"),
}


def _middle(father: str, female: bool) -> str:
    return PATRONYMICS[father][1 if female else 0]


def _surname(last: str, female: bool) -> str:
    return last + "а" if female else last


def build_file(rows: int, mentors: int, year: AcademicYear) -> bytes:
    """The school's list in the platform's template: pupils with parents, teachers as mentors."""
    rng = random.Random(10)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.append([c.header for c in TEMPLATE_COLUMNS])
    index = {c.header: i for i, c in enumerate(TEMPLATE_COLUMNS)}
    capacity = -(-(rows - mentors) // mentors)
    seen: set[tuple[str, str, str]] = set()
    for number in range(rows):
        row = [""] * len(TEMPLATE_COLUMNS)
        female = rng.random() < 0.5
        while True:
            last = _surname(rng.choice(LAST_M), female)
            first = rng.choice(FIRST_F if female else FIRST_M)
            middle = _middle(rng.choice(FATHERS), female)
            if (last, first, middle) not in seen:
                seen.add((last, first, middle))
                break
        row[index["Фамилия"]], row[index["Имя"]], row[index["Отчество"]] = last, first, middle
        if number < mentors:
            row[index["Кто"]], row[index["Роль"]] = "педагог", "наставник"
            born = dt.date(rng.randint(1965, 1995), rng.randint(1, 12), rng.randint(1, 28))
            row[index["Должность"]] = "Учитель"
            row[index["Направления"]] = "1; 2; 3; 4; 5; 6; 7; 9"
            row[index["Сколько наставляемых"]] = str(capacity)
        else:
            row[index["Кто"]], row[index["Роль"]] = "обучающийся", "наставляемый"
            grade = rng.randint(5, 10)
            born = dt.date(year.start - 6 - grade, rng.randint(1, 12), rng.randint(1, 28))
            row[index["Класс"]] = f"{grade}{rng.choice('АБВ')}"
            family = last.removesuffix("а") if female else last
            row[index["ФИО родителя"]] = (
                f"{family}а {rng.choice(MOTHERS)} {_middle(rng.choice(FATHERS), True)}"
            )
            digits = (
                f"{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
            )
            row[index["Телефон родителя"]] = "+7 9" + digits
            row[index["Направления"]] = rng.choice(DIRECTIONS)
        row[index["Дата рождения"]] = born.strftime("%d.%m.%Y")
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class Tally:
    """What a person would do, step by step."""

    click_seconds: float
    field_seconds: float
    char_seconds: float
    page_seconds: float
    clicks: int = 0
    fields: int = 0
    chars: int = 0
    pages: int = 0
    steps: list[tuple[str, int, int, int, float]] = field(default_factory=list)
    _mark: tuple[int, int, int, float] = (0, 0, 0, 0.0)

    def start(self) -> None:
        self._mark = (self.clicks, self.fields, self.pages, time.perf_counter())

    def step(self, name: str) -> None:
        clicks, fields, pages, started = self._mark
        self.steps.append(
            (
                name,
                self.clicks - clicks,
                self.fields - fields,
                self.pages - pages,
                time.perf_counter() - started,
            )
        )
        self.start()

    def human_seconds(self, server_seconds: float) -> float:
        return (
            self.clicks * self.click_seconds
            + self.fields * self.field_seconds
            + self.chars * self.char_seconds
            + self.pages * self.page_seconds
            + server_seconds
        )


class Curator:
    """The page, with every action counted."""

    def __init__(self, page: Page, base: str, tally: Tally, shots: Path | None) -> None:
        self.page, self.base, self.tally, self.shots = page, base, tally, shots
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.tally.pages += 1

    def go(self, path: str) -> None:
        """A menu link: one click."""
        self.tally.clicks += 1
        self.page.goto(self.base + path)

    def click(self, target: Locator) -> None:
        self.tally.clicks += 1
        target.click()

    def fill(self, target: Locator, text: str) -> None:
        self.tally.fields += 1
        self.tally.chars += len(text)
        target.fill(text)

    def choose(self, target: Locator, **option: str) -> None:
        self.tally.clicks += 2
        target.select_option(**option)

    def attach(self, target: Locator, name: str, content: bytes, mime: str) -> None:
        self.tally.clicks += 2  # the file dialog: open, pick
        target.set_input_files({"name": name, "mimeType": mime, "buffer": content})

    def shot(self, name: str) -> None:
        if self.shots is not None:
            self.shots.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)


def first_day(  # noqa: PLR0915 - the path, step after step
    curator: Curator, content: bytes, rows: int, mentors: int, year: AcademicYear
) -> bytes:
    page, tally = curator.page, curator.tally
    tally.start()
    # 1. First sign-in: the link on the landing page, Keycloak's form.
    curator.go("/")
    curator.click(page.get_by_role("link", name="Войти").first)
    page.wait_for_selector("#username")
    curator.fill(page.locator("#username"), USER)
    curator.fill(page.locator("#password"), "demo")
    curator.click(page.locator("#kc-login"))
    page.wait_for_url(f"{curator.base}/**")
    tally.step("Вход через Keycloak")

    # 2. The programme of the current year from the regional template, deadlines shifted.
    curator.go(f"/s/{SCHOOL}/programme")
    year_select = page.get_by_label("Учебный год")
    if year_select.input_value() != year.title:
        curator.choose(year_select, label=year.title)
    shift = page.get_by_label("Год уже идёт: сдвинуть сроки шаблона в оставшуюся часть года")
    if shift.count() and not shift.is_checked():
        curator.click(shift)
    curator.click(page.get_by_role("button", name="Создать программу"))
    expect(page.get_by_text("создана")).to_be_visible()
    curator.shot("01-programme")
    tally.step("Программа года")

    # 3. One file of pupils and teachers.
    curator.go(f"/s/{SCHOOL}/participants/import")
    curator.attach(
        page.get_by_label("Файл"),
        "список.xlsx",
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    curator.click(page.get_by_role("button", name="Загрузить и сопоставить столбцы"))
    curator.shot("02-mapping")
    curator.click(page.get_by_role("button", name="Проверить все строки"))
    expect(page.get_by_role("button", name="Загрузить в базу")).to_be_visible()
    curator.click(page.get_by_role("button", name="Загрузить в базу"))
    expect(page.get_by_text("Загружено: новых — " + str(rows))).to_be_visible()
    curator.shot("03-imported")
    tally.step(f"Загрузка файла ({rows} строк)")

    # 4. Consents: the stack of signed forms, page by page of the grid (parents filled in).
    for bank in ("mentees", "mentors"):
        curator.go(f"/s/{SCHOOL}/consents/received?bank={bank}")
        while page.get_by_role("button", name="Записать всех на странице").count():
            if bank == "mentees" and curator.shots is not None:
                curator.shot("04-consents-grid")
            curator.click(page.get_by_role("button", name="Записать всех на странице"))
            expect(page.get_by_text("Записано согласий")).to_be_visible()
    tally.step(f"Согласия ({rows})")

    # 5. Requests: directions and capacities came in the file; the banks show them.
    curator.go(f"/s/{SCHOOL}/mentees")
    expect(page.get_by_text(str(rows - mentors)).first).to_be_visible()
    tally.step("Запросы (из файла)")

    # 6. Matching and approval.
    curator.go(f"/s/{SCHOOL}/matching")
    curator.choose(page.get_by_label("Форма наставничества"), label="Учитель – ученик")
    curator.click(page.get_by_role("button", name="Подобрать пары"))
    expect(page.get_by_role("heading", name="Утвердить подбор")).to_be_visible()
    curator.shot("05-round")
    curator.fill(page.get_by_label("Номер приказа"), "45-о")
    curator.click(page.get_by_role("button", name="Утвердить пары и группы"))
    expect(page.get_by_text("Подбор утверждён")).to_be_visible()
    tally.step("Подбор и утверждение")

    # 7. The order.
    with page.expect_download() as info:
        curator.click(page.get_by_role("link", name="Приказ (PDF)"))
    path = info.value.path()
    tally.step("Приказ (PDF)")
    return Path(path).read_bytes()


def free_port(ports: range) -> int:
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    msg = f"нет свободного порта среди {ports.start}-{ports.stop - 1}"
    raise RuntimeError(msg)


@contextlib.contextmanager
def stack(keycloak_port: int, keep: bool) -> Iterator[str]:
    """Database, Keycloak and `nastavnik serve` of this benchmark; yields the app's URL."""
    data = PROJECT_ROOT / "var" / "bench"
    socket_dir = start_server(data)
    drop_database(socket_dir, DATABASE)
    db = ensure_database(socket_dir, DATABASE)
    urls = DatabaseUrls(db.app_url, db.owner_url, APP_ROLE, embedded=True)
    migrate(urls)
    port = free_port(range(8765, 8770))
    base = f"http://localhost:{port}"
    keycloak = KeycloakServer(
        ensure_distribution(default_cache_dir()),
        data / "first-day-keycloak",
        http_port=keycloak_port,
        management_port=keycloak_port + 1000,
        reuse=True,
        keep_data=True,
        extra_env={"NASTAVNIK_BACKCHANNEL_LOGOUT_URL": f"http://127.0.0.1:{port}/auth/backchannel-logout"},
    )
    keycloak.start()
    env = {
        **os.environ,
        "DATABASE_URL": urls.app.replace("postgresql+psycopg://", "postgresql://", 1),
        "MIGRATION_DATABASE_URL": urls.migration.replace("postgresql+psycopg://", "postgresql://", 1),
        "APP_BASE_URL": base,
        "KEYCLOAK_URL": keycloak.base_url,
        "NASTAVNIK_DATA_DIR": str(data / "first-day"),
        "SMTP_PORT": str(free_port(range(2600, 2700))),
        "LOG_LEVEL": "WARNING",
    }
    server: subprocess.Popen[bytes] | None = None
    log = data / "first-day-serve.log"
    try:
        seed = subprocess.run(
            [sys.executable, "-m", "nastavnik.cli", "seed-demo", "--region-only"],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if seed.returncode != 0:
            raise RuntimeError(seed.stderr[-3000:])
        with log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "nastavnik.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                cwd=PROJECT_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("nastavnik serve не запустился:\n" + log.read_text()[-3000:])
            time.sleep(0.3)
        yield base
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        keycloak.stop()
        if not keep:
            drop_database(socket_dir, DATABASE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200, help="people in the file (default 200)")
    parser.add_argument("--mentors", type=int, default=30, help="of them teachers as mentors (default 30)")
    parser.add_argument("--keycloak-port", type=int, default=8196)
    parser.add_argument("--click-seconds", type=float, default=3.0)
    parser.add_argument("--field-seconds", type=float, default=5.0)
    parser.add_argument("--char-seconds", type=float, default=0.25)
    parser.add_argument("--page-seconds", type=float, default=5.0)
    parser.add_argument("--shots", type=Path, help="save a screenshot of each step here")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    year = AcademicYear.current(dt.date.today())
    content = build_file(args.rows, args.mentors, year)
    tally = Tally(args.click_seconds, args.field_seconds, args.char_seconds, args.page_seconds)
    with stack(args.keycloak_port, args.keep) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="ru-RU", accept_downloads=True
        )
        context.set_default_timeout(120_000)
        started = time.perf_counter()
        pdf = first_day(
            Curator(context.new_page(), base, tally, args.shots), content, args.rows, args.mentors, year
        )
        wall = time.perf_counter() - started
        browser.close()
    if not pdf.startswith(b"%PDF"):
        print("Приказ не получен", file=sys.stderr)
        return 1
    if args.shots is not None:
        (args.shots / "order.pdf").write_bytes(pdf)
    human = tally.human_seconds(wall)
    pupils = args.rows - args.mentors
    print(f"Первый день куратора: {args.rows} человек ({pupils} обучающихся, {args.mentors} педагогов)")
    print(f"{'шаг':<32} {'клики':>6} {'поля':>5} {'стр.':>5} {'время, с':>9}")
    for name, clicks, fields, pages, seconds in tally.steps:
        print(f"{name:<32} {clicks:>6} {fields:>5} {pages:>5} {seconds:>9.1f}")
    print(f"{'всего':<32} {tally.clicks:>6} {tally.fields:>5} {tally.pages:>5} {wall:>9.1f}")
    print(
        f"Символов набрано: {tally.chars}. Оценка для человека: {human / 60:.1f} мин "
        f"({args.click_seconds:g} с на клик, {args.field_seconds:g} с на поле"
        f" + {args.char_seconds:g} с на символ, "
        f"{args.page_seconds:g} с прочесть страницу, плюс {wall:.0f} с работы сервера и браузера); "
        f"цель — меньше {GOAL_MINUTES} мин: {'выполнена' if human < GOAL_MINUTES * 60 else 'НЕ выполнена'}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
