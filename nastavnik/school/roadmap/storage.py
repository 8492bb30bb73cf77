"""Files attached to roadmap rows, kept under `settings.storage_dir`, with size and type limits.

The stored name is a fresh UUID: nothing the uploader typed reaches the file system. A file
is accepted by its extension *and* by its first bytes, so a renamed program is refused.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)


@dataclass(frozen=True)
class FileKind:
    content_type: str
    signatures: tuple[bytes, ...]


ALLOWED: dict[str, FileKind] = {
    ".pdf": FileKind("application/pdf", (b"%PDF-",)),
    ".jpg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": FileKind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".odt": FileKind("application/vnd.oasis.opendocument.text", _ZIP),
    ".ods": FileKind("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    ".doc": FileKind("application/msword", _OLE),
    ".xls": FileKind("application/vnd.ms-excel", _OLE),
}
ALLOWED_TITLE = "PDF, JPG, PNG, DOC, DOCX, XLS, XLSX, ODT, ODS"
ACCEPT_ATTRIBUTE = ",".join(sorted(ALLOWED))
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


class UploadRejectedError(ValueError):
    """The file cannot be attached; the message says why and what to do."""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes
    sha256: str


def megabytes(size: int, *, up: bool = False) -> str:
    """«10», «2,5»: tenths of a megabyte; a file's size is rounded up, so it never looks
    equal to the limit it exceeds."""
    tenths = size * 10 / (1024 * 1024)
    value = (math.ceil(tenths) if up else round(tenths)) / 10
    return f"{value:.1f}".replace(".", ",").removesuffix(",0")


def check_upload(filename: str, data: bytes, max_bytes: int) -> CheckedFile:
    name = _UNSAFE_NAME.sub("_", Path(filename or "").name).strip(" .")[:200]
    if not name:
        raise UploadRejectedError("Выберите файл.")
    if not data:
        raise UploadRejectedError(f"Файл «{name}» пуст — выберите другой.")
    if len(data) > max_bytes:
        raise UploadRejectedError(
            f"Файл «{name}» весит {megabytes(len(data), up=True)} МБ, "
            f"а можно не больше {megabytes(max_bytes)} МБ. "
            "Уменьшите его (например, отсканируйте в меньшем разрешении) или разделите на части."
        )
    kind = ALLOWED.get(Path(name).suffix.lower())
    if kind is None:
        raise UploadRejectedError(f"Файлы такого типа прикреплять нельзя. Подходят: {ALLOWED_TITLE}.")
    if not any(data.startswith(signature) for signature in kind.signatures):
        raise UploadRejectedError(
            f"Содержимое файла «{name}» не соответствует его расширению — сохраните файл заново "
            f"в одном из форматов: {ALLOWED_TITLE}."
        )
    return CheckedFile(name, kind.content_type, data, hashlib.sha256(data).hexdigest())


class AttachmentStore:
    """Files of one deployment, under `<storage_dir>/roadmap/<school_id>/<uuid>`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            msg = "storage key escapes the storage folder"
            raise ValueError(msg)
        return path

    def save(self, school_id: uuid.UUID, data: bytes, *, folder: str = "roadmap") -> str:
        """Store `data` under `<folder>/<owner>/<uuid>` (the region's bank: `bank/<region_id>`)."""
        key = f"{folder}/{school_id}/{uuid.uuid4().hex}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
        return key

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
