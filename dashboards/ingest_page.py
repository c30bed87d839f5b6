"""A first NOC page: which SAMU are sending data, how much, how late (French by default)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from dash import Dash, Input, Output, dcc, html

from store.registry import Registry

HEADERS = ("SAMU", "Région", "Points (15 min)", "Dernière minute (UTC)", "Retard max (s)")


@dataclass(frozen=True)
class FleetRow:
    samu_id: str
    name: str
    region: str
    points: int
    last_minute: datetime | None
    max_lag_s: float


def fleet_rows(
    registry: Registry, ingest: dict[str, tuple[int, datetime | None, float]]
) -> list[FleetRow]:
    """One row per SAMU, silent ones first (they are the ones to look at)."""
    rows = [FleetRow(s.id, s.name, s.region, *ingest.get(s.id, (0, None, 0.0))) for s in registry]
    return sorted(rows, key=lambda r: (r.points > 0, r.region, r.samu_id))


def create_dash(
    registry: Registry,
    load_ingest: Callable[[], dict[str, tuple[int, datetime | None, float]]],
    refresh_ms: int = 10_000,
) -> Dash:
    """The Dash app, served by the platform's ASGI server at `/`."""
    app = Dash(
        __name__,
        title="Vigie 15",
        update_title=None,  # type: ignore[arg-type]
        serve_locally=True,
    )
    app.layout = html.Main(
        [
            html.H1("Vigie 15 — réception de la télémétrie"),
            html.P(id="fleet-summary", style={"fontSize": "24px"}),
            html.Table(
                [
                    html.Thead(
                        html.Tr([html.Th(h) for h in HEADERS]),
                    ),
                    html.Tbody(id="fleet-body"),
                ],
                style={"fontSize": "18px"},
            ),
            dcc.Interval(id="fleet-refresh", interval=refresh_ms),
        ],
        lang="fr",
    )

    @app.callback(
        Output("fleet-body", "children"),
        Output("fleet-summary", "children"),
        Input("fleet-refresh", "n_intervals"),
    )
    def refresh(_: int | None) -> tuple[list[html.Tr], str]:
        rows = fleet_rows(registry, load_ingest())
        silent = sum(1 for r in rows if r.points == 0)
        body = [
            html.Tr(
                [
                    html.Td(r.name),
                    html.Td(r.region),
                    html.Td(r.points),
                    html.Td(r.last_minute.strftime("%Y-%m-%d %H:%M") if r.last_minute else "—"),
                    html.Td(f"{r.max_lag_s:.1f}"),
                ]
            )
            for r in rows
        ]
        return body, f"{len(rows) - silent} SAMU émettent, {silent} silencieux"

    return app
