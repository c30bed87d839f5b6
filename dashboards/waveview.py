"""One view model per migration wave: its head, and one row per SAMU with each figure before →
after, the change with its interval and the verdict, in words, icon and colour — from the
comparison `waves.compare` made (the UI never recomputes a figure). Pure: values in, values out.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboards.i18n import fmt, t
from store.registry import Registry
from waves.compare import Comparison, FigureResult
from waves.measures import BY_KEY, FIGURES
from waves.stats import Verdict

# A verdict as a badge: never colour alone (an icon and a word beside it).
VERDICT_ICONS: dict[str, str] = {"worse": "▼", "better": "▲", "same": "=", "no_data": "?"}
VERDICT_CLASSES: dict[str, str] = {
    "worse": "state-page",
    "better": "state-ok",
    "same": "verdict-same",
    "no_data": "state-no_data",
}


@dataclass(frozen=True)
class CellView:
    """One figure of one SAMU."""

    figure: str
    before: str
    after: str
    change: str  # after − before, e.g. "+15,0 ms"
    interval: str  # its confidence interval, e.g. "[+14,8 ; +15,2] ms"
    verdict: Verdict
    badge: str  # icon and word
    css: str


@dataclass(frozen=True)
class RowView:
    """One SAMU of the wave."""

    samu_id: str
    name: str
    move: str  # "hebergement-regional → cloud-souverain"
    verdict: Verdict
    badge: str
    css: str
    cells: tuple[CellView, ...]


@dataclass(frozen=True)
class WaveView:
    """A wave as its page shows it."""

    id: str
    title: str
    night: str
    approved_by: str
    state: str  # complete, or provisional as of …
    method: str
    rows: tuple[RowView, ...]
    counts: tuple[tuple[Verdict, int], ...]  # SAMU per overall verdict


def badge(verdict: Verdict, lang: str) -> str:
    return f"{VERDICT_ICONS[verdict]} {t('verdict.' + verdict, lang)}"


def value(key: str, x: float | None, lang: str) -> str:
    """A figure's value: a share in %, seconds in ms."""
    f = fmt(lang)
    if x is None:
        return t("none", lang)
    if BY_KEY[key].unit == "share":
        return f.percent(x, 3)
    return t("waves.ms", lang).format(v=f.number(x * 1000, 1))


def _signed(x: float, digits: int, lang: str) -> str:
    text = fmt(lang).number(abs(x), digits)
    return ("−" if round(x, digits) < 0 else "+") + text  # no "−0,0"


def change(key: str, r: FigureResult, lang: str) -> tuple[str, str]:
    """after − before and its interval: points of % for a share, ms for seconds."""
    if r.difference is None:
        return t("none", lang), ""
    share = BY_KEY[key].unit == "share"
    scale, digits, unit = (100.0, 3, "waves.pt") if share else (1000.0, 1, "waves.ms")
    text = t(unit, lang).format(v=_signed(r.difference * scale, digits, lang))
    if r.low is None or r.high is None:
        return text, ""
    low, high = _signed(r.low * scale, digits, lang), _signed(r.high * scale, digits, lang)
    return text, t(unit + "_interval", lang).format(low=low, high=high)


def wave_view(c: Comparison, registry: Registry, lang: str) -> WaveView:
    """The wave's head and one row per SAMU of the comparison (already scoped)."""
    f, w, m = fmt(lang), c.wave, c.method
    night = f"{f.instant(w.starts_at, 'd MMM y HH:mm')} → {f.instant(w.ends_at, 'd MMM HH:mm')}"
    if c.complete:
        state = t("waves.complete", lang)
    else:
        state = t("waves.provisional", lang).format(at=f.instant(c.as_of, "d MMM HH:mm"))
    method = t("waves.method", lang).format(
        days=m.days,
        confidence=f.percent(m.confidence, 1),
        unit=t(f"waves.unit.{m.unit}", lang),
        n=f.integer(m.resamples),
    )
    rows = []
    for r in c.samu:
        samu = registry.get(r.samu_id)
        cells = []
        for fig in FIGURES:
            found = r.figure(fig.key)
            if found is None:
                continue
            text, interval = change(fig.key, found, lang)
            cells.append(
                CellView(
                    fig.key,
                    value(fig.key, found.before, lang),
                    value(fig.key, found.after, lang),
                    text,
                    interval,
                    found.verdict,
                    badge(found.verdict, lang),
                    VERDICT_CLASSES[found.verdict],
                )
            )
        rows.append(
            RowView(
                r.samu_id,
                samu.name if samu is not None else r.samu_id,
                f"{r.source} → {r.target}",
                r.verdict,
                badge(r.verdict, lang),
                VERDICT_CLASSES[r.verdict],
                tuple(cells),
            )
        )
    order: tuple[Verdict, ...] = ("worse", "better", "same", "no_data")
    counts = tuple((v, sum(1 for row in rows if row.verdict == v)) for v in order)
    return WaveView(w.id, w.title, night, w.approved_by, state, method, tuple(rows), counts)
