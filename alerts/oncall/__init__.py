"""On-call: people, rotations, schedules, escalation, incidents, heartbeats (GoAlert's model).

Pure core (rotation, schedule, escalation, links, ical) and I/O at the edges (eventlog,
service, heartbeat, api). Configuration comes from a strict `oncall.yaml` (config.py).
"""
