"""Logging in with NEWSARCHIVE_ADMIN_TOKEN, and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from newsarchive.admin.pages import AdminSettings, back, render
from newsarchive.admin.security import (
    CheckedForm,
    PostedForm,
    csrf_ok,
    csrf_token,
    flash,
    safe_next,
    token_matches,
)
from newsarchive.errors import Forbidden

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/admin/") -> HTMLResponse:
    return render(request, "login.html", next=safe_next(next))


@router.post("/login")
def login(request: Request, form: PostedForm, settings: AdminSettings) -> Response:
    if not csrf_ok(request, str(form.get("csrf", ""))):
        raise Forbidden("This form has expired. Reload the login page and try again.")
    if not settings.writes_enabled:
        raise Forbidden("No admin token is configured: set NEWSARCHIVE_ADMIN_TOKEN and restart.")
    if not token_matches(settings, str(form.get("token", ""))):
        flash(request, "Wrong token.", "error")
        return render(request, "login.html", next=safe_next(str(form.get("next", ""))))
    request.session.clear()
    request.session["admin"] = True
    csrf_token(request)
    return back(safe_next(str(form.get("next", ""))))


@router.post("/logout")
def logout(request: Request, form: CheckedForm) -> Response:
    request.session.clear()
    return back("/admin/login")
