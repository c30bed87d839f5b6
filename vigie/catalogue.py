"""The metric catalogue SLO specs are checked against: collector/conventions.py, as slo reads it.

The composition root joins them: the collector defines the metrics, the SLO package checks specs
against a catalogue, and neither may import the other.
"""

from __future__ import annotations

from collector.conventions import COMPONENTS, METRICS, SAMU_ID_PATTERN
from slo.catalogue import Catalogue, catalogue_from


def conventions_catalogue() -> Catalogue:
    """The metric catalogue of collector/conventions.py, as the slo package checks specs."""
    return catalogue_from(METRICS, COMPONENTS, SAMU_ID_PATTERN)
