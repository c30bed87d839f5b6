"""Identity: accounts, roles and SAMU scope, passwords, sessions, OIDC, API tokens, throttling.

Below `dashboards/`, `vigie/` and `collector/`; it may import only `store`.
"""
