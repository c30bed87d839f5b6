"""The composition root: settings, the `vigie` CLI, the FastAPI app mounting every router, the
access policy, process wiring and schedules.
"""
