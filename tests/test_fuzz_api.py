"""Hostile API parameters: schemathesis against the OpenAPI of a real `vigie up`, never a 500.

The instance is a real `vigie up --no-simulate` process (the app exactly as wired, every
router mounted), called with its local admin token, so the gate lets every request through
to the handlers. schemathesis generates path, query, header and body values from each
operation's schema (and values that break it); each operation gets a bounded, derandomized
number of examples. A 5xx is a failure, except a 503 with Retry-After (store unavailable, a
documented answer).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from people.local_files import local_cli_token
from tests.fixtures.platform import PlatformProcess

EXAMPLES_PER_OPERATION = 25
# Operations left out: they replace or copy the whole store, or end the admin's access.
SKIPPED = r"/api/v1/admin/|/restore|/logout"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformProcess]:
    proc = PlatformProcess(Path(tmp_path_factory.mktemp("fuzz-api")) / "data")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def admin(platform: PlatformProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {local_cli_token(platform.data_dir)}"}


@pytest.fixture(scope="module")
def api_schema(platform: PlatformProcess, admin: dict[str, str]) -> Any:
    document = httpx.get(f"{platform.url}/openapi.json", headers=admin, timeout=30)
    assert document.status_code == 200, document.text[:300]
    loaded = schemathesis.openapi.from_dict(document.json())
    loaded.config.base_url = platform.url
    return loaded.exclude(path_regex=SKIPPED)


FUZZ = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def test_no_operation_answers_a_server_error(
    api_schema: Any, platform: PlatformProcess, admin: dict[str, str]
) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            try:
                response = case.call(base_url=platform.url, headers=admin, timeout=30)
            except OSError as error:  # requests' timeouts and connection errors
                failures.append(f"{case.method} {case.formatted_path} {case.query}: {error!r}")
                return
            if response.status_code == 503 and "Retry-After" in response.headers:
                return
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query} {case.body!r:.200} → "
                    f"{response.status_code}: {response.text[:300]}"
                )

        run()
    assert failures == [], "\n".join(failures)
