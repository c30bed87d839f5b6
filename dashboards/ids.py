"""Every component id of the UI, in one place (pages and tests import them from here)."""

from __future__ import annotations

# shell
URL = "url"
LANG = "lang"
LANG_BUTTON = "lang-button"
ROOT = "root"
HEADER = "header"
NAV = "nav"
CONTENT = "content"
SKIP_LINK = "skip-link"

# national view
NATIONAL_TICK = "national-tick"
KPIS = "kpis"
MAP = "samu-map"
MAP_GEO = "samu-map-geo"
MAP_KIND = "map-kind"
RISK = "risk-table"
RISK_BODY = "risk-body"
RISK_SORT = "risk-sort"
RISK_MORE = "risk-more"
RISK_SORT_BUTTON = "risk-sort-button"  # pattern-matching: {"type": RISK_SORT_BUTTON, "index": col}
ENTRAIDE = "entraide"

# SAMU page
SAMU_TICK = "samu-tick"
SAMU_ID = "samu-id"
SAMU_HEAD = "samu-head"
SAMU_SLOS = "samu-slos"
SAMU_SLI = "samu-sli"
SAMU_BUDGET = "samu-budget"
SAMU_BURNS = "samu-burns"
SAMU_CALLS = "samu-calls"
SAMU_HEAT = "samu-heat"
SAMU_PAIR = "samu-pair"
SAMU_ALERTS = "samu-alerts"

# alerts page
ALERTS_TICK = "alerts-tick"
ALERTS_VERSION = "alerts-version"
ALERTS_MESSAGE = "alerts-message"
GROUPS = "alert-groups"  # drawn by the browser (vigie.js) from ALERTS_ROWS, not by Dash
ALERTS_ROWS = "alerts-rows"  # the page of rows as component JSON
ALERTS_DRAWN = "alerts-drawn"  # rows the browser drew (set by vigie.js)
ROW_ACTION = "alerts-row-action"  # {"action": ACK | SILENCE_ROW | OPEN_INCIDENT, "index": …}
ALERTS_COUNT = "alerts-count"
ALERTS_FILTER = "alerts-filter"  # + "-samu", "-slo", "-severity", "-state", "-silenced"
ALERTS_SORT = "alerts-sort"
ALERTS_PAGE = "alerts-page"
ALERTS_PREV = "alerts-prev"
ALERTS_NEXT = "alerts-next"
INCIDENT_PANEL = "incident-panel"
INCIDENT_SHOWN = "incident-shown"
ACK = "ack"  # a row button: {"type": ACK, "index": "<incident id>|ack"} (or |unack)
SILENCE_ROW = "silence-row"  # a row button: {"type": SILENCE_ROW, "index": "<fingerprint>"}
OPEN_INCIDENT = "open-incident"  # a row button: {"type": OPEN_INCIDENT, "index": "<id>"}
SILENCES = "silences"
SILENCE_MATCHERS = "silence-matchers"
SILENCE_ENDS = "silence-ends"
SILENCE_COMMENT = "silence-comment"
SILENCE_CREATE = "silence-create"
EXPIRE = "expire"  # pattern-matching: {"type": EXPIRE, "index": "<silence id>"}
ONCALL = "oncall"

# wall mode
WALL = "wall"
WALL_TICK = "wall-tick"
WALL_CLOCK = "wall-clock"
WALL_COUNTER = "wall-counter"
WALL_KPIS = "wall-kpis"
WALL_MAP = "wall-map"
WALL_FOCUS_TITLE = "wall-focus-title"
WALL_FOCUS = "wall-focus"
WALL_PAGE = "wall-page"
WALL_STALE = "wall-stale"
WALL_SECOND = "wall-second"  # the browser's one-second tick (rotation, staleness)
WALL_CONFIG = "wall-config"
WALL_SLOT = "wall-slot"  # {"page": name, "cycle": n}: where the rotation is
WALL_LAST = "wall-last"  # the time of the data on screen
WALL_RECEIVED = "wall-received"  # when the browser received it

# reports page
REPORTS_MONTH = "reports-month"
REPORTS_VERSION = "reports-version"
REPORTS_MESSAGE = "reports-message"
REPORTS_SUMMARY = "reports-summary"
REPORTS_LINKS = "reports-links"
REPORTS_ISSUE = "reports-issue"
REPORTS_VERIFY = "reports-verify"

# collector page
COLLECTOR_TICK = "collector-tick"
COLLECTOR_AGENTS = "collector-agents"
# migration waves page
WAVES_PICK = "waves-pick"
WAVES_DAYS = "waves-days"
WAVES_HEAD = "waves-head"
WAVES_TABLE = "waves-table"
WAVES_ROWS = "waves-rows"
WAVES_FIGURE = "waves-figure"
WAVES_FOREST = "waves-forest"
