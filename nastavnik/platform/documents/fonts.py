"""The DejaVu fonts embedded into generated PDFs.

The TTF files come from the npm package `dejavu-fonts-ttf` and are copied by
`scripts/vendor-assets.mjs` into `nastavnik/static/vendor/fonts/` at setup; they are never
committed. ReportLab's built-in fonts have no Cyrillic, so without these files no document
can be produced and we say so plainly instead of printing empty boxes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONTS_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "fonts"


class FontsMissingError(RuntimeError):
    """The vendor fonts are not installed; the message says how to install them."""


@dataclass(frozen=True)
class FontFamily:
    name: str
    regular: str
    bold: str
    italic: str
    bold_italic: str

    def files(self) -> dict[str, str]:
        return {
            self.name: self.regular,
            f"{self.name}-Bold": self.bold,
            f"{self.name}-Italic": self.italic,
            f"{self.name}-BoldItalic": self.bold_italic,
        }

    def face(self, *, bold: bool = False, italic: bool = False) -> str:
        suffix = {(False, False): "", (True, False): "-Bold", (False, True): "-Italic"}
        return self.name + suffix.get((bold, italic), "-BoldItalic")


# Serif stands in for Times New Roman (the usual face of Russian official papers).
SERIF = FontFamily(
    "DejaVuSerif",
    "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic.ttf",
    "DejaVuSerif-BoldItalic.ttf",
)
SANS = FontFamily(
    "DejaVuSans",
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
)
FAMILIES = (SERIF, SANS)

_lock = threading.Lock()
# Directories whose fonts ReportLab already knows; registering twice is wasted work.
_registered: set[Path] = set()


def required_files(fonts_dir: Path = FONTS_DIR) -> list[Path]:
    return [fonts_dir / name for family in FAMILIES for name in family.files().values()]


def check_fonts(fonts_dir: Path = FONTS_DIR) -> None:
    missing = [path.name for path in required_files(fonts_dir) if not path.is_file()]
    if missing:
        msg = (
            f"Нет шрифтов для документов в {fonts_dir}: {', '.join(missing)}. "
            "Установите их: npm ci && node scripts/vendor-assets.mjs"
        )
        raise FontsMissingError(msg)


def register_fonts(fonts_dir: Path = FONTS_DIR) -> None:
    """Registers the families with ReportLab once per process (thread-safe)."""
    if fonts_dir in _registered:
        return
    with _lock:
        if fonts_dir in _registered:
            return
        check_fonts(fonts_dir)
        for family in FAMILIES:
            for face, filename in family.files().items():
                pdfmetrics.registerFont(TTFont(face, str(fonts_dir / filename)))
            addMapping(family.name, 0, 0, family.face())
            addMapping(family.name, 1, 0, family.face(bold=True))
            addMapping(family.name, 0, 1, family.face(italic=True))
            addMapping(family.name, 1, 1, family.face(bold=True, italic=True))
        _registered.add(fonts_dir)
