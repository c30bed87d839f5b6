"""The routing tree with Alertmanager's semantics: depth-first match, `continue`, inherited options.

`RouteDef` is one route as written; `build_tree` applies Alertmanager's inheritance and defaults
(group_wait 30s, group_interval 5m, repeat_interval 4h) and gives every node the `key` Alertmanager
computes, so that our group keys (`{}/{severity="page"}:{alertname="x"}`) are Alertmanager's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

from alerts.matchers import Matcher, matchers_string, matches_all, sort_matchers
from alerts.model import label_set_string

DEFAULT_GROUP_WAIT = timedelta(seconds=30)
DEFAULT_GROUP_INTERVAL = timedelta(minutes=5)
DEFAULT_REPEAT_INTERVAL = timedelta(hours=4)


@dataclass(frozen=True)
class RouteDef:
    """One route as configured, before inheritance; `None` means "inherit from the parent"."""

    receiver: str = ""
    # Labels named in group_by other than `...`; None when there are none (then the parent's
    # grouping is inherited, exactly as Alertmanager does, even for `group_by: []`).
    group_by: tuple[str, ...] | None = None
    group_by_all: bool = False
    matchers: tuple[Matcher, ...] = ()
    continue_: bool = False
    group_wait: timedelta | None = None
    group_interval: timedelta | None = None
    repeat_interval: timedelta | None = None
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()
    routes: tuple[RouteDef, ...] = ()


@dataclass(frozen=True)
class RouteOpts:
    """The effective options of a route after inheritance."""

    receiver: str = ""
    group_by: frozenset[str] = frozenset()
    group_by_all: bool = False
    group_wait: timedelta = DEFAULT_GROUP_WAIT
    group_interval: timedelta = DEFAULT_GROUP_INTERVAL
    repeat_interval: timedelta = DEFAULT_REPEAT_INTERVAL
    # Not inherited: Alertmanager takes them from the route itself only.
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Route:
    """A node of the built routing tree."""

    opts: RouteOpts
    matchers: tuple[Matcher, ...]
    continue_: bool
    routes: tuple[Route, ...]
    key: str  # Alertmanager's Route.Key(): the parent's key, '/', this node's matchers
    id: str  # Alertmanager's Route.ID(): the key plus '/<position among siblings>'
    depth: int = 0

    def __repr__(self) -> str:
        return f"Route(id={self.id!r}, receiver={self.opts.receiver!r})"

    def match(self, labels: Mapping[str, str]) -> list[Route]:
        """The routes an alert with these labels goes to, depth-first, left to right."""
        if not matches_all(self.matchers, labels):
            return []
        found: list[Route] = []
        for child in self.routes:
            matches = child.match(labels)
            found.extend(matches)
            if matches and not child.continue_:
                break
        return found or [self]

    def walk(self) -> Iterator[Route]:
        """Every node of the subtree, depth-first, this node first."""
        yield self
        for child in self.routes:
            yield from child.walk()

    def group_labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        """The labels that name the alert's group on this route (its group_by, or all)."""
        if self.opts.group_by_all:
            return dict(labels)
        return {n: v for n, v in labels.items() if n in self.opts.group_by}

    def group_key(self, labels: Mapping[str, str]) -> str:
        """Alertmanager's aggregation group key: `<route key>:<group labels>`."""
        return f"{self.key}:{label_set_string(self.group_labels(labels))}"


def build_tree(root: RouteDef) -> Route:
    """Build the routing tree from its root definition, applying inheritance and defaults."""
    return _build(root, RouteOpts(), None, None, 0)


def _build(
    spec: RouteDef, inherited: RouteOpts, parent_key: str | None, position: int | None, depth: int
) -> Route:
    opts = replace(
        inherited,
        receiver=spec.receiver or inherited.receiver,
        mute_time_intervals=spec.mute_time_intervals,
        active_time_intervals=spec.active_time_intervals,
    )
    if spec.group_by is not None:
        opts = replace(opts, group_by=frozenset(spec.group_by), group_by_all=False)
    elif spec.group_by_all:
        opts = replace(opts, group_by_all=True)
    if spec.group_wait is not None:
        opts = replace(opts, group_wait=spec.group_wait)
    if spec.group_interval is not None:
        opts = replace(opts, group_interval=spec.group_interval)
    if spec.repeat_interval is not None:
        opts = replace(opts, repeat_interval=spec.repeat_interval)
    matchers = sort_matchers(spec.matchers)
    own = matchers_string(matchers)
    key = own if parent_key is None else f"{parent_key}/{own}"
    children = tuple(
        _build(child, opts, key, index, depth + 1) for index, child in enumerate(spec.routes)
    )
    route_id = key if position is None else f"{key}/{position}"
    return Route(opts, matchers, spec.continue_, children, key, route_id, depth)


def receivers_for(root: Route, labels: Mapping[str, str]) -> list[str]:
    """Receiver names for a label set in routing order, as `amtool config routes test` lists."""
    return [route.opts.receiver for route in root.match(labels)]
