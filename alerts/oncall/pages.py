"""The signed-link pages: GET shows a confirmation form, only the POST acts.

Mail security gateways and chat previews fetch every link in a message; an action on GET
would acknowledge pages nobody has read.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from alerts.oncall import links
from alerts.oncall.errors import IncidentNotFound, LinkError, OnCallError
from alerts.oncall.service import OnCallService

_VERBS = {"ack": "Prendre en compte", "resolve": "Résoudre", "unack": "Remettre en alerte"}
_DONE = {"ack": "pris en compte", "resolve": "résolu", "unack": "remis en alerte"}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
        "<meta name='robots' content='noindex'>"
        f"<title>{escape(title)} — Vigie 15</title></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def create_link_router(service: OnCallService) -> APIRouter:
    """`GET/POST /api/v1/ack/{token}`: act on an incident from a signed link."""
    router = APIRouter(prefix="/api/v1", tags=["on-call"])

    def claims(token: str) -> links.LinkClaims:
        return links.verify(service.link_secret, token, service.clock.now())

    @router.get("/ack/{token}", response_class=HTMLResponse)
    def confirm(token: str) -> HTMLResponse:
        try:
            c = claims(token)
            incident = service.get(c.incident_id)
        except LinkError as exc:
            return _page("Lien refusé", f"<p>{escape(str(exc))}</p>", 403)
        except OnCallError as exc:
            return _page("Incident introuvable", f"<p>{escape(str(exc))}</p>", 404)
        verb = _VERBS[c.action]
        body = (
            f"<p><strong>{escape(incident.title)}</strong></p>"
            f"<p>SAMU : {escape(', '.join(incident.samu) or '—')} · "
            f"état : {escape(incident.state)} · personne : {escape(c.person)}</p>"
            f"<form method='post'><button type='submit'>{escape(verb)}</button></form>"
        )
        return _page(f"{verb} l'incident {incident.id}", body)

    @router.post("/ack/{token}", response_class=HTMLResponse)
    async def act(token: str, request: Request) -> HTMLResponse:
        try:
            c = claims(token)
            ip = request.client.host if request.client else ""
            incident = await service.act(c.incident_id, c.action, c.person, f"link {ip}".strip())
        except LinkError as exc:
            return _page("Lien refusé", f"<p>{escape(str(exc))}</p>", 403)
        except IncidentNotFound as exc:
            return _page("Incident introuvable", f"<p>{escape(str(exc))}</p>", 404)
        except OnCallError as exc:
            return _page("Action impossible", f"<p>{escape(str(exc))}</p>", 409)
        return _page(
            f"Incident {incident.id} {_DONE[c.action]}",
            f"<p>{escape(incident.title)} — état : {escape(incident.state)}</p>",
        )

    return router
