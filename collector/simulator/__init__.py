"""The SAMU traffic simulator: a seeded traffic model, scripted scenarios, OTel agents, backfill.

Layers: `traffic` (expected rates) and `calls` (per-call draws) are pure; `fleet` steps every
simulated SAMU over a window of time; `agent` and `runner` feed the real OpenTelemetry SDK;
`backfill` writes history as OTLP requests; `tally` keeps the ground truth of what was sent.
"""
