"""The Dash NOC UI: `create_ui(services)` builds the app the platform mounts at `/`.

Everything is served from the package (scripts, styles, fonts come from the machine): no request
leaves it. The pages run behind the access gate; callbacks read the caller from the trusted
headers the gate sets (`Principal.from_headers`).
"""

from __future__ import annotations

from dash import Dash

from dashboards.data import platform_services
from dashboards.pages import alerts, collector, national, reports, samu, shell, wall, waves
from dashboards.ports import UiServices

__all__ = ["UiServices", "create_ui", "platform_services"]


def create_ui(services: UiServices) -> Dash:
    """The Dash app: national view, SAMU pages, alerts, reports, collector, wall mode, in French
    or English."""
    app = Dash(
        __name__,
        title="Vigie 15",
        update_title=None,  # type: ignore[arg-type]
        serve_locally=True,
        suppress_callback_exceptions=True,  # pages are built by the routing callback
        compress=False,
    )
    app.index_string = shell.INDEX
    app.layout = shell.layout()
    pages = {
        "/": national.layout,
        "/alerts": alerts.layout,
        "/reports": reports.layout_for(services),
        "/collector": collector.layout,
        "/waves": waves.layout_for(services),
    }
    shell.register(app, pages, wall.layout_for(services), samu.layout)
    national.register(app, services)
    samu.register(app, services)
    alerts.register(app, services)
    wall.register(app, services)
    reports.register(app, services)
    collector.register(app, services)
    waves.register(app, services)
    return app
