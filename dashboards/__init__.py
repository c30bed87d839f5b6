"""The Dash NOC UI: national view, SAMU page, alerts, reports, migration waves and wall mode,
over the platform's services.
"""
