"""Alertmanager forwarding against a real Alertmanager (Debian's prometheus-alertmanager)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from alerts.model import Alert
from alerts.notifiers.amforward import AlertmanagerForward, alerts_url, postable_alert
from alerts.notifiers.transport import http_options
from tests.conftest import require_peer
from tests.test_notifier_peers import HttpPeer, closed_port_url, http_peer, notification

pytestmark = pytest.mark.peer
BINARY = "prometheus-alertmanager"
GOLDEN = Path(__file__).parent / "golden" / "notifier_webhook.json"
WAIT_S = 30.0  # bound on waiting for the external process; nothing asserts on timing
_T = TypeVar("_T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def eventually(probe: Callable[[], _T | None], what: str) -> _T:
    """Poll `probe` until it returns a value, within a bounded wait."""
    deadline = time.monotonic() + WAIT_S
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"Alertmanager: {what} not seen within {WAIT_S:.0f} s")
        time.sleep(0.1)


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[tuple[str, HttpPeer]]:
    """A real Alertmanager whose only receiver is a webhook to a real HTTP server."""
    require_peer(BINARY)
    with http_peer(200) as hook:
        config = tmp_path / "alertmanager.yml"
        config.write_text(
            "route: {receiver: hook, group_wait: 0s, group_interval: 1s, group_by: [samu]}\n"
            f"receivers: [{{name: hook, webhook_configs: [{{url: '{hook.url}/am'}}]}}]\n"
        )
        port = free_port()
        process = subprocess.Popen(
            [
                BINARY,
                f"--config.file={config}",
                f"--storage.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
                "--log.level=warn",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            eventually(lambda: _ready(url, process), "readiness")
            yield url, hook
        finally:
            process.terminate()
            process.wait(timeout=10)
            if process.stderr is not None:
                process.stderr.close()


def _ready(url: str, process: subprocess.Popen[bytes]) -> bool | None:
    if process.poll() is not None:
        stderr = process.stderr.read().decode() if process.stderr else ""
        pytest.fail(f"Alertmanager exited with {process.returncode}: {stderr}")
    try:
        return httpx.get(f"{url}/-/ready", timeout=1).status_code == 200 or None
    except httpx.HTTPError:
        return None


def listed(url: str) -> list[dict[str, Any]]:
    alerts: list[dict[str, Any]] = httpx.get(alerts_url(url), timeout=5).json()
    return alerts


def test_forwarded_alerts_fire_then_resolve_in_a_real_alertmanager(
    alertmanager: tuple[str, HttpPeer],
) -> None:
    url, hook = alertmanager
    # A real peer keeps real time: the alert started five minutes ago.
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    labels = {"alertname": "ProbeFailing", "severity": "page", "samu": "fr.health.samu971"}
    firing = Alert(labels, now - dt.timedelta(minutes=5), None, {"summary": "Appels de test"})
    down = closed_port_url().removesuffix("/hook")  # the other member of the HA pair is down
    forward = AlertmanagerForward("alertmanager[0]", (down, url), http_options(None))

    delivery = asyncio.run(forward.send(notification(firing, at=now)))
    assert delivery.ok, delivery.detail
    assert "1/2 Alertmanager(s) accepted" in delivery.detail

    (seen,) = eventually(lambda: listed(url) or None, "the forwarded alert")
    assert seen["labels"] == labels
    assert seen["annotations"] == {"summary": "Appels de test"}
    assert seen["startsAt"].startswith(postable_alert(firing)["startsAt"].removesuffix("Z"))
    assert seen["status"]["state"] == "active"

    resolved = Alert(labels, firing.starts_at, now - dt.timedelta(seconds=1), firing.annotations)
    assert asyncio.run(forward.send(notification(resolved, at=now))).ok
    eventually(lambda: True if not listed(url) else None, "the resolution")

    # Alertmanager's own webhook told its receiver about both: same body shape as ours.
    bodies = eventually(lambda: _both(hook), "the firing and resolved webhooks")
    ours = json.loads(GOLDEN.read_text())
    for body in bodies:
        assert set(body) == set(ours)
        assert set(body["alerts"][0]) == set(ours["alerts"][0])
        assert body["version"] == "4"
    assert [b["status"] for b in bodies] == ["firing", "resolved"]
    assert bodies[1]["alerts"][0]["fingerprint"] == f"{firing.fingerprint:016x}"


def _both(hook: HttpPeer) -> list[dict[str, Any]] | None:
    bodies = [r.body for r in hook.requests]
    statuses = [b["status"] for b in bodies]
    if "resolved" not in statuses:
        return None
    return [bodies[statuses.index("firing")], bodies[statuses.index("resolved")]]


def test_no_accepting_alertmanager_is_a_retryable_failure() -> None:
    down = closed_port_url().removesuffix("/hook")
    forward = AlertmanagerForward("alertmanager[0]", (down,), http_options(None))
    delivery = asyncio.run(forward.send(notification()))
    assert (delivery.ok, delivery.retryable) == (False, True)
    assert delivery.detail.startswith("no Alertmanager accepted")


@pytest.mark.parametrize(
    ("base", "endpoint"),
    [
        ("http://am:9093", "http://am:9093/api/v2/alerts"),
        ("http://am:9093/", "http://am:9093/api/v2/alerts"),
        ("http://am:9093/api/v2/alerts", "http://am:9093/api/v2/alerts"),
        ("https://proxy/am", "https://proxy/am/api/v2/alerts"),
    ],
)
def test_the_alerts_endpoint_is_found_from_a_base_url(base: str, endpoint: str) -> None:
    assert alerts_url(base) == endpoint
