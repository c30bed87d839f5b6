"""A real Prometheus (Debian package) sends its alerts to our Alertmanager API."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from alerts.am_api import create_am_router
from alerts.config import load_config
from alerts.notify import RecordingSink
from alerts.service import AlertingService
from store.client import Store
from store.clock import SystemClock
from tests.conftest import require_peer

CONFIG = Path(__file__).parent / "data" / "alerting" / "pipeline.yml"
RULES = """
groups:
  - name: vigie-test
    interval: 1s
    rules:
      - alert: ProbeFailing
        expr: vector(1)
        labels:
          severity: page
          samu: fr.health.samu075
          component: probe
        annotations:
          summary: "Appel test en échec sur le SAMU 75"
"""
PROMETHEUS_YML = """
global:
  evaluation_interval: 1s
rule_files: [{rules}]
alerting:
  alertmanagers:
    - api_version: v2
      static_configs:
        - targets: ["127.0.0.1:{port}"]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(store: Store) -> Iterator[tuple[AlertingService, int]]:
    """Our API on an ephemeral port, served by uvicorn in a thread."""
    clock = SystemClock()
    svc = AlertingService(
        store, load_config(CONFIG), RecordingSink(), clock, watchdog_interval=None
    )
    app = FastAPI()
    app.include_router(create_am_router(svc, clock))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting for our own server thread to bind
    assert server.started
    yield svc, port
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.peer
def test_a_real_prometheus_delivers_its_firing_alert_to_our_api(
    served: tuple[AlertingService, int], tmp_path: Path
) -> None:
    require_peer("prometheus")
    svc, port = served
    (tmp_path / "rules.yml").write_text(RULES)
    config = PROMETHEUS_YML.format(rules=tmp_path / "rules.yml", port=port)
    (tmp_path / "prometheus.yml").write_text(config)
    command = [
        "prometheus",
        f"--config.file={tmp_path / 'prometheus.yml'}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{free_port()}",
        # Alertmanagers are discovered a few seconds after the first evaluation; without a short
        # resend delay the alert sent into the void at start would only be re-sent a minute later.
        "--rules.alert.resend-delay=1s",
    ]
    log = (tmp_path / "prometheus.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        found = []
        while not found and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)  # polling an external process, not asserting on time
            found = [s for s in svc.alerts.all() if s.alert.labels["alertname"] == "ProbeFailing"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
    assert found, (tmp_path / "prometheus.log").read_text()[-3000:]
    alert = found[0].alert
    assert dict(alert.labels) == {
        "alertname": "ProbeFailing",
        "severity": "page",
        "samu": "fr.health.samu075",
        "component": "probe",
    }
    assert alert.annotations["summary"] == "Appel test en échec sur le SAMU 75"
    assert alert.generator_url.startswith("http://")
    assert alert.ends_at is not None and alert.ends_at > alert.starts_at
    assert not found[0].timeout  # Prometheus sends an explicit end
    assert svc.receivers(alert.labels) == ["noc"]
