"""Templates shape both outputs: built-ins render the example, a user's template changes Word and PDF alike."""

from __future__ import annotations

import ast
import io
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from briefgen.build import build_brief
from briefgen.brief.check import check_file
from briefgen.compose.composer import compose
from briefgen.compose.layout import DEFAULT_SECTIONS, EXTRA_HEADINGS, SECTION_KEYS, Layout
from briefgen.outline import PARA_ROLES, BulletList, Heading, Para, Table, plain_text
from briefgen.compose.templates import BUILTIN_DIR, builtin_names, find_template, init_template
from briefgen.writers import RenderOptions
from briefgen.writers.docx.writer import REQUIRED_STYLES
from conftest import EXAMPLE_BRIEF

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_NAME = "ukraine-security-guarantees"


def png(width: int, height: int, rgb: tuple[int, int, int] = (170, 0, 0)) -> bytes:
    """A small solid-colour PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def build_with(template, out: Path, formats=("docx", "pdf")) -> dict[str, Path]:
    """Build the example brief with a template (name, folder or Template)."""
    t = find_template(template) if not hasattr(template, "to_layout") else template
    return build_brief(EXAMPLE_BRIEF, out, formats, layout=t.to_layout(), options=t.to_render_options())


def docx_headings(path: Path, level: int = 1) -> list[str]:
    """Texts of the paragraphs styled 'Heading <level>', in order."""
    return [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == f"Heading {level}"]


def pdf_top_bookmarks(path: Path) -> list[str]:
    """Titles of the top-level PDF bookmarks (one per level-1 heading), in order."""
    return [item.title for item in PdfReader(path).outline if not isinstance(item, list)]


def expected_headings(name: str) -> list[str]:
    """The level-1 headings compose makes for the example brief with a template's layout."""
    brief = check_file(EXAMPLE_BRIEF).brief
    doc = compose(brief, find_template(name).to_layout())
    return [plain_text(b.children) for b in doc.blocks if isinstance(b, Heading) and b.level == 1]


def word_pages(docx_path: Path, out: Path) -> int:
    """Pages of a .docx as LibreOffice lays it out (converted to PDF)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot count the pages of a Word document")
    profile = out / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(docx_path)], check=True, capture_output=True, timeout=180)
    return len(PdfReader(out / docx_path.with_suffix(".pdf").name).pages)


# ----------------------------------------------------------------------------- built-ins


def test_the_three_built_ins_ship():
    assert builtin_names() == ["decision-memo", "one-pager", "policy-brief"]


@pytest.mark.parametrize("name", builtin_names())
def test_each_built_in_renders_the_example_to_word_and_pdf_with_its_headings(name, tmp_path):
    paths = build_with(name, tmp_path)
    want = expected_headings(name)
    assert want, name
    assert docx_headings(paths["docx"]) == want
    assert pdf_top_bookmarks(paths["pdf"]) == want
    template_headings = [h for _, h in find_template(name).to_layout().sections if h]
    assert all(h in template_headings for h in want)


@pytest.mark.parametrize("name", builtin_names())
def test_every_built_in_reference_docx_defines_every_style_the_writer_uses(name):
    styles = docx.Document(str(BUILTIN_DIR / name / "reference.docx")).styles
    names = {s.name.casefold() for s in styles}
    aliases = {"footnote text", "footnote reference", "endnote text", "endnote reference"}
    missing = [n for n, _ in REQUIRED_STYLES if n.casefold() not in names | aliases]
    assert not missing, (name, missing)


def test_built_in_reference_documents_are_what_the_generator_makes():
    from briefgen.data import make_template_references as gen
    from briefgen.writers.docx.writer import DEFAULT_REFERENCE

    assert (BUILTIN_DIR / "policy-brief" / "reference.docx").read_bytes() == DEFAULT_REFERENCE.read_bytes()
    assert (BUILTIN_DIR / "one-pager" / "reference.docx").read_bytes() == gen.derive(gen.ONE_PAGER)
    assert (BUILTIN_DIR / "decision-memo" / "reference.docx").read_bytes() == gen.derive(gen.DECISION_MEMO)


def test_policy_brief_is_exactly_the_default_build(tmp_path):
    t = find_template("policy-brief")
    assert t.to_layout() == Layout()
    assert t.to_layout().sections == DEFAULT_SECTIONS
    default = build_brief(EXAMPLE_BRIEF, tmp_path / "default", ["docx", "pdf", "md"])
    templated = build_with("policy-brief", tmp_path / "templated", ["docx", "pdf", "md"])
    for fmt in ("docx", "pdf", "md"):
        assert default[fmt].read_bytes() == templated[fmt].read_bytes(), fmt


def test_one_pager_is_one_page_in_pdf_and_in_word(tmp_path):
    paths = build_with("one-pager", tmp_path)
    assert len(PdfReader(paths["pdf"]).pages) == 1
    assert word_pages(paths["docx"], tmp_path / "lo") == 1


def test_one_pager_shows_top_three_risks_by_score_and_three_judgments(tmp_path):
    brief = check_file(EXAMPLE_BRIEF).brief
    doc = compose(brief, find_template("one-pager").to_layout())
    lists = [b for b in doc.blocks if isinstance(b, BulletList)]
    judgments, risks, questions = lists
    assert len(judgments.items) == 3 and len(risks.items) == 3 and len(questions.items) == 3
    top = sorted(range(len(brief.risks)), key=lambda i: -brief.risks[i].score)[:3]
    shown = [plain_text(item[0].children).split(" ")[0] for item in risks.items]
    assert shown == [f"R{i + 1}" for i in sorted(top)]
    table = next(b for b in doc.blocks if isinstance(b, Table))
    assert [plain_text(c.blocks[0].children) for c in table.header[0]] == [
        "Option", "Supporters", "Conditional supporters", "Opponents"]


def test_decision_memo_opens_with_to_from_date_subject(tmp_path):
    brief = check_file(EXAMPLE_BRIEF).brief
    doc = compose(brief, find_template("decision-memo").to_layout())
    paras = [plain_text(b.children) for b in doc.blocks[:6] if isinstance(b, Para)]
    assert paras[0] == "Decision memorandum"
    assert [p.split(":")[0] for p in paras[1:5]] == ["TO", "FROM", "DATE", "SUBJECT"]
    assert paras[1] == f"TO: {brief.meta.audience}"
    assert paras[4] == f"SUBJECT: {' '.join(brief.meta.title.split())}"
    # the issue shows the first background paragraph; Background does not repeat it
    texts = [plain_text(b.children) for b in doc.blocks if isinstance(b, Para)]
    first = " ".join(brief.background[0].text.split())
    assert sum(t == first for t in texts) == 1
    assert doc.meta.header.startswith("Decision memorandum · Foreign troops")
    assert "{organisation}" not in doc.meta.footer and "{page}" in doc.meta.footer


# ----------------------------------------------------------------------------- a user's template


@pytest.fixture
def house(tmp_path) -> Path:
    """A template made with init from policy-brief, then edited: logo, colours, A4, renamed and reordered sections."""
    folder = init_template(tmp_path / "acme", "policy-brief")
    (folder / "assets" / "logo.png").write_bytes(png(60, 24))
    text = (folder / "template.toml").read_text(encoding="utf-8")
    text = text.replace('# logo = "assets/logo.png"', 'logo = "assets/logo.png"')
    text = text.replace('# size = "letter"', 'size = "a4"')
    text = text.replace('# heading = "#1F3A5F"', 'heading = "#AA0000"')
    text = text[: text.index("[[sections]]")] + (
        '[[sections]]\nkey = "title"\n\n'
        '[[sections]]\nkey = "key_judgments"\nheading = "Bottom line"\n\n'
        '[[sections]]\nkey = "risks"\nheading = "Threats"\n\n'
        '[[sections]]\nkey = "positions"\nheading = "Who stands where"\n\n'
        '[[sections]]\nkey = "bibliography"\nheading = "Works cited"\n'
    )
    (folder / "template.toml").write_text(text, encoding="utf-8")
    return folder


HOUSE_HEADINGS = ["Bottom line", "Threats", "Who stands where", "Works cited"]


def test_a_users_template_changes_headings_order_page_logo_and_colour_in_word(house, tmp_path):
    path = build_with(house, tmp_path)["docx"]
    assert docx_headings(path) == HOUSE_HEADINGS
    word = docx.Document(str(path))
    section = word.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)  # A4
    with zipfile.ZipFile(path) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        body = z.read("word/document.xml").decode("utf-8")
    assert len(media) == 1 and z.getinfo(media[0]).file_size > 0
    assert "<w:drawing>" in body and body.index("<w:drawing>") < body.index("Bottom line")
    assert str(word.styles["Heading 1"].font.color.rgb) == "AA0000"
    assert str(word.styles["Title"].font.color.rgb) == "AA0000"


def test_a_users_template_changes_headings_order_page_logo_and_colour_in_pdf(house, tmp_path):
    import pdfplumber

    path = build_with(house, tmp_path)["pdf"]
    assert pdf_top_bookmarks(path) == HOUSE_HEADINGS
    reader = PdfReader(path)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    xobjects = reader.pages[0]["/Resources"]["/XObject"]
    images = [k for k, v in xobjects.items() if v.get_object()["/Subtype"] == "/Image"]
    assert images, "no image XObject on the first page"
    with pdfplumber.open(path) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["non_stroking_color"])
    heading = next(w for w in words if w["text"] == "Bottom")
    assert [round(c, 2) for c in heading["non_stroking_color"]] == [0.67, 0.0, 0.0]


def test_template_colours_fonts_and_notes_reach_the_render_options(house):
    t = find_template(str(house))
    opts = t.to_render_options()
    assert opts.page_size == "a4" and opts.colors == {"heading": "#AA0000"}
    assert opts.logo == (house / "assets" / "logo.png").resolve()
    assert opts.reference_docx == house / "reference.docx" and opts.notes == "footnotes"


# ----------------------------------------------------------------------------- writers know no sections


def _string_literals(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_writers_contain_no_section_keys_or_headings():
    """Section choice, order and headings come only from templates (through compose)."""
    headings = {h for _, h in DEFAULT_SECTIONS if h} | set(EXTRA_HEADINGS.values())
    for name in builtin_names():
        headings |= {h for _, h in find_template(name).to_layout().sections if h}
    headings -= {n for n, _ in REQUIRED_STYLES}  # 'Bibliography' is also a Word paragraph style
    keys = set(SECTION_KEYS) - set(PARA_ROLES)  # 'title' and 'bibliography' are also paragraph roles
    writers = sorted((REPO / "briefgen" / "writers").rglob("*.py"))
    assert len(writers) >= 6
    for path in writers:
        literals = _string_literals(path)
        assert not (literals & keys), (path.name, literals & keys)
        for heading in headings:
            word = re.compile(rf"(?<![\w-]){re.escape(heading)}(?![\w-])")
            assert not [s for s in literals if word.search(s)], (path.name, heading)


# ----------------------------------------------------------------------------- compose settings


def test_header_and_footer_placeholders_are_filled_except_page_numbers():
    brief = check_file(EXAMPLE_BRIEF).brief
    layout = Layout(header="{organisation} | {marking} | {version} | {status}",
                    footer="{title} · {date} · Page {page} of {pages}")
    meta = compose(brief, layout).meta
    assert meta.header == "briefgen examples | TLP:CLEAR | 1.0 | draft"
    assert meta.footer.endswith("· February 15, 2025 · Page {page} of {pages}")
    assert meta.footer.startswith("Foreign troops in Ukraine before NATO membership")


def test_limits_and_variants_are_checked_by_layout():
    with pytest.raises(ValueError, match="takes no limit"):
        Layout(limits={"bibliography": 2})
    with pytest.raises(ValueError, match="has no variant 'list'"):
        Layout(variants={"positions": "list"})


def test_risk_register_variant_drops_the_heat_map_and_keeps_top_scores():
    brief = check_file(EXAMPLE_BRIEF).brief
    brief.risks[0].impact = 1  # R1 now scores lowest
    layout = Layout(sections=(("risks", "Risks"),), limits={"risks": 2}, variants={"risks": "register"})
    tables = [b for b in compose(brief, layout).blocks if isinstance(b, Table)]
    assert len(tables) == 1
    assert [plain_text(r[0].blocks[0].children).split(" ")[0] for r in tables[0].rows] == ["R2", "R3"]


def test_render_options_default_is_unchanged_by_templates():
    assert RenderOptions().text_size_pt is None and RenderOptions().logo is None


def test_pdf_text_size_scales_the_pdf_styles(tmp_path):
    from briefgen.writers.pdf.writer import render

    brief = check_file(EXAMPLE_BRIEF).brief
    doc = compose(brief, Layout(sections=(("key_judgments", "Key judgments"),)))
    normal = render(doc, RenderOptions()).pages
    small = render(doc, RenderOptions(text_size_pt=7)).pages
    assert small <= normal
    import pdfplumber

    with pdfplumber.open(io.BytesIO(render(doc, RenderOptions(text_size_pt=7)).data)) as pdf:
        sizes = {round(c["size"], 1) for c in pdf.pages[0].chars if re.match(r"[a-z]", c["text"])}
    assert 7.0 in sizes and 9.5 not in sizes


# ----------------------------------------------------------------------------- examples


EXAMPLES = REPO / "examples" / EXAMPLE_NAME / "templates"


@pytest.mark.parametrize("name", builtin_names())
def test_committed_template_examples_are_up_to_date(name, tmp_path):
    """examples/…/templates/<name>/ holds the example brief in each built-in layout, as the code builds it."""
    folder = EXAMPLES / name
    built = build_with(name, tmp_path, ["docx"])["docx"]
    committed = folder / built.name
    assert committed.read_bytes() == built.read_bytes(), (
        f"{committed} is stale; regenerate with: briefgen build inputs/{EXAMPLE_NAME}/brief.yaml "
        f"--template {name} -o examples/{EXAMPLE_NAME}/templates/{name} -f docx -f pdf")
    pdf = PdfReader(folder / f"{EXAMPLE_NAME}.pdf")
    assert [item.title for item in pdf.outline if not isinstance(item, list)] == expected_headings(name)
    if name == "one-pager":
        assert len(pdf.pages) == 1
