"""Dependencies between packages point one way (docs: shared DESIGN.md, ADR 0003)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED: dict[str, set[str]] = {
    "store": set(),
    "people": {"store"},
    "collector": {"store", "people"},
    "alerts": {"store"},
    "slo": {"store", "alerts"},
    "dashboards": {"store", "slo", "alerts", "people"},
    "reports": {"store", "slo", "alerts"},
    "vigie": {"store", "people", "collector", "slo", "alerts", "dashboards", "reports"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_packages_below_it(package: str) -> None:
    ours = set(ALLOWED)
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in _imports(path) & ours - {package} - ALLOWED[package]:
            offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_slo_uses_only_the_alert_model_from_alerts() -> None:
    for path in sorted((ROOT / "slo").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("alerts"):
                assert node.module in {"alerts.model", "alerts.maintenance"}, path
