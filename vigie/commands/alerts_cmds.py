"""`vigie alerts`: check an alertmanager.yml and test routing, printing what amtool prints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import click

from alerts.config import AlertingConfig, load_config
from alerts.errors import ConfigError, MatcherError
from alerts.matchers import MatchType, matchers_string, matches_all, parse_matchers
from alerts.route import Route, receivers_for


def route_slug(route: Route, *, show_continue: bool, show_receiver: bool) -> str:
    """One node of amtool's routing tree: matchers (or `default-route`), continue, receiver."""
    slug = matchers_string(route.matchers) if route.matchers else "default-route"
    if route.continue_ and show_continue:
        slug += "  continue: true"
    if show_receiver:
        slug += f"  receiver: {route.opts.receiver}"
    return slug


_Node = tuple[str, list["_Node"]]


def _tree_lines(nodes: Sequence[_Node], prefix: str) -> list[str]:
    # xlab/treeprint layout, as amtool prints it (its continuation bar is followed by two NBSP).
    lines: list[str] = []
    for index, (value, children) in enumerate(nodes):
        last = index == len(nodes) - 1
        lines.append(f"{prefix}{'└── ' if last else '├── '}{value}")
        lines.extend(_tree_lines(children, prefix + ("    " if last else "│\u00a0\u00a0 ")))
    return lines


def routing_tree(root: Route) -> str:
    """The whole tree exactly as `amtool config routes show` prints it."""

    def node(route: Route) -> _Node:
        slug = route_slug(route, show_continue=True, show_receiver=True)
        return slug, [node(child) for child in route.routes]

    return "Routing tree:\n.\n" + "\n".join(_tree_lines([node(root)], "")) + "\n\n"


def matching_tree(root: Route, labels: Mapping[str, str]) -> str:
    """The matched branches exactly as `amtool config routes test --tree` prints them."""

    def node(route: Route) -> _Node:
        children: list[_Node] = []
        for child in route.routes:
            if matches_all(child.matchers, labels):
                children.append(node(child))
                if not child.continue_:
                    break
        return route_slug(route, show_continue=False, show_receiver=not children), children

    return "Matching routes:\n.\n" + "\n".join(_tree_lines([node(root)], "")) + "\n\n\n"


def parse_label_args(texts: Sequence[str]) -> dict[str, str]:
    """Labels from `a=b,c="d"` strings; only `=` is allowed, as in amtool."""
    labels: dict[str, str] = {}
    for text in texts:
        for matcher in parse_matchers(text):
            if matcher.type is not MatchType.EQUAL:
                raise click.BadParameter("labels must be specified as key=value pairs")
            labels[matcher.name] = matcher.value
    return labels


def _load(path: str) -> AlertingConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        click.echo(f"Checking {path!r}  FAILED:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None


@click.group("alerts")
def alerts_group() -> None:
    """Alert routing with Alertmanager's configuration and semantics."""


@alerts_group.command("check-config")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check_config(files: tuple[str, ...]) -> None:
    """Validate alertmanager.yml files; exit 1 with every reason if one is invalid."""
    for path in files:
        config = _load(path)
        routes = list(config.route.walk())
        names = ", ".join(config.receivers)
        click.echo(f"OK {path}")
        click.echo(f"  receivers: {len(config.receivers)} ({names})")
        click.echo(f"  routes: {len(routes)} (depth {max(r.depth for r in routes)})")
        click.echo(f"  inhibit rules: {len(config.inhibit_rules)}")
        click.echo(f"  time intervals: {len(config.time_intervals)}")
        click.echo(f"  templates: {len(config.templates)}")


@alerts_group.command("route")
@click.option("--config", "config_file", required=True, type=click.Path(dir_okay=False))
@click.option("--labels", "label_text", default="", help="Labels: 'samu=075,severity=page'.")
@click.option("--tree", is_flag=True, help="Print the routing tree (the matching one with labels).")
@click.option("--group-keys", is_flag=True, help="Also print each route's group key.")
@click.argument("label_args", nargs=-1)
def route_cmd(
    config_file: str, label_text: str, tree: bool, group_keys: bool, label_args: tuple[str, ...]
) -> None:
    """Print the receivers an alert goes to, as `amtool config routes test` does."""
    config = _load(config_file)
    texts = [t for t in (label_text, *label_args) if t]
    try:
        labels = parse_label_args(texts)
    except MatcherError as exc:
        raise click.BadParameter(str(exc), param_hint="--labels") from None
    if tree and not texts:
        click.echo(routing_tree(config.route), nl=False)
        return
    if tree:
        click.echo(matching_tree(config.route, labels), nl=False)
    click.echo(",".join(receivers_for(config.route, labels)))
    if group_keys:
        for route in config.route.match(labels):
            click.echo(f"{route.opts.receiver}\t{route.group_key(labels)}")
