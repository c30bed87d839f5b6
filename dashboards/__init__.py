"""The Dash NOC UI: national view, SAMU page, alerts, reports and wall mode, over the platform's
services.
"""
