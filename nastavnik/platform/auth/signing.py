"""Small signed, time-limited values for cookies and links (HMAC-SHA256 over compact JSON).

Each kind of value is signed with its own key, derived from SESSION_SECRET and the
purpose, so a value made for one purpose (a participant's preference link) is never
accepted as another (the login state cookie), even though both are signed by the app.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from enum import StrEnum
from typing import Any


class Purpose(StrEnum):
    LOGIN_STATE = "login-state"
    PREFERENCE_LINK = "preference-link"
    QUESTIONNAIRE_LINK = "questionnaire-link"
    CSRF = "csrf"


def derive_key(secret: str, purpose: Purpose) -> bytes:
    """A key for one purpose: HMAC(secret, label) — the extract-and-expand of HKDF in one step,
    enough because the secret is already random and long."""
    return hmac.new(secret.encode(), f"nastavnik/{purpose.value}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: str, payload: dict[str, Any], *, purpose: Purpose) -> str:
    body = _b64(json.dumps({"t": int(time.time()), "p": payload}, separators=(",", ":")).encode())
    mac = hmac.new(derive_key(secret, purpose), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(secret: str, value: str, *, purpose: Purpose, max_age: int) -> dict[str, Any] | None:
    """The payload if the signature for `purpose` is right and it is not older than `max_age` s."""
    body, _, mac = value.partition(".")
    if not body or not mac:
        return None
    expected = hmac.new(derive_key(secret, purpose), body.encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(mac)):
            return None
        data = json.loads(_unb64(body))
    except (ValueError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int) or time.time() - data["t"] > max_age:
        return None
    payload = data.get("p")
    return payload if isinstance(payload, dict) else None
