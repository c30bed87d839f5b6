"""Matchers parse and match exactly as Alertmanager 0.25's pkg/labels (RE2, anchored)."""

from __future__ import annotations

import re

import pytest

from alerts.errors import MatcherError
from alerts.matchers import (
    Matcher,
    MatchType,
    matchers_string,
    matches_all,
    parse_matcher,
    parse_matchers,
    sort_matchers,
)

EQ, NE, RE, NRE = MatchType.EQUAL, MatchType.NOT_EQUAL, MatchType.REGEXP, MatchType.NOT_REGEXP

PARSE_CASES = [
    ("a braced single matcher", '{foo="bar"}', [(EQ, "foo", "bar")]),
    (
        "all four operators",
        'a="1",b!="2",c=~"3",d!~"4"',
        [(EQ, "a", "1"), (NE, "b", "2"), (RE, "c", "3"), (NRE, "d", "4")],
    ),
    (
        "spaces and a trailing comma",
        '{foo = "bar", dings != "bums", }',
        [(EQ, "foo", "bar"), (NE, "dings", "bums")],
    ),
    ("unquoted values", "foo=bar,dings!=bums", [(EQ, "foo", "bar"), (NE, "dings", "bums")]),
    (
        "a comma inside quotes",
        '{foo="bar,quux", job="job1"}',
        [(EQ, "foo", "bar,quux"), (EQ, "job", "job1")],
    ),
    (
        "escaped quotes",
        r'{quote="She said: \"Hi, ladies!\""}',
        [(EQ, "quote", 'She said: "Hi, ladies!"')],
    ),
    ("an escaped newline and backslash", r'a="x\ny\\z"', [(EQ, "a", "x\ny\\z")]),
    ("a spurious escape stays literal", r'a="x\y"', [(EQ, "a", "x\\y")]),
    ("tildes after =~", "tricky=~~~", [(RE, "tricky", "~~")]),
    ("equals signs in the value", r"trickier==\\=\=\"", [(EQ, "trickier", '=\\=\\="')]),
    ("an empty quoted value", '{foo=""}', [(EQ, "foo", "")]),
    ("an empty unquoted value (0.25 accepts it)", "team=", [(EQ, "team", "")]),
    ("a colon in the name", "a:b=c", [(EQ, "a:b", "c")]),
    ("inner spaces kept, outer trimmed", "a= b c ", [(EQ, "a", "b c")]),
    ("non-ASCII values", "samu=é", [(EQ, "samu", "é")]),
    ("a second closing brace is part of the value", "{a=b}}", [(EQ, "a", "b}")]),
]


@pytest.mark.parametrize(("name", "text", "expected"), PARSE_CASES, ids=[c[0] for c in PARSE_CASES])
def test_matcher_lists_parse_like_alertmanager(name: str, text: str, expected: list) -> None:
    assert [(m.type, m.name, m.value) for m in parse_matchers(text)] == expected


BAD_CASES = [
    ("an unterminated quote", 'job="value', "unescaped double quote"),
    ("a stray trailing quote", 'job=value"', "unescaped double quote"),
    ("a quote inside an unquoted value", 'a = foo"bar', "unescaped double quote"),
    ("an invalid label name", '{invalid-name = "x"}', "bad matcher format"),
    ("a doubly quoted matcher", '"foo=\\"bar\\""', "bad matcher format"),
    ("an empty matcher between commas", "a=b,,c=d", "bad matcher format"),
    ("an unclosed class", 'foo=~"invalid[regexp"', "error parsing regexp"),
    ("a lookahead (valid in Python re, not in RE2)", 'a=~"(?=x)x"', "error parsing regexp"),
    ("a negative lookbehind", 'a=~"(?<!x)y"', "error parsing regexp"),
    ("a backreference", r'a=~"(a)\\1"', "error parsing regexp"),
    ("a possessive quantifier", 'a=~"a++"', "error parsing regexp"),
    ("a byte escape Go rejects", r'a=~"\\C"', "error parsing regexp"),
    ("a repeat count over 1000", 'a=~"a{1001}"', "error parsing regexp"),
]


@pytest.mark.parametrize(("name", "text", "reason"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_malformed_matchers_are_rejected_with_the_reason(name: str, text: str, reason: str) -> None:
    with pytest.raises(MatcherError, match=re.escape(reason)):
        parse_matchers(text)


MATCH_CASES = [
    ("regexes are anchored at both ends", 'samu=~"07"', {"samu": "075"}, False),
    ("alternation is anchored as a whole", 'samu=~"075|971"', {"samu": "0971"}, False),
    ("an absent label is the empty string for =", 'team=""', {}, True),
    ("an absent label is the empty string for !=", 'team!="noc"', {}, True),
    ("an absent label matches an optional regex", 'env=~"prod|"', {}, True),
    ("an absent label fails a non-empty regex", 'env=~".+"', {}, False),
    ("!~ negates the anchored match", 'samu!~"97."', {"samu": "971"}, False),
    ("dot does not match a newline", 'a=~"x.y"', {"a": "x\ny"}, False),
    ("(?s) lets dot match a newline", 'a=~"(?s)x.y"', {"a": "x\ny"}, True),
    ("(?i) is case-insensitive", 'c=~"(?i)genesys"', {"c": "GENESYS"}, True),
    ("Perl classes work", r'samu=~"\\d{3}"', {"samu": "075"}, True),
    ("POSIX classes work", 'samu=~"[[:digit:]]+"', {"samu": "2"}, True),
    ("Unicode classes work", r'v=~"\\pL+"', {"v": "Évry"}, True),
    ("an unbalanced alternation escapes the anchor as in Go", 'a=~"x)|(y"', {"a": "zy"}, True),
    ("$ does not match before a final newline", 'a=~"x"', {"a": "x\n"}, False),
]


@pytest.mark.parametrize(
    ("name", "text", "labels", "expected"), MATCH_CASES, ids=[c[0] for c in MATCH_CASES]
)
def test_matching_follows_alertmanager(
    name: str, text: str, labels: dict[str, str], expected: bool
) -> None:
    assert matches_all(parse_matchers(text), labels) is expected


def test_python_re_would_disagree_where_re2_is_required() -> None:
    # Python's `re` lets `$` match before a trailing newline; Go and RE2 do not.
    assert re.match("^(?:x)$", "x\n") is not None
    assert not parse_matcher('a=~"x"').matches("x\n")


def test_matchers_print_and_sort_like_alertmanager() -> None:
    found = sort_matchers(parse_matchers('b="2",a!~"x",a=~"x",c="q\\"\\n\\\\"'))
    assert matchers_string(found) == '{a=~"x",a!~"x",b="2",c="q\\"\\n\\\\"}'


def test_a_matcher_is_a_hashable_value() -> None:
    assert Matcher(RE, "a", "b|c") == parse_matcher('a=~"b|c"')
    assert len({Matcher(EQ, "a", "b"), parse_matcher("a=b")}) == 1
