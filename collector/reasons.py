"""The closed set of reasons a data point or span is refused, and the summary sent back."""

from __future__ import annotations

from collections.abc import Iterable

from collector.model import Rejection

# reason -> what it means; this set is the only outside-driven label of the self-metrics.
REASONS: dict[str, str] = {
    "missing_samu_id": "the resource has no samu.id attribute",
    "unknown_samu": "samu.id is malformed or not in the SAMU registry",
    "unknown_metric": "the metric is not in the conventions table",
    "unknown_span": "the span name is not a plain dotted identifier",
    "unsupported_type": "wrong kind for the metric (gauge for a counter, non-monotonic sum, "
    "exponential histogram, summary, unspecified temporality)",
    "bad_bounds": "histogram bounds differ from the bounds of the conventions table",
    "attribute_not_allowed": "an attribute key that is not allow-listed for the metric",
    "attribute_value": "an allow-listed attribute whose value fails its rule",
    "missing_attribute": "a required attribute is absent",
    "too_old": "the point is older than the late-data horizon (VIGIE_MAX_POINT_AGE_DAYS)",
    "conflict": "a stored point of the same series has the same time but another value or "
    "start time (a repeat of the same point is a duplicate, not a conflict)",
    "future": "the point is stamped too far in the future",
    "bad_value": "NaN, infinity, negative or inconsistent counts, or end before start",
    "attribute_too_long": "an attribute key or value longer than the limit "
    "(VIGIE_MAX_ATTRIBUTE_LENGTH)",
    "too_many_attributes": "more attributes on a resource, point or span than the limit "
    "(VIGIE_MAX_ATTRIBUTES)",
    "name_too_long": "a metric or span name longer than VIGIE_MAX_ATTRIBUTE_LENGTH",
    "too_many_points": "the request holds more data points or spans than the limit "
    "(VIGIE_MAX_POINTS_PER_REQUEST): the first ones are kept, send smaller batches",
    "too_many_series": "a new series of a SAMU that already has the most series allowed "
    "(VIGIE_MAX_SERIES_PER_SAMU)",
    "implausible_value": "a value, count or sum beyond VIGIE_MAX_VALUE (e.g. 1e308)",
    "pii_phone_number": "a value looks like a phone number (privacy guard)",
    "pii_health_id": "a value looks like a French health identifier NIR/INS (privacy guard)",
    "pii_email": "a value looks like an e-mail address (privacy guard)",
}


def describe(rejection: Rejection) -> str:
    """What an operator reads about a refusal: reason, metric, attribute key (never a value)."""
    where = ", ".join(
        part
        for part in (rejection.metric, rejection.attribute and f"attribute {rejection.attribute}")
        if part
    )
    meaning = REASONS.get(rejection.reason, "refused")
    return f"{rejection.reason}{f' ({where})' if where else ''}: {meaning}"


def summarize(rejections: Iterable[Rejection], unit: str = "data points") -> str:
    """One line such as 'rejected 3 data points: unknown_samu=2, bad_value=1' (no values)."""
    counts: dict[str, int] = {}
    for rejection in rejections:
        counts[rejection.reason] = counts.get(rejection.reason, 0) + rejection.count
    total = sum(counts.values())
    if not total:
        return ""
    parts = ", ".join(f"{reason}={count}" for reason, count in sorted(counts.items()))
    return f"rejected {total} {unit}: {parts}"
