"""Secrets never leave the process: typed as secrets, shown as `<secret>` (issue 14, item 2).

Unit level here: the routing configuration in `/api/v2/status`, the settings' secrets, the
configuration reference. `tests/test_security_secrets_platform.py` greps every answer of every
route of a real `vigie up` and its output.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import typing
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from alerts import config as alert_config
from alerts.am_api import create_am_router
from alerts.config import load_config
from alerts.config.spec import ConfigSpec
from alerts.notify import RecordingSink
from alerts.secrets import MASK, SECRET, markers, masked
from alerts.service import AlertingService
from store.client import Store
from store.clock import FakeClock
from tests.test_am_api_silences import NOW

DATA = Path(__file__).parent / "data" / "security"
CONFIG = DATA / "alertmanager-secrets.yml"
# Every secret value of CONFIG (they all end with -4242).
CONFIG_SECRETS = re.findall(r"[A-Z][A-Z-]+-4242", CONFIG.read_text())
SETTINGS_SECRETS = {
    "VIGIE_SMTP_PASSWORD": "SETTINGS-SMTP-PASSWORD-4242",
    "VIGIE_OIDC_CLIENT_SECRET": "SETTINGS-OIDC-SECRET-4242",
    "VIGIE_SMS_GATEWAY_URL": "https://sms.sante.local/?key=SETTINGS-SMS-KEY-4242",
    "VIGIE_VOICE_GATEWAY_URL": "https://voice.sante.local/?key=SETTINGS-VOICE-KEY-4242",
}


def status_of(store: Store) -> dict[str, typing.Any]:
    clock = FakeClock(NOW)
    svc = AlertingService(
        store, load_config(CONFIG), RecordingSink(), clock, watchdog_interval=None
    )
    app = FastAPI()
    app.include_router(create_am_router(svc, clock))
    answer: dict[str, typing.Any] = TestClient(app).get("/api/v2/status").json()
    return answer


def test_the_status_route_shows_every_secret_of_the_routing_config_as_secret(
    store: Store,
) -> None:
    assert len(CONFIG_SECRETS) == 10
    original = status_of(store)["config"]["original"]
    assert [s for s in CONFIG_SECRETS if s in original] == []
    shown = yaml.safe_load(original)
    assert shown["global"]["smtp_auth_password"] == MASK
    assert shown["global"]["http_config"]["basic_auth"] == {"username": "vigie", "password": MASK}
    noc = shown["receivers"][0]
    assert [w["url"] for w in noc["webhook_configs"]] == [MASK, MASK]
    assert noc["webhook_configs"][0]["http_config"]["authorization"]["type"] == "Bearer"
    assert shown["receivers"][1]["email_configs"][0]["auth_username"] == "vendor"
    assert shown["route"]["routes"][0]["receiver"] == "vendor", "the rest is shown as written"


SECRET_NAME = re.compile(r"password$|secret$|token$|credentials$|^url$")


def spec_models() -> list[type[BaseModel]]:
    """Every pydantic model defined in the alerts.config package (the routing file's spec)."""
    names = [
        f"{alert_config.__name__}.{m.name}" for m in pkgutil.iter_modules(alert_config.__path__)
    ]
    return [
        v
        for module in map(importlib.import_module, names)
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == module.__name__
    ]


def test_every_field_of_the_routing_spec_that_holds_a_secret_is_typed_secret() -> None:
    assert ConfigSpec in spec_models() and len(spec_models()) > 10
    untyped = []
    for model in spec_models():
        hints = typing.get_type_hints(model, include_extras=True)
        for name in model.model_fields:
            if SECRET_NAME.search(name) and SECRET not in set(markers(hints[name])):
                untyped.append(f"{model.__name__}.{name}")
    assert untyped == []


def test_masking_does_not_change_its_input() -> None:
    document = {"global": {"smtp_auth_password": "x"}}
    assert masked(document, ConfigSpec) == {"global": {"smtp_auth_password": MASK}}
    assert document == {"global": {"smtp_auth_password": "x"}}


def test_settings_type_their_secrets_and_never_print_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vigie.settings import Settings

    for name, value in SETTINGS_SECRETS.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    shown = f"{settings!r} {settings} {settings.model_dump()} {settings.model_dump_json()}"
    assert [v for v in SETTINGS_SECRETS.values() if v in shown] == []
    assert settings.smtp_password.get_secret_value() == SETTINGS_SECRETS["VIGIE_SMTP_PASSWORD"]


def test_the_configuration_reference_marks_secrets_and_shows_none_of_their_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vigie.cli import cli

    for name, value in SETTINGS_SECRETS.items():
        monkeypatch.setenv(name, value)
    out = CliRunner().invoke(cli, ["config-reference"]).output
    assert [v for v in SETTINGS_SECRETS.values() if v in out] == []
    rows = {line.split("|")[1].strip(" `"): line for line in out.splitlines() if "VIGIE_" in line}
    for name in SETTINGS_SECRETS:
        assert MASK in rows[name], rows[name]


def test_a_printed_routing_spec_or_smtp_setting_shows_no_secret() -> None:
    from alerts.notifiers.smtp import SmtpSettings

    config = load_config(CONFIG)
    vendor = config.receivers["vendor"].email_configs
    assert vendor is not None
    printed = f"{config.spec!r} {config.spec} {config.receivers!r} {vendor[0]!r}"
    printed += repr(SmtpSettings.from_spec(vendor[0]))
    assert [s for s in CONFIG_SECRETS if s in printed] == []
    assert MASK in printed
