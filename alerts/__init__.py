"""Label-based alerting with Alertmanager's semantics (routing, grouping, inhibition, silences,
notification log), notifiers, on-call escalation and incidents, maintenance windows.
"""
