"""Alerting configuration in Alertmanager's YAML syntax: a strict spec and its one mapping.

`load_config(path)` reads an alertmanager.yml and returns an `AlertingConfig` of frozen core
values (the built routing tree, inhibition rules, time intervals, receivers), or raises
`ConfigError` listing every problem as `file:line: path: reason`. The modules follow the way
Alertmanager splits its config package, one concept each:

- `fields`: the value types (durations, label names, URLs, host:port, matchers, regexes);
- `notifiers`: receivers, their notifier configurations and the `global` defaults;
- `spec`: the file as written (routes, inhibition rules, time intervals, the whole file);
- `checks`: what needs the whole file (names that exist and are unique, the root route's rules);
- `mapping`: the spec → core values mapping (the engine never sees pydantic);
- `load`: text → YAML with lines → spec → checks → mapping, and the problem report.
"""

from __future__ import annotations

from alerts.config.load import load_config, parse_config
from alerts.config.mapping import AlertingConfig

__all__ = ["AlertingConfig", "load_config", "parse_config"]
