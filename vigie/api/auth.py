"""Login, logout, who am I, and single sign-on (OIDC) routes under /api/v1/auth.

Browsers get an HttpOnly session cookie (SameSite=Lax); the plain HTML login form is protected
by a double-submit CSRF cookie; JSON clients post {"name", "password"}. Secrets are never logged.
"""

from __future__ import annotations

import html
import secrets
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from people.bearer import same
from people.errors import LoginFailed, LoginThrottled, OidcError
from people.oidc import seal, unseal
from people.service import Login, PeopleService
from vigie.access import principal_of

LOGIN_CSRF_COOKIE = "vigie_login_csrf"
OIDC_COOKIE = "vigie_oidc"


def source_of(request: Request) -> str:
    return request.client.host if request.client else ""


def _safe_next(value: str) -> str:
    return value if value.startswith("/") and not value.startswith("//") else "/"


def _login_page(csrf: str, next_url: str, error: str, sso: bool) -> str:
    message = f'<p role="alert" class="error">{html.escape(error)}</p>' if error else ""
    sso_link = (
        f'<p><a href="/api/v1/auth/oidc/login?next={html.escape(next_url)}">'
        "Connexion unique (SSO)</a></p>"
        if sso
        else ""
    )
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Vigie 15 — connexion</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Vigie 15</h1>{message}
<form method="post" action="/api/v1/auth/login">
<input type="hidden" name="csrf_token" value="{html.escape(csrf)}">
<input type="hidden" name="next" value="{html.escape(next_url)}">
<p><label for="name">Identifiant</label>
<input id="name" name="name" autocomplete="username" required autofocus></p>
<p><label for="password">Mot de passe</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Se connecter</button></p></form>{sso_link}</main></body></html>"""


def _start_session(
    request: Request, people: PeopleService, login: Login, response: Response
) -> None:
    policy = people.sessions.policy
    response.set_cookie(
        policy.cookie,
        login.secret,
        max_age=int(policy.lifetime.total_seconds()),
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
        path="/",
    )


def _me(login: Login) -> dict[str, Any]:
    person = login.person
    return {
        "name": person.name,
        "display_name": person.display_name,
        "roles": sorted(person.roles),
        "samu_scope": None if person.samu_scope is None else sorted(person.samu_scope),
        "csrf_token": login.session.csrf,
    }


def create_auth_router(people: PeopleService) -> APIRouter:
    """The /api/v1/auth routes."""
    router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
    cookie = people.sessions.policy.cookie

    @router.get("/login", response_class=HTMLResponse, summary="The login form")
    def login_form(request: Request, next: str = "/", error: str = "") -> HTMLResponse:
        csrf = secrets.token_urlsafe(24)
        text = _login_page(csrf, _safe_next(next), error[:100], people.oidc is not None)
        response = HTMLResponse(text, headers={"Cache-Control": "no-store"})
        response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/")
        return response

    @router.post("/login", summary="Log in with a name and password (JSON or form)")
    async def login(request: Request) -> Response:
        is_form = request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        )
        if is_form:
            raw = await request.body()
            if len(raw) > 16_384:
                raise HTTPException(413, "login form too large")
            data = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
            expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
            if not expected or not same(data.get("csrf_token", ""), expected):
                raise HTTPException(403, "missing or wrong CSRF token: reload the login page")
        else:
            try:
                body = await request.json()
            except ValueError:
                raise HTTPException(400, "send JSON {name, password} or the login form") from None
            data = {k: str(v) for k, v in body.items()} if isinstance(body, dict) else {}
        name, password = data.get("name", ""), data.get("password", "")
        if not name or not password:
            raise HTTPException(400, "name and password are required")
        old = request.cookies.get(cookie, "")
        try:
            done = await run_in_threadpool(people.login, name, password, source_of(request))
        except LoginThrottled as exc:
            return JSONResponse({"detail": str(exc)}, 429, {"Retry-After": str(exc.retry_after_s)})
        except LoginFailed as exc:
            if is_form:
                return RedirectResponse(
                    "/api/v1/auth/login?error=Identifiant+ou+mot+de+passe+incorrect",
                    status_code=303,
                )
            raise HTTPException(401, str(exc)) from None
        if old:  # a new session at every login: the one the browser brought is ended
            await run_in_threadpool(people.sessions.revoke, old)
        response: Response = (
            RedirectResponse(_safe_next(data.get("next", "/")), status_code=303)
            if is_form
            else JSONResponse(_me(done))
        )
        _start_session(request, people, done, response)
        if is_form:
            response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    @router.post("/logout", summary="End the current session")
    async def logout(request: Request) -> Response:
        secret = request.cookies.get(cookie, "")
        if secret:
            principal = principal_of(request)
            await run_in_threadpool(people.logout, secret, principal, source_of(request))
        response = JSONResponse({"status": "logged out"})
        response.delete_cookie(cookie, path="/")
        return response

    @router.get("/me", summary="Who is calling: name, roles, SAMU scope, CSRF token")
    def me(request: Request) -> dict[str, Any]:
        p = principal_of(request)
        return {
            "name": p.name,
            "roles": sorted(p.roles),
            "samu_scope": None if p.samu_scope is None else sorted(p.samu_scope),
            "via": p.via,
            "csrf_token": p.session_csrf or None,
        }

    @router.get("/oidc/login", summary="Start single sign-on at the identity provider")
    def oidc_login(request: Request, next: str = "/") -> Response:
        if people.oidc is None:
            raise HTTPException(404, "single sign-on is not configured")
        try:
            url, pending = people.oidc.begin(_safe_next(next))
        except OidcError as exc:
            raise HTTPException(502, str(exc)) from None
        response = RedirectResponse(url, status_code=302)
        ttl = people.oidc.config.login_ttl_s
        response.set_cookie(
            OIDC_COOKIE,
            seal(pending, people.secret),
            max_age=ttl,
            httponly=True,
            samesite="lax",
            path="/api/v1/auth/oidc",
            secure=request.url.scheme == "https",
        )
        return response

    @router.get("/oidc/callback", summary="Finish single sign-on (the provider redirects here)")
    def oidc_callback(
        request: Request, code: str = "", state: str = "", error: str = ""
    ) -> Response:
        client = people.oidc
        if client is None:
            raise HTTPException(404, "single sign-on is not configured")
        source = source_of(request)
        try:
            if error or not code:
                raise OidcError(f"the identity provider refused the login: {error[:100]}")
            now = people.clock.now().timestamp()
            pending = unseal(
                request.cookies.get(OIDC_COOKIE, ""), people.secret, now, client.config.login_ttl_s
            )
            identity = client.finish(code, state, pending)
            done = people.oidc_login(identity, source)
        except OidcError as exc:
            people.audit.record("anonymous", "auth.oidc_failed", "", source, {"reason": str(exc)})
            raise HTTPException(401, f"single sign-on failed: {exc}") from None
        response = RedirectResponse(pending.next_url, status_code=303)
        _start_session(request, people, done, response)
        response.delete_cookie(OIDC_COOKIE, path="/api/v1/auth/oidc")
        return response

    return router
