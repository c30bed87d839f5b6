"""SLO specs (native YAML, OpenSLO import) and the one computation of their figures that every
reader asks (engine, status, API, UI, report): a ledger of per-minute counts, minutes judged
good, bad, Vigie gap or no data, windows, error budgets, multiwindow burn-rate alerts, guards,
the engine loop and backtests.
"""
