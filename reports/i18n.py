"""Words and number formats of the PDF, French by default, English available."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from reports.errors import ReportError

NBSP = "\u00a0"

_FR = {
    "title": "Rapport mensuel de disponibilité — SI-SAMU (le 15)",
    "month": "Mois",
    "period": "Période (UTC)",
    "version": "Version",
    "as_of": "Données au",
    "summary": "Synthèse",
    "national_s1": "Disponibilité nationale (S1)",
    "objective": "Objectif",
    "budget_consumed": "Budget d'erreur consommé",
    "incidents": "Incidents",
    "minutes_down": "Minutes d'indisponibilité (S3, SAMU × minutes)",
    "trend": "Tendance",
    "previous_month": "Mois précédent",
    "previous_year": "Même mois l'an dernier",
    "samu_met": "SAMU conformes",
    "samu_missed": "SAMU non conformes",
    "samu_no_data": "SAMU sans données",
    "compliance": "Déclaration de conformité",
    "charts": "Graphiques",
    "chart_daily": "Disponibilité nationale par jour (S1)",
    "chart_budget": "Budget d'erreur national restant",
    "chart_ranking": "Classement des SAMU (S1)",
    "per_samu": "Résultats par SAMU",
    "samu": "SAMU",
    "calls": "Appels",
    "s1": "S1",
    "s2": "S2 < 1 s",
    "s3_down": "S3 min. KO",
    "budget_left": "Budget restant",
    "met": "SLO",
    "qs60_raw": "QS60 brut",
    "qs60_adj": "QS60 ajusté",
    "abandonment": "Abandons",
    "entraide": "Entraide reçue / donnée",
    "completeness": "Complétude",
    "incident_list": "Incidents du mois",
    "start": "Début",
    "end": "Fin",
    "duration": "Durée",
    "affected": "Appels affectés (est.)",
    "detection": "Détection",
    "component": "Composant",
    "cause": "Cause",
    "ttd": "Détection",
    "tta": "Prise en compte",
    "ttr": "Résolution",
    "local": "heure de Paris",
    "maintenance": "Maintenances planifiées (exclues)",
    "approved_by": "Approuvée par",
    "minutes": "Minutes",
    "none": "Aucun.",
    "method": "Méthode",
    "no_data": "pas de données",
    "yes": "✓",
    "no": "✗",
    "open": "en cours",
    "compliant": "L'objectif national de disponibilité est atteint ce mois-ci.",
    "not_compliant": "L'objectif national de disponibilité n'est pas atteint ce mois-ci.",
    "unknown": "Aucune donnée : la conformité ne peut pas être établie.",
}

_EN = {
    "title": "Monthly availability report — SI-SAMU (the 15)",
    "month": "Month",
    "period": "Period (UTC)",
    "version": "Version",
    "as_of": "Data as of",
    "summary": "Summary",
    "national_s1": "National availability (S1)",
    "objective": "Objective",
    "budget_consumed": "Error budget consumed",
    "incidents": "Incidents",
    "minutes_down": "Minutes unavailable (S3, SAMU × minutes)",
    "trend": "Trend",
    "previous_month": "Previous month",
    "previous_year": "Same month last year",
    "samu_met": "SAMU meeting their SLOs",
    "samu_missed": "SAMU missing their SLOs",
    "samu_no_data": "SAMU without data",
    "compliance": "Compliance statement",
    "charts": "Charts",
    "chart_daily": "National availability per day (S1)",
    "chart_budget": "National error budget left",
    "chart_ranking": "SAMU ranking (S1)",
    "per_samu": "Per SAMU",
    "samu": "SAMU",
    "calls": "Calls",
    "s1": "S1",
    "s2": "S2 < 1 s",
    "s3_down": "S3 min. down",
    "budget_left": "Budget left",
    "met": "SLO",
    "qs60_raw": "QS60 raw",
    "qs60_adj": "QS60 adjusted",
    "abandonment": "Abandoned",
    "entraide": "Entraide in / out",
    "completeness": "Completeness",
    "incident_list": "Incidents of the month",
    "start": "Start",
    "end": "End",
    "duration": "Duration",
    "affected": "Affected calls (est.)",
    "detection": "Detection",
    "component": "Component",
    "cause": "Cause",
    "ttd": "Detect",
    "tta": "Ack",
    "ttr": "Resolve",
    "local": "Paris time",
    "maintenance": "Planned maintenance (excluded)",
    "approved_by": "Approved by",
    "minutes": "Minutes",
    "none": "None.",
    "method": "Method",
    "no_data": "no data",
    "yes": "✓",
    "no": "✗",
    "open": "open",
    "compliant": "The national availability objective is met this month.",
    "not_compliant": "The national availability objective is not met this month.",
    "unknown": "No data: compliance cannot be established.",
}

LANGS = MappingProxyType({"fr": MappingProxyType(_FR), "en": MappingProxyType(_EN)})


@dataclass(frozen=True)
class Formatter:
    """Numbers as the PDF prints them in one language."""

    lang: str

    @property
    def words(self) -> MappingProxyType[str, str]:
        return LANGS[self.lang]

    def pct(self, value: float | None, digits: int = 4) -> str:
        """A percentage already rounded by the document (e.g. 99.9712 → `99,9712 %` in French)."""
        if value is None:
            return self.words["no_data"]
        text = f"{value:.{digits}f}"
        return (text.replace(".", ",") if self.lang == "fr" else text) + NBSP + "%"

    def count(self, value: int | None) -> str:
        """An integer with grouped thousands (`12 345` in French, `12,345` in English)."""
        if value is None:
            return self.words["no_data"]
        text = f"{value:,}"
        return text.replace(",", NBSP) if self.lang == "fr" else text

    def duration(self, seconds: int | None) -> str:
        """A duration as `1 h 05 min`, `3 min 20 s` or `45 s`."""
        if seconds is None:
            return "—"
        h, rest = divmod(seconds, 3600)
        m, s = divmod(rest, 60)
        if h:
            return f"{h}{NBSP}h{NBSP}{m:02d}{NBSP}min"
        return f"{m}{NBSP}min{NBSP}{s:02d}{NBSP}s" if m else f"{s}{NBSP}s"


def formatter(lang: str) -> Formatter:
    """The formatter of `lang` (fr or en)."""
    if lang not in LANGS:
        raise ReportError(f"unknown report language {lang!r}: use one of {', '.join(LANGS)}")
    return Formatter(lang)
