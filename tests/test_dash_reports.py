"""The Reports page: callbacks called directly over a fake reports port, and the adapter over
the real report service on a real store."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dashboards import ids
from dashboards.app import create_ui
from dashboards.monthly import ReportsAdapter
from dashboards.pages import reports, shell
from dashboards.ports import ReportCheck, ReportSummary, UiServices
from people.model import ROLES_HEADER, SCOPE_HEADER, USER_HEADER, Role
from reports.archive import Archive
from reports.service import ReportService
from reports.sign import Signer
from store.client import Store
from store.clock import FakeClock
from tests.dash_factory import NOW, REGISTRY, services, who
from tests.test_dash_callbacks import text_of
from tests.test_slo_eval_factories import shipped

OCTOBER = ReportSummary(
    "2030-09",
    "ok",
    availability=0.99987,
    objective=0.9999,
    met=False,
    budget_consumed=1.3,
    incidents=2,
    minutes_down=45,
    samu_met=98,
    samu_missed=1,
    samu_no_data=1,
    completeness=0.995,
    version=1,
)

VERIFIED = ReportCheck(True, "", ("a.csv", "a.json", "a.pdf"), 1, "SHA256:ab:cd")


@dataclass
class FakeReports:
    """An in-memory ReportsPort that records what was asked."""

    archived: list[str] = field(default_factory=lambda: ["2029-01"])
    figures: dict[str, ReportSummary] = field(default_factory=lambda: {"2030-09": OCTOBER})
    check: ReportCheck = VERIFIED
    issued: list[tuple[str, str, str]] = field(default_factory=list)

    def months(self) -> list[str]:
        return list(self.archived)

    def summary(self, month: str) -> ReportSummary:
        return self.figures.get(month, ReportSummary(month, "no_data"))

    def issue(self, month: str, lang: str, actor: str) -> int:
        self.issued.append((month, lang, actor))
        return 2

    def verify(self, month: str, lang: str) -> ReportCheck:
        return self.check


def ui_with(store: Store, fake: FakeReports) -> UiServices:
    return replace(services(store), reports=fake)


def test_the_month_list_has_the_last_twelve_months_over_and_the_archived_ones() -> None:
    months = reports.month_choices(["2029-01", "2030-09"], NOW)  # NOW: 14 October 2030
    assert months[0] == "2030-09" and months[11] == "2029-10" and months[-1] == "2029-01"
    assert len(months) == 13
    paris_new_year = datetime(2030, 12, 31, 23, 30, tzinfo=UTC)  # already January in Paris
    assert reports.recent_months(paris_new_year, 2) == ["2030-12", "2030-11"]


def test_the_summary_shows_availability_against_target_and_the_national_figures(
    store: Store,
) -> None:
    summary, links = reports.render(
        ui_with(store, FakeReports()), who(Role.REPORTER), "2030-09", "fr"
    )
    text = text_of(summary)
    for expected in (
        "99,987\u202f%",
        "objectif 99,990\u202f%",
        "objectif manqué",
        "130,0\u202f%",
        "45",
        "98 (1 manqué, 1 sans données)",
        "99,5\u202f%",
        "Émis, version 1",
    ):
        assert expected in text, expected
    hrefs = [item.children.href for item in links.children]
    assert "/api/v1/reports/2030-09.pdf?lang=fr" in hrefs
    assert "/api/v1/reports/2030-09.csv?lang=fr" in hrefs
    assert "/api/v1/reports/2030-09.json?lang=fr" in hrefs
    assert "/api/v1/reports/2030-09/manifest?lang=fr" in hrefs


def test_a_month_without_data_says_so_and_never_shows_a_percentage(store: Store) -> None:
    summary, _ = reports.render(ui_with(store, FakeReports()), who(Role.ADMIN), "2030-08", "en")
    text = text_of(summary)
    assert "Missing data" in text and "%" not in text and "Not issued yet" in text


@pytest.mark.parametrize("button", [ids.REPORTS_ISSUE, ids.REPORTS_VERIFY])
def test_a_viewer_can_neither_issue_nor_verify_nor_download(store: Store, button: str) -> None:
    fake = FakeReports()
    ui = ui_with(store, fake)
    outcome = reports.act(ui, who(Role.VIEWER), button, "2030-09", "fr")
    assert outcome.message == "Action réservée aux rôles rapporteur ou administrateur."
    assert not outcome.changed and fake.issued == []
    _, links = reports.render(ui, who(Role.VIEWER, Role.ONCALL), "2030-09", "fr")
    assert "rapporteur" in text_of(links)


def test_an_admin_issues_the_month_under_their_name_and_a_reporter_verifies(
    store: Store,
) -> None:
    fake = FakeReports()
    ui = ui_with(store, fake)
    # Issuing is the report's change rule (people.authz): admins, as the API's issue route.
    refused = reports.act(ui, who(Role.REPORTER), ids.REPORTS_ISSUE, "2030-09", "fr")
    assert not refused.changed and fake.issued == []
    outcome = reports.act(ui, who(Role.ADMIN), ids.REPORTS_ISSUE, "2030-09", "fr")
    assert outcome == reports.Outcome("Rapport émis (version 2).", True)
    assert fake.issued == [("2030-09", "fr", "alice")]


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (
            ReportCheck(True, "", ("a", "b", "c"), 1, "SHA256:ab:cd"),
            "Verified: 3 files of version 1 match the signed manifest. "
            "Key fingerprint: SHA256:ab:cd",
        ),
        (
            ReportCheck(False, "a.pdf has been altered"),
            "Verification failed: a.pdf has been altered",
        ),
    ],
)
def test_verify_shows_the_result_and_the_key_fingerprint(
    store: Store, check: ReportCheck, expected: str
) -> None:
    ui = ui_with(store, FakeReports(check=check))
    assert reports.act(ui, who(Role.ADMIN), ids.REPORTS_VERIFY, "2030-09", "en").message == expected


def test_the_page_is_routed_and_linked_from_the_navigation(store: Store) -> None:
    ui = ui_with(store, FakeReports())
    app = create_ui(ui)
    assert "/reports" in [
        link.href for link in (li.children for li in shell.nav_links("fr").children)
    ]
    pages = {}
    for role in ("viewer", "reporter", "admin"):
        headers = {USER_HEADER: "alice", ROLES_HEADER: role, SCOPE_HEADER: "*"}
        with app.server.test_request_context("/", headers=headers):
            pages[role] = reports.layout_for(ui)(
                "fr", {"month": "2029-01"} if role == "admin" else {}
            )
    assert "rapporteur" in text_of(pages["viewer"]), "the report is for reporters (people.authz)"
    dropdown = _find(pages["admin"], ids.REPORTS_MONTH)
    assert dropdown.value == "2029-01" and len(dropdown.options) == 13
    assert _find(pages["reporter"], ids.REPORTS_MONTH).value == "2030-09"  # the last month over
    assert _holder(pages["reporter"], ids.REPORTS_ISSUE).hidden is False  # verify
    assert [_find(pages[r], ids.REPORTS_ISSUE).hidden for r in ("reporter", "admin")] == [
        True,
        False,
    ]


def _find(page: Any, key: str) -> Any:
    return next(c for c in _walk(page) if getattr(c, "id", None) == key)


def _holder(page: Any, key: str) -> Any:
    """The component whose children include the one with id `key`."""
    return next(c for c in _walk(page) if any(getattr(k, "id", None) == key for k in _kids(c)))


def _kids(component: object) -> list[object]:
    children = getattr(component, "children", None)
    return children if isinstance(children, list) else [children] if children is not None else []


def _walk(component: object) -> list[object]:
    return [component, *(c for k in _kids(component) for c in _walk(k))]


def test_the_adapter_over_the_real_service_says_no_data_issues_and_verifies(
    store: Store, tmp_path: Path
) -> None:
    clock = FakeClock(NOW)
    samus = [REGISTRY.require("fr.health.samu075")]
    service = ReportService(
        store, samus, shipped()[0], Signer(tmp_path / "key.pem"), Archive(store, clock), clock
    )
    port = ReportsAdapter(service)
    empty = port.summary("2030-09")
    assert (empty.status, empty.availability, empty.version) == ("no_data", None, None)
    assert port.summary("2030-10").status == "error"  # not over yet
    assert not port.verify("2030-09", "fr").ok
    assert port.issue("2030-09", "fr", "alice") == 1
    assert port.months() == ["2030-09"] and port.summary("2030-09").version == 1
    check = port.verify("2030-09", "fr")
    assert check.ok and check.version == 1 and check.fingerprint and len(check.files) == 4
