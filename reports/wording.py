"""The PDF's words, French by default, English available: labels, and the sentences the report
is written in (placeholders in braces get already formatted values)."""

from __future__ import annotations

FR = {
    "title": "Rapport mensuel de disponibilité — SI-SAMU (le 15)",
    "intro": (
        "Ce rapport couvre {month} ({hours} heures), du {start} au {end}, heure de Paris "
        "(Europe/Paris). Version {version} ; chiffres arrêtés au {as_of}."
    ),
    "summary": "Synthèse",
    "s1_sentence": (
        "La disponibilité nationale de l'établissement des appels (S1) est de {value} "
        "pour un objectif de {objective}."
    ),
    "s1_no_data": (
        "Aucune donnée ne permet de calculer la disponibilité nationale de l'établissement "
        "des appels (S1) ce mois-ci ; l'objectif est de {objective}."
    ),
    "budget_sentence": "Le budget d'erreur national consommé est de {value}.",
    "budget_spent": "Le budget d'erreur national est épuisé : il a été consommé à {value}.",
    "s2_sentence": "La part des appels établis en moins d'une seconde (S2) est de {value}.",
    "down_sentence": (
        "Les appels de test ont échoué ou manqué pendant {n} minutes, toutes SAMU confondues (S3)."
    ),
    "unjudged_none": (
        "Toutes les minutes d'appels de test ont été jugées (S3) : aucune n'est restée sans "
        "données ni dans un trou de collecte Vigie."
    ),
    "unjudged_1": (
        "{what} n'a été jugée ni disponible ni indisponible (S3) : elle est exclue des budgets."
    ),
    "unjudged_n": (
        "{what} n'ont été jugées ni disponibles ni indisponibles (S3) : elles sont exclues des "
        "budgets."
    ),
    "no_data_minutes_1": "une minute sans données",
    "no_data_minutes_n": "{n} minutes sans données",
    "gap_minutes_1": "une minute de trou de collecte Vigie",
    "gap_minutes_n": "{n} minutes de trou de collecte Vigie",
    "and": "et",
    "trend_both": (
        "Pour comparaison, la disponibilité était de {previous} le mois précédent et de {year} "
        "le même mois l'an dernier."
    ),
    "trend_previous": (
        "Pour comparaison, la disponibilité était de {previous} le mois précédent ; le même mois "
        "l'an dernier n'a pas de données."
    ),
    "trend_year": (
        "Pour comparaison, la disponibilité était de {year} le même mois l'an dernier ; le mois "
        "précédent n'a pas de données."
    ),
    "trend_none": "Ni le mois précédent ni le même mois l'an dernier n'ont de données à comparer.",
    "incidents_0": "Aucun incident n'a été ouvert ce mois-ci.",
    "incidents_1": "Un incident a été ouvert ce mois-ci.",
    "incidents_n": "{n} incidents ont été ouverts ce mois-ci.",
    "samu_met_0": "Aucun SAMU ne respecte ses objectifs",
    "samu_met_1": "Un SAMU respecte ses objectifs",
    "samu_met_n": "{n} SAMU respectent leurs objectifs",
    "samu_missed_0": "aucun ne les manque",
    "samu_missed_1": "un les manque",
    "samu_missed_n": "{n} les manquent",
    "samu_none_0": "tous ont transmis des données.",
    "samu_none_1": "un n'a transmis aucune donnée.",
    "samu_none_n": "{n} n'ont transmis aucune donnée.",
    "compliance": "Déclaration de conformité",
    "compliant": "L'objectif national de disponibilité est atteint ce mois-ci.",
    "not_compliant": "L'objectif national de disponibilité n'est pas atteint ce mois-ci.",
    "unknown": "Faute de données, la conformité ne peut pas être établie ce mois-ci.",
    "charts": "Graphiques",
    "chart_daily": "Disponibilité nationale par jour (S1) et objectif",
    "chart_budget": "Budget d'erreur national restant, jour après jour, et consommation régulière",
    "chart_ranking": "Les SAMU les moins disponibles (S1) et l'objectif",
    "samu_charts": "Graphiques des SAMU à suivre",
    "samu_charts_intro": (
        "Pour chaque SAMU qui a manqué un objectif ou connu un incident : la consommation de son "
        "budget d'erreur, son taux de combustion quotidien face aux seuils d'alerte, ses appels "
        "comparés à ceux de son SAMU de secours (entraide) et ses minutes en échec heure par "
        "heure."
    ),
    "samu_charts_none": "Aucun SAMU n'a manqué d'objectif ni connu d'incident ce mois-ci.",
    "chart_burn_down": "Budget d'erreur restant (S1) et consommation régulière",
    "chart_burn_rate": "Taux de combustion quotidien (S1) et seuils d'alerte",
    "chart_entraide": "Appels par jour, avec son SAMU de secours, et appels transférés",
    "chart_heat": (
        "Minutes en échec des appels de test (S3) par heure et par jour, heure de Paris, "
        "et total du jour"
    ),
    "legend_bad_minutes": "minutes en échec dans l'heure :",
    "legend_remaining": "budget restant",
    "legend_steady": "consommation régulière",
    "legend_objective": "objectif",
    "legend_burn": "combustion",
    "legend_page": "seuil d'astreinte",
    "legend_ticket": "seuil de ticket",
    "legend_calls": "appels de {samu}",
    "legend_transfers": "transférés vers le secours",
    "no_data": "pas de données",
    "per_samu": "Résultats par SAMU",
    "samu": "SAMU",
    "calls": "Appels",
    "s1": "S1",
    "s2": "S2 < 1 s",
    "s3_down": "S3 min. KO",
    "s3_unjudged": "S3 min. sans données / trou Vigie",
    "budget_left": "Budget restant",
    "met": "SLO",
    "qs60_raw": "QS60 brut",
    "qs60_adj": "QS60 ajusté",
    "abandonment": "Abandons",
    "entraide": "Entraide reçue / donnée",
    "completeness": "Complétude",
    "exhausted": "épuisé",
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
    "maintenance_none": "Aucune maintenance planifiée n'a eu lieu ce mois-ci.",
    "waves": "Annexe : vagues de migration du mois",
    "waves_intro": (
        "Chaque SAMU migré ce mois-ci, ses chiffres comparés sur {days} jours avant sa nuit de "
        "migration et {days} jours après (la nuit, maintenance planifiée, est exclue). Un "
        "verdict « moins bien » ou « mieux » demande un intervalle de confiance qui exclut zéro "
        "et un écart au moins égal à la marge du chiffre ; sinon « inchangé »."
    ),
    "waves_partial": "comparaison provisoire : les jours après la nuit n'étaient pas finis",
    "wave": "Vague",
    "night": "Nuit",
    "move": "Migration",
    "verdict": "Verdict",
    "v_worse": "moins bien",
    "v_better": "mieux",
    "v_same": "inchangé",
    "v_no_data": "pas de données",
    "f_availability": "S1",
    "f_reachability": "S3",
    "f_setup_p50": "p50",
    "f_setup_p95": "p95",
    "f_setup_p99": "p99",
    "f_network_latency": "Latence",
    "f_component_health": "Santé",
    "approved_by": "Approuvée par",
    "minutes": "Minutes",
    "method": "Méthode",
    "all_attempts": "toutes les tentatives",
    "yes": "✓",
    "no": "✗",
    "open": "en cours",
}

EN = {
    "title": "Monthly availability report — SI-SAMU (the 15)",
    "intro": (
        "This report covers {month} ({hours} hours), from {start} to {end}, Paris time "
        "(Europe/Paris). Version {version}; figures as of {as_of}."
    ),
    "summary": "Summary",
    "s1_sentence": (
        "National call-setup availability (S1) is {value} against an objective of {objective}."
    ),
    "s1_no_data": (
        "No data gives a national call-setup availability (S1) this month; the objective is "
        "{objective}."
    ),
    "budget_sentence": "The national error budget consumed is {value}.",
    "budget_spent": "The national error budget is exhausted: {value} of it was consumed.",
    "s2_sentence": "The share of calls set up in under one second (S2) is {value}.",
    "down_sentence": "Probe calls failed or were missing for {n} minutes across all SAMU (S3).",
    "unjudged_none": (
        "Every test-call minute was judged (S3): none was without data or in a Vigie ingest gap."
    ),
    "unjudged_1": "{what} was judged neither up nor down (S3): it is excluded from the budgets.",
    "unjudged_n": (
        "{what} were judged neither up nor down (S3): they are excluded from the budgets."
    ),
    "no_data_minutes_1": "one minute without data",
    "no_data_minutes_n": "{n} minutes without data",
    "gap_minutes_1": "one minute of Vigie ingest gap",
    "gap_minutes_n": "{n} minutes of Vigie ingest gap",
    "and": "and",
    "trend_both": (
        "For comparison, availability was {previous} the previous month and {year} the same "
        "month last year."
    ),
    "trend_previous": (
        "For comparison, availability was {previous} the previous month; the same month last "
        "year has no data."
    ),
    "trend_year": (
        "For comparison, availability was {year} the same month last year; the previous month "
        "has no data."
    ),
    "trend_none": "Neither the previous month nor the same month last year has data to compare.",
    "incidents_0": "No incident was opened this month.",
    "incidents_1": "One incident was opened this month.",
    "incidents_n": "{n} incidents were opened this month.",
    "samu_met_0": "No SAMU met its objectives",
    "samu_met_1": "One SAMU met its objectives",
    "samu_met_n": "{n} SAMU met their objectives",
    "samu_missed_0": "none missed them",
    "samu_missed_1": "one missed them",
    "samu_missed_n": "{n} missed them",
    "samu_none_0": "all sent data.",
    "samu_none_1": "one sent no data.",
    "samu_none_n": "{n} sent no data.",
    "compliance": "Compliance statement",
    "compliant": "The national availability objective is met this month.",
    "not_compliant": "The national availability objective is not met this month.",
    "unknown": "Without data, compliance cannot be established this month.",
    "charts": "Charts",
    "chart_daily": "National availability per day (S1) and objective",
    "chart_budget": "National error budget left, day after day, and steady consumption",
    "chart_ranking": "The least available SAMU (S1) and the objective",
    "samu_charts": "Charts of the SAMU to watch",
    "samu_charts_intro": (
        "For each SAMU that missed an objective or had an incident: its error budget burn-down, "
        "its daily burn rate against the alert thresholds, its calls beside its backup SAMU's "
        "(entraide) and its bad minutes hour by hour."
    ),
    "samu_charts_none": "No SAMU missed an objective or had an incident this month.",
    "chart_burn_down": "Error budget left (S1) and steady consumption",
    "chart_burn_rate": "Daily burn rate (S1) and alert thresholds",
    "chart_entraide": "Calls per day, with its backup SAMU, and calls transferred",
    "chart_heat": "Test-call (S3) minutes judged bad by hour and day, Paris time, and day total",
    "legend_bad_minutes": "bad minutes in the hour:",
    "legend_remaining": "budget left",
    "legend_steady": "steady consumption",
    "legend_objective": "objective",
    "legend_burn": "burn rate",
    "legend_page": "page threshold",
    "legend_ticket": "ticket threshold",
    "legend_calls": "calls of {samu}",
    "legend_transfers": "transferred to the backup",
    "no_data": "no data",
    "per_samu": "Per SAMU",
    "samu": "SAMU",
    "calls": "Calls",
    "s1": "S1",
    "s2": "S2 < 1 s",
    "s3_down": "S3 min. down",
    "s3_unjudged": "S3 min. no data / Vigie gap",
    "budget_left": "Budget left",
    "met": "SLO",
    "qs60_raw": "QS60 raw",
    "qs60_adj": "QS60 adjusted",
    "abandonment": "Abandoned",
    "entraide": "Entraide in / out",
    "completeness": "Completeness",
    "exhausted": "exhausted",
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
    "maintenance_none": "No planned maintenance took place this month.",
    "waves": "Annex: the month's migration waves",
    "waves_intro": (
        "Every SAMU moved this month, its figures compared over {days} days before its "
        "migration night and {days} days after (the night, planned maintenance, is left out). "
        "A verdict of worse or better needs a confidence interval that excludes zero and a "
        "change at least the figure's margin; otherwise same."
    ),
    "waves_partial": "provisional: the days after the night were not over",
    "wave": "Wave",
    "night": "Night",
    "move": "Move",
    "verdict": "Verdict",
    "v_worse": "worse",
    "v_better": "better",
    "v_same": "same",
    "v_no_data": "no data",
    "f_availability": "S1",
    "f_reachability": "S3",
    "f_setup_p50": "p50",
    "f_setup_p95": "p95",
    "f_setup_p99": "p99",
    "f_network_latency": "Latency",
    "f_component_health": "Health",
    "approved_by": "Approved by",
    "minutes": "Minutes",
    "method": "Method",
    "all_attempts": "every attempt",
    "yes": "✓",
    "no": "✗",
    "open": "open",
}
