"""Small signed, time-limited values for cookies (HMAC-SHA256 over compact JSON)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: str, payload: dict[str, Any]) -> str:
    body = _b64(json.dumps({"t": int(time.time()), "p": payload}, separators=(",", ":")).encode())
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(secret: str, value: str, *, max_age: int) -> dict[str, Any] | None:
    """The payload if the signature is right and it is not older than `max_age` seconds."""
    body, _, mac = value.partition(".")
    if not body or not mac:
        return None
    expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(mac)):
            return None
        data = json.loads(_unb64(body))
    except (ValueError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or time.time() - int(data.get("t", 0)) > max_age:
        return None
    payload = data.get("p")
    return payload if isinstance(payload, dict) else None
