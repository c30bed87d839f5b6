"""The access gate: an ASGI middleware that authenticates every request and applies the policy.

Credentials: `Authorization: Bearer vgt_…` (scripts) or the session cookie (browsers). The gate
removes any `X-Vigie-User`/`-Roles`/`-Samu-Scope` header the client sent and sets them from the
authenticated caller, so routers and the Dash UI behind it see a trusted identity; it also puts the
`Principal` in `request.state.principal`. Unsafe requests carried by a session cookie must come
from our own origin and, unless they are JSON (which a cross-site form cannot send), carry the
session's CSRF token in `X-CSRF-Token` or a `csrf_token` form field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from people.bearer import same
from people.model import ANONYMOUS, TRUSTED_HEADERS, Principal
from people.service import PeopleService
from vigie.access import (
    CALLBACKS,
    DASH_UPDATE,
    NAME_YOUR_SAMU,
    POLICY,
    SAMU_PARAMS,
    UI,
    Access,
    Decision,
    Open,
    access_of,
    callback_of,
    check,
)

LOGIN_PAGE = "/api/v1/auth/login"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_MAX_FORM = 64 * 1024
_MAX_CALLBACK = 4 * 1024 * 1024  # a Dash callback carries its inputs and states


@dataclass(frozen=True)
class FlatRoute:
    """One route of the app, flattened out of included routers: methods, template, matcher."""

    methods: frozenset[str]  # empty for a mount (any method)
    path: str  # the template, e.g. /api/v1/samu/{samu_id}; UI for the mount at "/"
    regex: re.Pattern[str]
    convertors: dict[str, Convertor[Any]]


def flat_routes(routes: list[BaseRoute]) -> list[FlatRoute]:
    """Every route in routing order (FastAPI ≥ 0.16x nests included routers: flatten them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: the routes are already flat
        contexts: list[Any] = list(routes)
    else:
        contexts = list(iter_route_contexts(routes))
    out = []
    for ctx in contexts:
        path = getattr(ctx, "path", None)
        original = getattr(ctx, "original_route", ctx)
        if path is None:
            continue
        if isinstance(original, Mount):
            regex, _, convertors = compile_path(path.rstrip("/") + "/{path:path}")
            out.append(FlatRoute(frozenset(), path or UI, regex, convertors))
            continue
        regex, _, convertors = compile_path(path)
        out.append(
            FlatRoute(frozenset(getattr(ctx, "methods", None) or ()), path, regex, convertors)
        )
    return out


def route_key(scope: Scope, routes: list[FlatRoute]) -> tuple[str, dict[str, Any]] | None:
    """The template of the route that will serve the request, with its path parameters."""
    path = scope["path"]
    for route in routes:
        found = route.regex.match(path) or (
            route.regex.match(path + "/") if not route.methods else None
        )
        if found is None or (route.methods and scope["method"] not in route.methods):
            continue
        params = {k: route.convertors[k].convert(v) for k, v in found.groupdict().items()}
        return route.path, params
    return None


class AccessGate:
    """Pure ASGI middleware: authenticate, authorise, then call the app (or answer 401/403)."""

    def __init__(
        self,
        app: ASGIApp,
        routes: list[BaseRoute],
        people: PeopleService,
        policy: Mapping[tuple[str, str], Access] = POLICY,
        callbacks: Mapping[str, tuple[Access, ...]] = CALLBACKS,
    ) -> None:
        self.app = app
        self._routes = routes
        self._flat: list[FlatRoute] | None = None
        self.people = people
        self.policy = policy
        self.callbacks = callbacks
        self.cookie = people.sessions.policy.cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = [(k, v) for k, v in scope["headers"] if k.decode().lower() not in TRUSTED_HEADERS]
        scope = {**scope, "headers": raw}
        if self._flat is None:  # routes are complete once the app serves its first request
            self._flat = flat_routes(self._routes)
        found = route_key(scope, self._flat)
        if found is None:  # no such route: the app answers 404 or 405 without running anything
            await self.app(scope, receive, send)
            return
        path, path_params = found
        method = scope["method"]
        access = access_of(self.policy, method, path)
        accesses: tuple[Access, ...] | None = None if access is None else (access,)
        request = Request(scope)
        principal = await run_in_threadpool(self._authenticate, request)
        if path == UI and method == "POST" and scope["path"] == DASH_UPDATE:
            accesses, receive = await self._callback(accesses, receive)
        refs = {k: str(path_params.get(k, "")) for k in SAMU_PARAMS}
        for key in SAMU_PARAMS:
            refs.update({f"?{key}": v for v in request.query_params.getlist(key)})
        must_name = (method, path) in NAME_YOUR_SAMU
        decision = check(accesses, principal, refs, must_name)
        # public routes check their own tokens, if any
        public = bool(accesses) and all(a.need in (Open.PUBLIC, Open.AGENT) for a in accesses or ())
        if (
            decision.allowed
            and not public
            and principal.via == "session"
            and scope["method"] in _UNSAFE
        ):
            decision, receive = await self._csrf(request, principal, receive)
        if not decision.allowed:
            refusal = await self._refuse(decision, request, principal, path)
            await refusal(scope, receive, send)
            return
        headers = raw + [(k.encode(), v.encode()) for k, v in principal.to_headers().items()]
        scope["headers"] = headers if not principal.anonymous else raw
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    def _authenticate(self, request: Request) -> Principal:
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return self.people.from_token(auth[7:].strip()) or ANONYMOUS
        cookie = SimpleCookie()
        try:
            cookie.load(request.headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is no credential
            return ANONYMOUS
        morsel = cookie.get(self.cookie)
        return (self.people.from_session(morsel.value) if morsel else None) or ANONYMOUS

    async def _callback(
        self, page: tuple[Access, ...] | None, receive: Receive
    ) -> tuple[tuple[Access, ...] | None, Receive]:
        """What a Dash callback does, from the `output` of its body (None: not in CALLBACKS)."""
        body, receive = await _buffer(receive, _MAX_CALLBACK)
        try:
            output = json.loads(body or b"{}").get("output", "") if body is not None else ""
        except (ValueError, AttributeError):
            output = ""
        found = self.callbacks.get(callback_of(str(output)))
        return (None if found is None or page is None else (*page, *found)), receive

    async def _csrf(
        self, request: Request, principal: Principal, receive: Receive
    ) -> tuple[Decision, Receive]:
        origin = request.headers.get("origin") or request.headers.get("referer")
        host = request.headers.get("host", "")
        if origin and origin != "null" and urlsplit(origin).netloc != host:
            return Decision(403, "cross-origin request refused"), receive
        if same(request.headers.get("x-csrf-token", ""), principal.session_csrf):
            return Decision(0), receive
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/json":
            return Decision(0), receive
        if kind != "application/x-www-form-urlencoded":
            return Decision(403, "missing CSRF token"), receive
        body, receive = await _buffer(receive)
        if body is None:
            return Decision(413, "form too large"), receive
        token = parse_qs(body.decode("latin-1")).get("csrf_token", [""])[0]
        if same(token, principal.session_csrf):
            return Decision(0), receive
        return Decision(403, "missing or wrong CSRF token"), receive

    async def _refuse(
        self, decision: Decision, request: Request, principal: Principal, path: str
    ) -> Response:
        source = request.client.host if request.client else ""
        if decision.status == 401:
            wants_html = "text/html" in request.headers.get("accept", "")
            if path == UI and request.method == "GET" and wants_html:
                target = quote(
                    request.url.path + (f"?{request.url.query}" if request.url.query else "")
                )
                return RedirectResponse(f"{LOGIN_PAGE}?next={target}", status_code=303)
            return JSONResponse(
                {"detail": decision.reason},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="vigie"'},
            )
        if decision.status == 403:
            target = f"{request.method} {request.url.path}"
            details = {"reason": decision.reason}
            record = self.people.audit.record
            await run_in_threadpool(
                record, principal.name, "access.denied", target, source, details
            )
        return JSONResponse({"detail": decision.reason}, status_code=decision.status)


async def _buffer(receive: Receive, limit: int = _MAX_FORM) -> tuple[bytes | None, Receive]:
    """Read the whole body (up to `limit`) and a receive that replays it to the app."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
        if size > limit:
            return None, receive
    body, sent = b"".join(chunks), False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay


def install_access(
    app: Any, people: PeopleService, policy: Mapping[tuple[str, str], Access] = POLICY
) -> None:
    """Put the access gate in front of a FastAPI/Starlette app (call after its routes exist)."""
    app.add_middleware(AccessGate, routes=app.router.routes, people=people, policy=policy)
