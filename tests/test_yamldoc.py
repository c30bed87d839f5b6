"""The one YAML reader (store.yamldoc): data, the line of every key, duplicates, clear errors."""

from __future__ import annotations

from datetime import date

import pytest

from store.yamldoc import YamlSyntaxError, format_path, load_document, load_documents

ROUTING = """\
route:
  receiver: ops
  routes:
    - receiver: samu
      matchers: ['samu="075"']
      continue: true
"""


def test_every_key_and_list_item_keeps_its_line() -> None:
    doc = load_document(ROUTING)
    assert doc is not None
    assert doc.lines[()] == 1 and doc.line == 1
    assert doc.lines[("route",)] == 1
    assert doc.lines[("route", "receiver")] == 2
    assert doc.lines[("route", "routes", 0)] == 4
    assert doc.lines[("route", "routes", 0, "matchers", 0)] == 5
    assert doc.lines[("route", "routes", 0, "continue")] == 6


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("route", "routes", 0, "receiver"), 4),
        (("route", "routes", 0, "group_wait"), 4),  # absent: its nearest written parent
        (("route", "routes", 7), 3),
        (("inhibit_rules",), None),  # nothing of it is written: not the document's line
        ((), None),
    ],
)
def test_a_path_is_located_at_its_deepest_written_prefix(
    path: tuple[str | int, ...], line: int | None
) -> None:
    doc = load_document(ROUTING)
    assert doc is not None and doc.line_of(path) == line


def test_typed_documents_read_yaml_like_safe_load() -> None:
    doc = load_document("a: 500\nb: 1.5\nc: 2026-10-01\nd: yes\ne: ~\nf: '500'\n")
    assert doc is not None
    assert doc.data == {
        "a": 500,
        "b": 1.5,
        "c": date(2026, 10, 1),
        "d": True,
        "e": None,
        "f": "500",
    }


def test_text_documents_keep_scalars_as_text_except_null_and_booleans() -> None:
    doc = load_document("a: 500\nb: 1.5\nc: 2026-10-01\nd: yes\ne: ~\nf: off\n", text_scalars=True)
    assert doc is not None
    assert doc.data == {"a": "500", "b": "1.5", "c": "2026-10-01", "d": True, "e": None, "f": False}


@pytest.mark.parametrize("text_scalars", [False, True], ids=["typed", "text"])
def test_merged_keys_take_the_anchor_line_unless_the_mapping_writes_them(
    text_scalars: bool,
) -> None:
    text = "base: &b\n  x: 1\n  y: 2\nthis:\n  <<: *b\n  y: 3\n"
    doc = load_document(text, text_scalars=text_scalars)
    assert doc is not None
    expected = {"x": 1, "y": 3} if not text_scalars else {"x": "1", "y": "3"}
    assert doc.data["this"] == expected
    assert doc.lines[("this", "x")] == 2  # from the anchor
    assert doc.lines[("this", "y")] == 6  # written here
    assert doc.duplicates == ()


def test_keys_written_twice_are_listed_with_their_line_in_text_order() -> None:
    doc = load_document("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert doc is not None
    assert doc.duplicates == ((("b", "c"), 4), (("a",), 5))
    assert doc.data == {"a": 3, "b": {"c": 2}}


def test_several_documents_each_start_their_own_lines_and_empty_ones_are_skipped() -> None:
    docs = load_documents("kind: A\n---\n---\nkind: B\nx: [1, 2]\n")
    assert [d.data["kind"] for d in docs] == ["A", "B"]
    assert [d.line for d in docs] == [1, 4]
    assert docs[1].lines[("x", 1)] == 5


def test_one_document_is_none_when_empty_and_refuses_a_second_one() -> None:
    assert load_document("") is None
    assert load_document("# only a comment\n") is None
    with pytest.raises(YamlSyntaxError, match="another document") as info:
        load_document("a: 1\n---\nb: 2\n")
    assert info.value.line == 2


@pytest.mark.parametrize(
    ("text", "line", "column", "problem"),
    [
        ("a: [unclosed\n", 2, 1, "expected ',' or ']'"),
        ("a: 1\n\tb: 2\n", 2, 1, "found character '\\t'"),
        ("? [a, b]\n: 1\n", 1, 3, "keys must be scalars"),
        ("x: &a [1]\ny:\n  <<: *a\n", 1, 8, "a merge key (<<) takes a mapping"),
        ("a: &a [*a]\n", 1, 8, "refers to a node that contains it"),
    ],
    ids=["unclosed flow", "a tab", "a complex key", "a merge of a list", "a recursive alias"],
)
def test_errors_carry_the_line_column_and_problem(
    text: str, line: int, column: int, problem: str
) -> None:
    with pytest.raises(YamlSyntaxError) as info:
        load_documents(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert problem in info.value.problem


def test_control_characters_are_refused_without_a_line() -> None:
    with pytest.raises(YamlSyntaxError, match="special characters") as info:
        load_documents("a: \x07\n")
    assert info.value.line is None


def test_paths_print_as_people_read_them() -> None:
    assert format_path(("route", "routes", 0, "matchers", 1)) == "route.routes[0].matchers[1]"
    assert format_path(()) == ""
