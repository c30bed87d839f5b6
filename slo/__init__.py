"""SLO specs (native YAML, OpenSLO import), SLIs from per-minute counts, windows, error budgets,
multiwindow burn-rate alerts, guards, the engine loop and backtests.
"""
