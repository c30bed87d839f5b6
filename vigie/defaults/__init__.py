"""The configuration Vigie 15 ships: used when no file is configured (package data).

`alertmanager.yml` (alert routing), `oncall.yaml` (people, rotations, escalation) and `slos/`
(the SLO specs of DOMAIN.md's catalogue). The SLO policy (slo/policy.yaml) and the SAMU registry
(store/data/samu.yaml) ship with the packages that read them. `VIGIE_ALERTING_CONFIG`,
`VIGIE_ONCALL_CONFIG` and `VIGIE_SLO_DIR` point to your own files instead; copy these to start.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ALERTING = HERE / "alertmanager.yml"
ONCALL = HERE / "oncall.yaml"
SLO_DIR = HERE / "slos"
