"""The platform's `RequestScope` (alerts.scope): the caller's right to a SAMU's things is the
authorisation rule of people.authz, for the principal the access gate authenticated."""

from __future__ import annotations

from collections.abc import Collection

from fastapi import Request

from people.authz import touch
from vigie.access import principal_of


class PrincipalScope:
    """What the caller of a request may see and change, by SAMU (a SAMU manager: theirs)."""

    def refusal(self, request: Request, samu_ids: Collection[str]) -> str | None:
        decision = touch(principal_of(request), samu_ids)
        return None if decision.allowed else decision.reason
