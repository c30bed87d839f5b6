"""ClickHouse access (embedded chdb or a server, by DSN), versioned migrations and cluster DDL, and
the foundations every package shares: SAMU registry, audit log, clock, YAML and duration readers,
retention, backup.
"""
