"""Admin login and CSRF: a signed session cookie that holds whether this browser logged in with
NEWSARCHIVE_ADMIN_TOKEN, a per-session token every state-changing form must echo back (the
form dependencies below), and the headers every admin page carries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from newsarchive.config import Settings
from newsarchive.errors import Forbidden, LoginRequired


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


SECURITY_HEADERS = {
    # No script runs on these pages at all, so stored content cannot bring one in.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def login_required(request: Request) -> None:
    """A dependency of every page but the login page's."""
    if not logged_in(request):
        raise LoginRequired(request.url.path)


async def posted_form(request: Request) -> dict[str, Any]:
    """The posted form, read on the event loop (it is I/O); the handlers that take it are
    plain functions, run in the thread pool, since they fetch, extract and write."""
    form = await request.form()
    return {key: form.getlist(key) if key in ("feed", "sitemap") else form.get(key) for key in form}


async def checked_form(request: Request) -> dict[str, Any]:
    """The posted form of a logged-in admin, with a valid CSRF token; else refused."""
    login_required(request)
    form = await posted_form(request)
    if not csrf_ok(request, str(form.get("csrf", ""))):
        for value in form.values():
            if isinstance(value, UploadFile):  # (an upload refused unread)
                await value.close()
        raise Forbidden(
            "This form has expired or did not come from this page. Reload it and try again."
        )
    return form


PostedForm = Annotated[dict[str, Any], Depends(posted_form)]
CheckedForm = Annotated[dict[str, Any], Depends(checked_form)]


def safe_next(url: str) -> str:
    """Only redirect within the admin (no open redirects through ?next=)."""
    return url if url.startswith("/admin") and not url.startswith("//") else "/admin/"
