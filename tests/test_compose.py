"""compose: Brief + Layout → outline tree; sections, notes, tables and wording follow the Layout."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.brief.check import check_file
from briefgen.brief.models import risk_band
from briefgen.compose.composer import citation_points, compose
from briefgen.compose.layout import DEFAULT_SECTIONS, Layout
from briefgen.outline import (
    BulletList,
    Colored,
    Heading,
    Note,
    PageBreak,
    Para,
    Table,
    Text,
    from_dict,
    plain_text,
    to_dict,
    walk_notes,
)
from briefgen.textsafe import UnsafeTextWarning
from richbrief import CITATION_POINTS, FULL, make_rich_brief

REPO = Path(__file__).resolve().parent.parent




@pytest.fixture
def brief(tmp_path):
    report = check_file(make_rich_brief(tmp_path))
    assert report.ok(), [p.format() for p in report.errors]
    return report.brief


def headings(doc, level=1):
    return [plain_text(b.children) for b in doc.blocks if isinstance(b, Heading) and b.level == level]


def tables(doc, kind=None):
    return [b for b in doc.blocks if isinstance(b, Table) and (kind is None or b.kind == kind)]


def test_sections_follow_the_default_layout_order(brief):
    doc = compose(brief)
    assert headings(doc) == [h for k, h in DEFAULT_SECTIONS if h and k not in ("recommendations", "indicators")]


def test_layout_chooses_renames_and_reorders_sections(brief):
    layout = Layout(sections=(("bibliography", "Works cited"), ("key_judgments", "Bottom line")))
    doc = compose(brief, layout)
    assert headings(doc) == ["Works cited", "Bottom line"]
    assert len(list(walk_notes(doc.blocks))) == 2  # only the key judgments' citation points remain


def test_unknown_section_in_layout_is_rejected():
    with pytest.raises(ValueError, match="unknown section 'summary'"):
        Layout(sections=(("summary", "Summary"),))


def test_one_note_per_citation_point_in_reading_order(brief):
    doc = compose(brief, Layout().with_(max_note_chars=0))  # every note with its quoted words
    notes = list(walk_notes(doc.blocks))
    assert len(notes) == citation_points(brief) == CITATION_POINTS
    texts = [plain_text(n.paragraphs[0]) for n in notes]
    # the first note to cite a source gives the full form, later ones the short form
    assert texts[0].startswith("“Europe discusses troops for Ukraine,” News.bg (Reuters report), February 11, 2025")
    assert "; Vafa Guliyeva, “Ukraine pushes for foreign troops in peacekeeping role" in texts[0]
    assert texts[1].startswith("Guliyeva, “Ukraine pushes for foreign troops”: “any foreign troop deployment")
    assert all(len(n.paragraphs) == 1 for n in notes)


def test_quotes_in_notes_can_be_switched_off(brief):
    doc = compose(brief, Layout(quotes_in_notes=False))
    for note in walk_notes(doc.blocks):
        assert ": “" not in plain_text(note.paragraphs[0])


def test_likelihood_and_confidence_are_separate_sentences(brief):
    doc = compose(brief, FULL)
    kj = next(b for b in doc.blocks if isinstance(b, BulletList) and b.ordered)
    first = plain_text(kj.items[0][0].children)
    assert first == ("European states are preparing a reassurance force. Likelihood: likely (55–80 %). "
                     "Confidence: moderate.")
    for item in kj.items:
        for sentence in re.split(r"(?<=\.)\s", plain_text(item[0].children)):
            assert not ("Likelihood" in sentence and "Confidence" in sentence)


def test_alternative_likelihood_column_is_used_consistently(brief):
    doc = compose(brief, Layout(likelihood_column="alternative"))
    kj = next(b for b in doc.blocks if isinstance(b, BulletList) and b.ordered)
    assert "Likelihood: probable (55–80 %)." in plain_text(kj.items[0][0].children)
    key = tables(doc, "key")[0]
    assert plain_text(key.header[0][0].blocks[0].children) == "Alternative"


def test_stance_table_shows_words_colours_and_conditions(brief):
    layout = FULL
    doc = compose(brief, layout)
    table = tables(doc, "grid")[0]
    assert [plain_text(c.blocks[0].children) for c in table.header[0]] == [
        "Actor", "European reassurance force", "NATO membership", "UN-mandated peacekeepers"]
    uk = next(r for r in table.rows if plain_text(r[0].blocks[0].children) == "United Kingdom")
    cell = uk[1]
    word = cell.blocks[0].children[0].children[0]
    assert isinstance(word, Colored) and word.color == layout.stance_colors["conditional"]
    assert plain_text(word.children) == "conditional"
    assert cell.fill == layout.stance_fills["conditional"]
    assert plain_text(cell.blocks[1].children) == "condition: the US provides a backstop"
    assert plain_text(uk[2].blocks[0].children) == "—"


def test_positions_are_grouped_by_option_then_issue(brief):
    doc = compose(brief, FULL)
    assert headings(doc, 2)[:3] == ["European reassurance force", "NATO membership", "UN-mandated peacekeepers"]


def test_supporters_and_opponents_are_derived_from_positions(brief):
    doc = compose(brief, FULL)
    paras = [plain_text(b.children) for b in doc.blocks if isinstance(b, Para)]
    assert "Supporters: Ukraine." in paras
    assert "Conditional supporters: United Kingdom (condition: the US provides a backstop)." in paras
    assert "Opponents: Russia." in paras
    assert "Opponents: none recorded." in paras  # the NATO option


def test_heat_map_is_five_by_five_with_banded_fills_and_risks_in_place(brief):
    layout = Layout()
    doc = compose(brief, layout)
    hm = tables(doc, "heatmap")[0]
    assert len(hm.rows) == 5 and all(len(r) == 6 for r in hm.rows) and len(hm.header[0]) == 6
    for i, row in enumerate(hm.rows):
        likelihood = 5 - i
        for impact in range(1, 6):
            assert row[impact].fill == layout.risk_fills[risk_band(likelihood * impact)]
    # R1: unlikely (2) × impact 5; R2: roughly even (3) × impact 4
    assert plain_text(hm.rows[3][5].blocks[0].children) == "R1"
    assert plain_text(hm.rows[2][4].blocks[0].children) == "R2"


def test_risk_bands_match_the_standard():
    assert [risk_band(s) for s in (1, 4, 5, 10, 12, 25)] == ["low", "low", "medium", "medium", "high", "high"]


def test_risk_register_scores_and_colours(brief):
    layout = FULL
    doc = compose(brief, layout)
    register = tables(doc, "grid")[1]
    assert plain_text(register.rows[1][4].blocks[0].children) == "12 (high)"
    assert register.rows[1][4].fill == layout.risk_fills["high"]
    assert plain_text(register.rows[0][4].blocks[0].children) == "10 (medium)"


def test_estimative_key_lists_all_seven_terms(brief):
    key = tables(compose(brief, FULL), "key")[0]
    assert [plain_text(r[0].blocks[0].children) for r in key.rows] == [
        "almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely", "very likely",
        "almost certain"]
    assert plain_text(key.rows[4][2].blocks[0].children) == "55–80 %"


def test_source_summary_counts_kinds_outlets_and_dates(brief):
    doc = compose(brief, FULL)
    i = headings(doc).index("Sources")
    start = doc.blocks.index(next(b for b in doc.blocks if isinstance(b, Heading) and plain_text(b.children) == "Sources"))
    paras = [plain_text(b.children) for b in doc.blocks[start + 1:start + 6] if isinstance(b, Para)]
    assert i >= 0
    assert paras[0] == ("This brief draws on 4 sources from 4 independent origins; "
                        "it cites them 16 times at 15 points in the text.")
    assert paras[1] == "Kinds: 2 news articles, 1 official statement, and 1 wire report."
    assert paras[2] == "Outlets: Caliber.Az, Example Times, and News.bg (carrying reports by Reuters)."
    assert paras[3] == "Published between February 11, 2025 and February 13, 2025; 1 undated."


def test_a_wire_story_carried_by_two_outlets_counts_once(tmp_path):
    path = make_rich_brief(tmp_path)
    text = path.read_text(encoding="utf-8").replace("    outlet: Example Times\n",
                                                    "    outlet: Example Times\n    derived_from: Reuters\n")
    path.write_text(text, encoding="utf-8")
    doc = compose(check_file(path).brief)
    summary = next(plain_text(b.children) for b in doc.blocks
                   if isinstance(b, Para) and plain_text(b.children).startswith("This brief draws on"))
    assert summary.startswith("This brief draws on 4 sources from 3 independent origins "
                              "(a report carried by several outlets counts once)")


def test_bibliography_is_alphabetical(brief):
    doc = compose(brief, FULL)
    bib = [plain_text(b.children) for b in doc.blocks if isinstance(b, Para) and b.role == "bibliography"]
    assert [e.split(" ")[0] for e in bib] == ["Durden,", "“Europe", "Guliyeva,", "[Statement"]


def test_title_block_and_document_properties(brief):
    doc = compose(brief, FULL)
    assert doc.meta.title == "Security guarantees for Ukraine — «гарантії безпеки»"
    assert doc.meta.author == "Ann Analyst; Bob Writer"
    assert doc.meta.tlp == "TLP:AMBER" and doc.meta.banner == "UNCLASSIFIED"
    assert doc.meta.date == "2025-02-20" and doc.meta.footer == "Page {page} of {pages}"
    roles = [b.role for b in doc.blocks[:9] if isinstance(b, Para)]
    assert roles[:2] == ["title", "subtitle"] and "marking" in roles
    meta_lines = [plain_text(b.children) for b in doc.blocks if isinstance(b, Para) and b.role == "meta"]
    assert "Date: February 20, 2025 · Information cut-off: February 18, 2025 · Version: 1.0 (draft)" in meta_lines
    assert "Prepared by: Ann Analyst and Bob Writer · Organisation: Policy Unit" in meta_lines
    assert "Audience: Ministers" in meta_lines


def test_characters_xml_cannot_hold_are_removed_with_a_warning(brief):
    brief.background[0].text = "Allies\x00 met\x0b in Brussels\ud800."
    with pytest.warns(UnsafeTextWarning, match="U\\+0000"):
        doc = compose(brief, FULL)
    para = next(b for b in doc.blocks if isinstance(b, Para) and "Brussels" in plain_text(b.children))
    assert plain_text(para.children) == "Allies met in Brussels."


def test_clean_brief_composes_without_warnings(brief):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compose(brief, FULL)


def test_outline_round_trips_through_json(brief):
    doc = compose(brief, FULL)
    data = json.loads(json.dumps(to_dict(doc), ensure_ascii=False))
    assert to_dict(from_dict(data)) == to_dict(doc)
    assert sum(isinstance(n, Note) for n in walk_notes(from_dict(data).blocks)) == CITATION_POINTS


def test_writers_know_no_section_names():
    """Section choice and headings live in Layout; writers must not hard-code them."""
    from briefgen.writers.docx.writer import REQUIRED_STYLES

    names = {h for _, h in DEFAULT_SECTIONS if h} | {"Key question", "Risk register", "Supporters"}
    names -= {name for name, _ in REQUIRED_STYLES}  # 'Bibliography' is also a paragraph style name
    for module in ("docx/writer.py", "docx/wml.py", "markdown.py"):
        source = (REPO / "briefgen" / "writers" / module).read_text(encoding="utf-8")
        for name in names:
            assert name not in source, (module, name)


def test_every_text_node_is_a_string(brief):
    def visit(node):
        if isinstance(node, Text):
            assert isinstance(node.text, str)
        for attr in ("children", "blocks", "items", "paragraphs"):
            for child in getattr(node, attr, []) or []:
                if isinstance(child, list):
                    for c in child:
                        visit(c)
                else:
                    visit(child)

    for block in compose(brief, FULL).blocks:
        visit(block)


def test_many_options_give_one_stance_row_per_position(brief):
    layout = FULL.with_(stance_matrix_max_columns=2)
    table = tables(compose(brief, layout), "grid")[0]
    assert [plain_text(c.blocks[0].children) for c in table.header[0]] == ["Option or issue", "Actor", "Stance"]
    assert len(table.rows) == len(brief.positions)
    uk = next(r for r in table.rows if plain_text(r[1].blocks[0].children) == "United Kingdom")
    assert plain_text(uk[2].blocks[0].children) == "conditional"
    assert plain_text(uk[2].blocks[1].children) == "condition: the US provides a backstop"
    assert uk[2].fill == layout.stance_fills["conditional"]


# --------------------------------------------------------------------------- any user text, end to end

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.text(max_size=6) | st.sampled_from(
    ["\x00", "\x1f", "\ufffe", "<b>", "&", "*x*", "[^1]", "# ", "1. ", "|", "«Ж»", "“q”", "\n", "\t", "{title}"])
_USER_TEXT = st.lists(_PIECES, min_size=1, max_size=6).map("".join).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(title=_USER_TEXT, summary=_USER_TEXT, actor=_USER_TEXT, source_title=_USER_TEXT)
def test_any_user_text_goes_through_compose_docx_and_markdown(tmp_path_factory, title, summary, actor, source_title):
    import io
    import zipfile

    from lxml import etree

    from briefgen.brief import models as m
    from briefgen.textsafe import clean
    from briefgen.writers.docx.writer import write as write_docx
    from briefgen.writers.markdown import write as write_md

    brief = m.Brief(
        meta={"title": title, "question": summary, "date": "2025-02-20"},
        actors=[{"id": "a", "name": actor, "kind": "person"}],
        positions=[{"actor": "a", "about": "issue", "stance": "conditional", "condition": summary,
                    "summary": summary, "citations": [{"source": "s", "quote": summary}]}],
        sources=[{"id": "s", "title": source_title, "path": "s.txt"}],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsafeTextWarning)
        doc = compose(brief, FULL)
        data = write_docx(doc)
        text = write_md(doc).decode("utf-8")
        expected = clean(summary)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xml")}
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = "".join(t.text or "" for t in parts["word/document.xml"].iter(w + "t"))
    flat = "".join(expected.split())
    assert flat in "".join(body.split())
    assert len([n for n in parts["word/footnotes.xml"] if n.get(w + "type") is None]) == 1
    assert text.count("\n[^1]: ") == 1


def test_layout_from_plain_data_as_a_template_would_give_it(brief):
    layout = Layout.from_dict({
        "sections": ["title", {"key": "risks", "heading": "Threats"}, ["bibliography", "Sources used"]],
        "quotes_in_notes": False,
        "labels": {"pros": "Advantages"},
        "stance_colors": {"support": "#000080"},
    })
    assert layout.sections == (("title", ""), ("risks", "Threats"), ("bibliography", "Sources used"))
    assert layout.label("pros") == "Advantages" and layout.label("cons") == "Cons"
    assert layout.stance_colors["support"] == "#000080" and layout.stance_colors["oppose"] == "#B3261E"
    assert headings(compose(brief, layout)) == ["Threats", "Sources used"]
    with pytest.raises(ValueError, match="unknown layout setting"):
        Layout.from_dict({"colour": "red"})
    with pytest.raises(ValueError, match="citation_style"):
        Layout.from_dict({"citation_style": "ibid"})


def test_conditions_read_as_clauses(brief):
    brief.positions[1].condition = "The US provides a backstop."
    doc = compose(brief, FULL)
    paras = [plain_text(b.children) for b in doc.blocks if isinstance(b, Para)]
    assert "Conditional supporters: United Kingdom (condition: the US provides a backstop)." in paras
    brief.positions[1].condition = "US air support"
    paras = [plain_text(b.children) for b in compose(brief, FULL).blocks if isinstance(b, Para)]
    assert "Conditional supporters: United Kingdom (condition: US air support)." in paras


def _naive_stances(brief, option_id):
    """Supporters, conditional supporters and opponents worked out position by position (the oracle)."""
    actors = {a.id: a for a in brief.actors}
    support, oppose, conditional = {}, {}, []
    for p in brief.positions:
        if p.about != option_id or p.actor not in actors:
            continue
        if p.stance.value == "support":
            support.setdefault(p.actor, actors[p.actor])
        elif p.stance.value == "oppose":
            oppose.setdefault(p.actor, actors[p.actor])
        elif p.stance.value == "conditional":
            conditional.append((actors[p.actor], p.condition or ""))
    return list(support.values()), conditional, list(oppose.values())


_POSITION = st.fixed_dictionaries({
    "actor": st.sampled_from(["a", "b", "c", "ghost"]),
    "about": st.sampled_from(["o1", "o2", "an issue"]),
    "stance": st.sampled_from(["support", "oppose", "conditional", "mixed", "neutral", "unclear"]),
})


@settings(max_examples=200, deadline=None)
@given(positions=st.lists(_POSITION, max_size=12), actors=st.lists(st.sampled_from(["a", "b", "c"]), max_size=4))
def test_stances_taken_once_agree_with_reading_every_position(positions, actors):
    from briefgen.brief import models as m

    cite = [{"source": "s", "quote": "q"}]
    brief = m.Brief.model_validate({
        "meta": {"title": "T", "question": "Q?", "date": "2025-01-01"},
        "actors": [{"id": a, "name": f"Actor {a} {i}", "kind": "person"} for i, a in enumerate(actors)],
        "options": [{"id": o, "title": o, "description": "d", "citations": cite} for o in ("o1", "o2")],
        "positions": [{**p, "summary": "s", "citations": cite,
                       **({"condition": f"if {i}"} if p["stance"] == "conditional" else {})}
                      for i, p in enumerate(positions)],
        "sources": [{"id": "s", "title": "S", "path": "s.txt"}],
    })
    stances = brief.stances()
    for about in ("o1", "o2", "an issue", "nobody"):
        support, conditional, oppose = _naive_stances(brief, about)
        assert stances.supporters(about) == brief.supporters(about) == support
        assert stances.conditional_supporters(about) == brief.conditional_supporters(about) == conditional
        assert stances.opponents(about) == brief.opponents(about) == oppose


def test_a_note_over_the_length_limit_leaves_its_quoted_words_out(brief):
    full = [plain_text(n.paragraphs[0]) for n in walk_notes(compose(brief, Layout().with_(max_note_chars=0)).blocks)]
    short = [plain_text(n.paragraphs[0]) for n in walk_notes(compose(brief, Layout().with_(max_note_chars=120)).blocks)]
    assert len(full) == len(short)
    assert any(len(f) > 120 for f in full)
    for f, s in zip(full, short):
        assert s == f if len(f) <= 120 else (len(s) < len(f) and ":" not in s.replace("https:", ""))


def test_the_default_body_has_one_stance_matrix_and_each_position_once_in_the_annex(brief):
    doc = compose(brief)
    heads = headings(doc)
    assert heads.index("Who stands where") < heads.index("Annex A. Positions in detail")
    matrices = tables(doc, "matrix")
    assert len(matrices) == 1
    marks = {plain_text(c.blocks[0].children) for row in matrices[0].rows for c in row[1:]}
    assert marks <= {"yes", "no", "if", "mixed", "neutral", "?", "—"}
    # each position is told once, in the annex, with its note; the body shows only its mark
    annex = heads.index("Annex A. Positions in detail")
    text = "\n".join(plain_text(b.children) for b in doc.blocks if isinstance(b, Para))
    assert sum(text.count(p.summary.strip()[:40]) for p in brief.positions) == len(brief.positions)
    assert any(isinstance(b, PageBreak) for b in doc.blocks), "the annexes start on a new page"
    assert annex > 0


def test_an_actor_label_never_repeats_its_name_kind_or_a_wider_affiliation(brief):
    from briefgen.brief.models import Actor
    from briefgen.compose.composer import _Composer

    brief.actors += [Actor(id="ru", name="Russia", kind="state", affiliation="Russia"),
                     Actor(id="ukg", name="United Kingdom (government)", kind="state", affiliation="United Kingdom"),
                     Actor(id="zel", name="Volodymyr Zelenskyy", kind="person", role="President of Ukraine",
                           affiliation="Ukraine")]
    c = _Composer(brief, Layout())
    assert c.actor_label("ru") == "Russia"
    assert c.actor_label("ukg") == "United Kingdom (government)"
    assert c.actor_label("zel") == "Volodymyr Zelenskyy (President of Ukraine)"
