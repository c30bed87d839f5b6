"""The store's error tree: every failure of the ClickHouse layer is one of these."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error raised by the store package."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or refused the operation for a transient reason; retry later."""


class StoreLocked(StoreError):
    """The embedded data directory is held by another running process."""


class MigrationError(StoreError):
    """A schema migration could not be applied."""


class RegistryError(StoreError):
    """The SAMU registry data file is missing or invalid."""
