"""Label matchers exactly as Alertmanager 0.25 (`pkg/labels`): `= != =~ !~`, RE2, fully anchored.

Regular expressions are RE2 (the `google-re2` binding), the dialect Go's `regexp` implements;
Python's `re` would accept lookarounds and backreferences that Alertmanager rejects. A label
absent from the label set matches as the empty string.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import re2

from alerts.errors import MatcherError

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
# The classic matcher grammar; compiled with RE2 so that `\s` means ASCII space as in Go.
_MATCHER_RE = re2.compile(
    r"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*((?s).*?)\s*$", options=_RE2_OPTIONS
)
# Go's unicode.IsSpace, used by strings.TrimSpace.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
_GO_SPACE += "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_OM_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", '"': '\\"'})


class MatchType(enum.Enum):
    """The four matcher operators, in Alertmanager's sort order."""

    EQUAL = "="
    NOT_EQUAL = "!="
    REGEXP = "=~"
    NOT_REGEXP = "!~"

    @property
    def rank(self) -> int:
        """Position in Alertmanager's MatchType enumeration (used to sort matchers)."""
        return list(MatchType).index(self)


def compile_anchored(pattern: str) -> Any:
    """Compile `^(?:pattern)$` with RE2, rejecting what Go's regexp rejects."""
    _reject_byte_escape(pattern)
    try:
        return re2.compile(f"^(?:{pattern})$", options=_RE2_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise MatcherError(f"error parsing regexp {pattern!r}: {reason}") from None


def _reject_byte_escape(pattern: str) -> None:
    # RE2 (C++) accepts `\C` (any byte); Go's regexp does not.
    index = 0
    while index < len(pattern):
        if pattern[index] == "\\":
            if pattern[index + 1 : index + 2] == "C":
                raise MatcherError(
                    f"error parsing regexp {pattern!r}: invalid escape sequence: \\C"
                )
            index += 2
        else:
            index += 1


@dataclass(frozen=True)
class Matcher:
    """One label matcher; `matches(value)` applies it to a label's value ('' when absent)."""

    type: MatchType
    name: str
    value: str
    _regex: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.type in (MatchType.REGEXP, MatchType.NOT_REGEXP):
            object.__setattr__(self, "_regex", compile_anchored(self.value))

    def matches(self, value: str) -> bool:
        """Whether a label value satisfies this matcher."""
        if self.type is MatchType.EQUAL:
            return value == self.value
        if self.type is MatchType.NOT_EQUAL:
            return value != self.value
        found = self._regex.search(value) is not None
        return found if self.type is MatchType.REGEXP else not found

    def matches_labels(self, labels: Mapping[str, str]) -> bool:
        """Whether a label set satisfies this matcher (an absent label is the empty string)."""
        return self.matches(labels.get(self.name, ""))

    def __str__(self) -> str:
        return f'{self.name}{self.type.value}"{self.value.translate(_OM_ESCAPES)}"'


def matches_all(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    """Whether every matcher holds on the label set (true for no matchers)."""
    return all(m.matches(labels.get(m.name, "")) for m in matchers)


def sort_matchers(matchers: Iterable[Matcher]) -> tuple[Matcher, ...]:
    """Sort as Alertmanager's `Matchers.Less`: by name, then value, then operator."""
    return tuple(sorted(matchers, key=lambda m: (m.name, m.value, m.type.rank)))


def matchers_string(matchers: Sequence[Matcher]) -> str:
    """Print matchers as Alertmanager's `Matchers.String()`: `{a="1",b=~"x|y"}`."""
    return "{" + ",".join(str(m) for m in matchers) + "}"


def go_trim_space(text: str) -> str:
    """Strip leading and trailing white space as Go's `strings.TrimSpace` does."""
    return text.strip(_GO_SPACE)


def parse_matchers(text: str) -> tuple[Matcher, ...]:
    """Parse a comma-separated matcher list, braces optional: `{a="b", c!~"d|e"}`."""
    if text.startswith("{"):
        text = text[1:]
    if text.endswith("}"):
        text = text[:-1]
    tokens: list[str] = []
    token: list[str] = []
    inside_quotes = escaped = False
    for char in text:
        if char == "," and not inside_quotes:
            tokens.append("".join(token))
            token = []
            continue
        if char == '"':
            if not escaped:
                inside_quotes = not inside_quotes
            else:
                escaped = False
        elif char == "\\":
            escaped = not escaped
        else:
            escaped = False
        token.append(char)
    last = go_trim_space("".join(token))
    if last:
        tokens.append(last)
    return tuple(parse_matcher(t) for t in tokens)


def parse_matcher(text: str) -> Matcher:
    """Parse one matcher `name op value`; a double-quoted value takes `\\"`, `\\n`, `\\\\`."""
    found = _MATCHER_RE.search(text)
    if found is None:
        raise MatcherError(f"bad matcher format: {text}")
    name, op, raw = found.group(1), found.group(2), found.group(3)
    expect_trailing_quote = False
    if raw.startswith('"'):
        raw = raw[1:]
        expect_trailing_quote = True
    value: list[str] = []
    escaped = False
    last = len(raw) - 1
    for index, char in enumerate(raw):
        if escaped:
            escaped = False
            if char == "n":
                value.append("\n")
            elif char in '"\\':
                value.append(char)
            else:  # a spurious escape: the backslash is literal
                value.append("\\" + char)
            continue
        if char == "\\":
            if index < last:
                escaped = True
                continue
            value.append("\\")
        elif char == '"':
            if not expect_trailing_quote or index < last:
                raise MatcherError(
                    f"matcher value contains unescaped double quote: {found.group(3)}"
                )
            expect_trailing_quote = False
        else:
            value.append(char)
    if expect_trailing_quote:
        raise MatcherError(f"matcher value contains unescaped double quote: {found.group(3)}")
    return Matcher(MatchType(op), name, "".join(value))
