"""The error tree of the reports package."""

from __future__ import annotations


class ReportError(Exception):
    """Base class of every report error."""


class MonthError(ReportError):
    """A month label is invalid or not yet over."""


class ArchiveConflict(ReportError):
    """An archived month would be regenerated with different figures without --reissue."""


class ReasonRequired(ReportError):
    """A re-issue without a reason: the reason is part of the archive and the audit log."""


class NotArchived(ReportError, LookupError):
    """No archived report exists for this month (or this file name)."""


class VerifyError(ReportError):
    """A manifest, its signature or a file's checksum does not verify."""


class SigningKeyError(ReportError):
    """The signing key cannot be read or written."""
