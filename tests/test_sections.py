"""The brief's shape lives in one registry: layout, check, compose and the citation walker read it."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

from briefgen.brief import models
from briefgen.brief.check import check_file
from briefgen.brief.sections import BY_KEY, CITED_FIELDS, SECTIONS
from briefgen.compose import layout
from briefgen.compose.composer import BUILDERS, compose

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "briefgen"
EXAMPLE_BRIEF = REPO / "inputs" / "ukraine-security-guarantees" / "brief.yaml"


def test_layout_reads_its_sections_from_the_registry():
    assert list(layout.SECTION_KEYS) == [section.key for section in SECTIONS]
    assert layout.DEFAULT_SECTIONS == tuple((s.key, s.heading) for s in SECTIONS if s.default)
    assert set(layout.LIMITED_SECTIONS) == {s.key for s in SECTIONS if s.limited}
    assert layout.SECTION_VARIANTS == {s.key: s.variants for s in SECTIONS if s.variants}
    for section in SECTIONS:
        assert layout.default_heading(section.key) == section.heading


def test_every_section_has_exactly_one_compose_function():
    assert set(BUILDERS) == set(BY_KEY)
    assert len(set(BUILDERS.values())) == len(BUILDERS)


def test_every_cited_field_is_a_list_of_cited_items_on_the_brief_model():
    for field, points in CITED_FIELDS.items():
        annotation = models.Brief.model_fields[field].annotation
        (item,) = typing.get_args(annotation)
        assert "citations" in item.model_fields, field
        for point in points:
            assert point in item.model_fields, (field, point)


def test_the_citation_walker_finds_every_note_and_every_quote_check_grounds():
    report = check_file(EXAMPLE_BRIEF)
    assert report.ok() and report.brief is not None
    brief = report.brief
    walked = list(brief.iter_citations())
    # check grounds exactly the citations the walker yields, at the same locations
    assert {loc for loc, _ in walked} == set(report.matches)
    # each non-empty citations list is one note in the composed document
    doc = compose(brief)
    from briefgen.outline import walk_notes

    notes = list(walk_notes(doc.blocks))
    assert len(notes) == brief.citation_points() > 0
    # a citation point per location prefix (field, i[, sub, k])
    assert brief.citation_points() == len({loc[:-2] for loc, _ in walked})


def _string_sets(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            yield node.lineno, {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        elif isinstance(node, ast.Dict):
            yield node.lineno, {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}


def test_no_module_keeps_a_parallel_list_of_sections_or_cited_fields():
    """A literal collection naming three or more section keys anywhere but the registry is a second list."""
    keys = set(BY_KEY)
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative == "brief/sections.py" or relative.startswith("draft/"):  # drafting is reshaped on its own
            continue
        for line, strings in _string_sets(ast.parse(path.read_text(encoding="utf-8"))):
            if len(strings & keys) >= 3:
                offenders.append(f"{relative}:{line}: {sorted(strings & keys)}")
    assert not offenders, offenders
