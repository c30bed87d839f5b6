"""Message templates: French by default, English, overrides from config, escaping, time zones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from alerts.notifiers.message import budget, message_context, number
from alerts.notifiers.sms import shorten
from alerts.notifiers.templates import TemplateFailed, Templates
from store.registry import load_registry
from tests.test_notifier_peers import T0, alert, notification

REGISTRY = load_registry()


def render(kind: str, lang: str = "fr", templates: Templates | None = None, **kw: object) -> str:
    engine = templates or Templates(lang=lang)
    sent = kw.pop("sent", None) or notification()
    context = message_context(sent, REGISTRY, engine.lang, **kw)  # type: ignore[arg-type]
    return engine.render(kind, context)


@pytest.mark.parametrize(
    ("kind", "lang", "expected"),
    [
        (
            "email.subject",
            "fr",
            "[URGENT] Consommation rapide du budget d'erreur — SAMU 75 – Paris (SLO S1)",
        ),
        ("email.subject", "en", "[PAGE] Error budget burning fast — SAMU 75 – Paris (SLO S1)"),
        (
            "sms",
            "fr",
            "Vigie15 URGENT SAMU 75 – Paris : Consommation rapide du budget d'erreur, SLO S1, "
            "x14,4",
        ),
        ("sms", "en", "Vigie15 PAGE SAMU 75 – Paris: Error budget burning fast, SLO S1, x14.4"),
    ],
)
def test_default_templates_speak_french_and_english(kind: str, lang: str, expected: str) -> None:
    assert render(kind, lang) == expected


@pytest.mark.parametrize(
    ("case", "starts", "samu", "expected"),
    [
        ("winter in Paris is UTC+1", T0, "fr.health.samu075", "14/03/2036 03:12 (heure de Paris)"),
        (
            "summer in Paris is UTC+2",
            dt.datetime(2036, 7, 1, 1, 0, tzinfo=dt.UTC),
            "fr.health.samu075",
            "01/07/2036 03:00 (heure de Paris)",
        ),
        (
            "Réunion shows its local time, UTC+4, beside Paris",
            T0,
            "fr.health.samu974",
            "14/03/2036 03:12 (heure de Paris), 14/03/2036 06:12 heure locale (Indian/Reunion)",
        ),
    ],
)
def test_times_show_in_paris_and_in_overseas_local_time(
    case: str, starts: dt.datetime, samu: str, expected: str
) -> None:
    sent = notification(alert(samu=samu).__class__(alert(samu=samu).labels, starts))
    assert f"Début : {expected}" in render("email.text", sent=sent), case


def test_html_is_autoescaped_and_text_is_not() -> None:
    sent = notification(alert(summary="<script>x</script> & co"))
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in render("email.html", sent=sent)
    assert "<script>x</script> & co" in render("email.text", sent=sent)


def test_the_ack_link_and_runbook_appear_when_present() -> None:
    sent = notification(alert(runbook_url="https://wiki.example/rb"))
    text = render("email.text", sent=sent, ack_url="https://vigie.example/ack/abc")
    assert "Procédure : https://wiki.example/rb" in text
    assert "Acquitter : https://vigie.example/ack/abc" in text
    assert "Acquitter" not in render("email.text")


def test_missing_annotations_leave_no_gaps() -> None:
    bare = alert().__class__({"alertname": "Watchdog"}, T0)
    text = render("email.text", sent=notification(bare, external_url=""))
    assert "Veille du système d'alerte — national (en cours)" in text
    assert "SLO" not in text and "Tableau de bord" not in text


def test_a_config_template_named_like_a_default_overrides_it(tmp_path: Path) -> None:
    (tmp_path / "email.subject.fr.j2").write_text("Alerte {{ first.samu_name }}")
    (tmp_path / "extra.j2").write_text("{% macro hello() %}bonjour{% endmacro %}")
    engine = Templates([str(tmp_path / "*.j2")])
    assert render("email.subject", templates=engine) == "Alerte SAMU 75 – Paris"
    assert render("email.text", templates=engine).startswith("Vigie 15 —")  # others stay
    context = message_context(notification(), REGISTRY)
    inline = '{% from "extra.j2" import hello %}{{ hello() }} {{ receiver }}'
    assert engine.render_text(inline, "email.text", context) == "bonjour noc"


def test_alertmanagers_template_calls_select_our_defaults() -> None:
    engine = Templates()
    context = message_context(notification(), REGISTRY)
    go = '{{ template "email.default.html" . }}'
    assert engine.render_text(go, "email.html", context) == engine.render("email.html", context)


def test_broken_templates_fail_clearly(tmp_path: Path) -> None:
    (tmp_path / "sms.fr.j2").write_text("{% if %}")
    engine = Templates([str(tmp_path / "sms.fr.j2")])
    assert engine.check() == [
        "template sms.fr.j2: Expected an expression, got 'end of statement block'"
    ]
    with pytest.raises(TemplateFailed, match=r"template sms\.fr\.j2"):
        render("sms", templates=engine)
    with pytest.raises(TemplateFailed, match="unknown language"):
        Templates(lang="de")
    with pytest.raises(TemplateFailed, match="cannot read template file"):
        Templates([str(tmp_path / "missing.j2")])


def test_templates_run_sandboxed() -> None:
    context = message_context(notification(), REGISTRY)
    assert Templates().render_inline("{{ receiver.__class__.__mro__ }}", context) == ""
    with pytest.raises(TemplateFailed):
        Templates().render_inline("{{ receiver.__class__.__subclasses__() }}", context)


@pytest.mark.parametrize(
    ("value", "lang", "as_number", "as_budget"),
    [
        ("-0.5", "fr", "-0,5", "-50\u202f%"),  # an overspent budget
        ("0.42", "fr", "0,4", "42\u202f%"),
        ("0.42", "en", "0.4", "42%"),
        ("0.05", "fr", "0,1", "5,0\u202f%"),
        ("42%", "fr", "42%", "42%"),
        ("n/a", "fr", "n/a", "n/a"),
    ],
)
def test_numbers_follow_the_language(value: str, lang: str, as_number: str, as_budget: str) -> None:
    assert number(value, lang) == as_number
    assert budget(value, lang) == as_budget


@pytest.mark.parametrize(
    ("case", "text", "limit", "expected"),
    [
        ("a short text is kept", "Alerte  SAMU\n75", 160, "Alerte SAMU 75"),
        ("a long text is cut at a word", "un deux trois quatre cinq", 16, "un deux trois…"),
        ("a single long word is cut hard", "x" * 30, 10, "x" * 9 + "…"),
        ("punctuation before the cut goes", "alpha beta, gamma delta", 13, "alpha beta…"),
    ],
)
def test_sms_texts_are_shortened_cleanly(case: str, text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected, case
    assert len(shorten(text, limit)) <= limit


def test_a_busy_group_sms_stays_within_160_characters() -> None:
    many = [alert(samu=s.id) for s in list(REGISTRY)[:12]]
    text = shorten(
        render("sms", sent=notification(*many), ack_url="https://v.example/a/" + "k" * 40)
    )
    assert len(text) <= 160 and text.endswith("…")
