"""Reading brief files: the data YAML means, a line and column for every value, and refusals at the right place."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefgen.brief.briefio import BriefFileError, read_brief_file

_KEYS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=6).filter(
    lambda k: k != "<<")
# .nan and .inf are refused (see test_json_and_yaml_numbers_are_strict in test_trust_reading.py)
_SCALARS = (st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.integers() | st.booleans()
            | st.none() | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(["yes", "no", "~", "0x1F", "1e3", "2025-01-01",
                                                                         "null", "-", "'", ": x", "#"]))
_DATA = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
                     max_leaves=20)


def _paths(data, loc=()):
    yield loc
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*loc, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*loc, i))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_DATA, flow=st.booleans())
@example(data=["\x85", "\x85", ""], flow=False)  # YAML ends a line at NEL; an editor does not
def test_any_yaml_reads_as_yaml_means_it_with_a_mark_for_every_value(tmp_path, data, flow):
    text = yaml.safe_dump({"root": data}, allow_unicode=True, default_flow_style=flow, sort_keys=False)
    path = tmp_path / "brief.yaml"
    path.write_text(text, encoding="utf-8")
    expected = yaml.safe_load(text)
    got = read_brief_file(path)
    # dates stay text (pydantic parses them); everything else is what YAML says
    assert _undated(got.data) == _undated(expected)
    lines = text.split("\n")  # as an editor counts them: NEL, LS, PS and a lone CR do not end a line
    for loc in _paths(got.data):
        line, col = got.marks[loc]
        assert 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]) + 1


def _undated(value):
    import datetime as dt

    if isinstance(value, dict):
        return {k: _undated(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_undated(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@pytest.mark.parametrize("text, where, message", [
    ("a: 1\nb: &x [1]\nc: *x\n", (3, 4), "uses a YAML alias"),
    ("a: 1\na: 2\nb: *x\n", (3, 4), "uses a YAML alias"),  # an alias is named before a repeated key
    ("a: 1\na: 2\n", (2, 1), "has the key 'a' twice"),
    ("a: 1\na: 2\nb: [\n", (4, 1), "is not valid YAML"),  # invalid YAML is named before a repeated key
    ("a: 1\n---\nb: 2\n", (2, 1), "is not valid YAML: but found another document"),
    ("a: 1\n---\nb: *x\n", (3, 4), "uses a YAML alias"),
    ("a:\n  <<: {b: 1}\n", (2, 3), "merge key"),
    ("? [a]\n: b\n", (1, 3), "a key that is not a plain name"),
    ("# only a comment\n", (1, 1), "is empty"),
])
def test_refusals_name_the_line_and_column_in_the_order_a_writer_fixes_them(tmp_path, text, where, message):
    path = tmp_path / "brief.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BriefFileError, match=message) as info:
        read_brief_file(path)
    assert (info.value.line, info.value.col) == where


def test_marks_point_at_each_value(tmp_path):
    path = tmp_path / "brief.yaml"
    path.write_text("meta:\n  title: T\nlist:\n  - a\n  - b: [x, 'y']\n", encoding="utf-8")
    got = read_brief_file(path)
    assert got.data == {"meta": {"title": "T"}, "list": ["a", {"b": ["x", "y"]}]}
    assert got.marks[("meta", "title")] == (2, 10)
    assert got.marks[("list", 1, "b", 1)] == (5, 12)
    assert got.where(("list", 1, "b", 7)) == (5, 8)


@pytest.mark.parametrize("brk", ["\x85", "\u2028", "\u2029", "\r"])
def test_lines_are_counted_as_an_editor_counts_them_whatever_breaks_yaml_sees_inside_values(tmp_path, brk):
    text = f"a: 'one{brk}two'\nb: \"\u0436{brk}{brk}x\"\nc: here\nd: [1, *x]\n"
    path = tmp_path / "brief.yaml"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(BriefFileError, match="alias") as info:
        read_brief_file(path)
    assert (info.value.line, info.value.col) == (4, 8)
    path.write_bytes(text.replace("*x", "2").encode("utf-8"))
    got = read_brief_file(path)
    lines = text.split("\n")
    assert got.marks[("c",)] == (3, 4) and lines[2][3:] == "here"
    assert got.marks[("d", 1)] == (4, 8)
    path.write_bytes(text.replace("*x]", "2").encode("utf-8"))
    with pytest.raises(BriefFileError, match="not valid YAML") as info:
        read_brief_file(path)
    assert info.value.line == 5
