"""`vigie ingest status` and `vigie metrics-reference`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vigie.remote import api_get, token_for, with_state
from vigie.settings import settings_from

if TYPE_CHECKING:
    from store.client import Store


@click.group("ingest")
def ingest() -> None:
    """What the collector received."""


@ingest.command("status")
@click.option("--minutes", type=click.IntRange(1, 1440), default=15, show_default=True)
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="VIGIE_DATA_DIR")
@click.option("--url", envvar="VIGIE_URL", help="A running instance (default: the local one).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(minutes: int, data_dir: str | None, url: str | None, as_json: bool) -> None:
    """Points received per SAMU, silent SAMU, rejections, and per agent and SAMU: points
    accepted, refused by reason, the last refusal."""
    settings = settings_from(data_dir=data_dir)

    def via_store(store: Store) -> dict[str, Any]:
        from store.counts import CountsReader
        from store.registry import load_registry
        from vigie.api.core import ingest_report

        since = datetime.now(UTC) - timedelta(minutes=minutes)
        return ingest_report(CountsReader(store), load_registry(), since)

    data = with_state(
        settings,
        url,
        lambda u: api_get(u, "/api/v1/ingest/status", {"minutes": minutes}, token_for(settings)),
        via_store,
    )
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    total = sum(int(s["points"]) for s in data["samu"])
    click.echo(f"since {data['since']}: {total} points from {len(data['samu'])} SAMU")
    click.echo(f"silent SAMU: {len(data['silent'])}")
    for r in data["rejections"][:20]:
        click.echo(f"  rejected {r['count']:>8} {r['reason']} {r['samu_id']} {r['metric']}")
    agents = sorted(data.get("agents", []), key=lambda a: -sum(a["rejected"].values()))
    click.echo(f"agents: {len({a['agent'] for a in agents})}")
    for a in agents[:50]:
        refused = sum(a["rejected"].values())
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(a["rejected"].items()))
        line = f"  {a['agent']} {a['samu_id']}: {a['accepted']} accepted, {refused} rejected"
        click.echo(line + (f" ({reasons})" if reasons else ""))
        if a["last_rejection"]:
            click.echo(f"    last rejection {a['last_rejection_at']}: {a['last_rejection']}")


@click.command("metrics-reference")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file.")
def reference(out: str | None) -> None:
    """Print the metric reference table (docs/metrics.md)."""
    from collector.reference import metrics_reference

    text = metrics_reference()
    if out:
        Path(out).write_text(text)
    else:
        click.echo(text, nl=False)


@click.command("config-reference")
@click.option("--write", is_flag=True, help="Regenerate the table inside README.md.")
def config_reference(write: bool) -> None:
    """Print the configuration table (every VIGIE_* setting), or write it into README.md."""
    from vigie.reference import configuration_table, with_configuration

    if not write:
        click.echo(configuration_table())
        return
    readme = Path("README.md")
    readme.write_text(with_configuration(readme.read_text()))
