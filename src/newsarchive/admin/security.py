"""Admin login and CSRF: a signed session cookie that holds whether this browser logged in with
NEWSARCHIVE_ADMIN_TOKEN, and a per-session token every state-changing form must echo back."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from newsarchive.config import Settings


def session_secret(settings: Settings) -> str:
    """Derived from the admin token: changing the token logs every browser out. Without a
    token nobody can log in, so a random per-process secret will do."""
    if settings.admin_token is None or not settings.writes_enabled:
        return secrets.token_hex(32)
    token = settings.admin_token.get_secret_value().encode()
    return hmac.new(token, b"newsarchive admin session", hashlib.sha256).hexdigest()


def token_matches(settings: Settings, given: str) -> bool:
    if settings.admin_token is None or not settings.writes_enabled:
        return False
    expected = settings.admin_token.get_secret_value().encode()
    return secrets.compare_digest(given.encode(), expected)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def csrf_ok(request: Request, given: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and given) and secrets.compare_digest(str(expected), str(given))


def logged_in(request: Request) -> bool:
    return request.session.get("admin") is True


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session.setdefault("flash", []).append({"kind": kind, "message": message})


def take_flashes(request: Request) -> list[dict[str, str]]:
    return list(request.session.pop("flash", []))
