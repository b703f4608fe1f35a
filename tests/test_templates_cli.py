"""`briefgen templates list|show|init` and `briefgen build --template NAME|DIR`, errors included."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from briefgen.cli import main
from conftest import EXAMPLE_BRIEF
from test_templates import png

runner = CliRunner()
NAME = "ukraine-security-guarantees"


def run(*args):
    return runner.invoke(main, [str(a) for a in args])


@pytest.fixture
def mine(tmp_path) -> Path:
    """A template folder made with `templates init`."""
    folder = tmp_path / "mine"
    result = run("templates", "init", folder, "--from", "one-pager")
    assert result.exit_code == 0, result.output
    return folder


def edit(folder: Path, old: str, new: str) -> int:
    """Replace text in the folder's template.toml; return the line number of the new text."""
    path = folder / "template.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def test_list_names_every_built_in_with_its_description():
    result = run("templates", "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == ["decision-memo", "one-pager", "policy-brief"]
    assert "One A4 page for a minister" in result.output


def test_show_prints_page_notes_and_sections_in_order():
    result = run("templates", "show", "one-pager")
    assert result.exit_code == 0, result.output
    assert "page:        a4, margins 18/14/18/14 mm" in result.output
    assert "notes:       footnotes, full-then-short, quotes off" in result.output
    sections = result.output.split("sections:\n", 1)[1].splitlines()
    assert [s.split()[1] for s in sections] == ["title", "key_judgments", "positions", "risks", "open_questions"]
    assert "Top risks (at most 3, variant list)" in result.output


def test_show_and_build_refuse_an_unknown_template(tmp_path):
    result = run("templates", "show", "nonesuch")
    assert result.exit_code == 1 and "no template 'nonesuch'" in result.output
    out = tmp_path / "out"
    result = run("build", EXAMPLE_BRIEF, "-o", out, "-f", "docx", "--template", "nonesuch")
    assert result.exit_code == 1
    assert "Error: no template 'nonesuch': not a built-in (decision-memo, one-pager, policy-brief)" in result.output
    assert not out.exists()


def test_init_copies_a_built_in_with_its_files_and_a_new_name(mine):
    assert sorted(p.name for p in mine.iterdir()) == ["assets", "reference.docx", "template.toml"]
    assert 'name = "mine"' in (mine / "template.toml").read_text(encoding="utf-8")
    assert (mine / "assets" / "README.txt").is_file()


def test_init_refuses_a_folder_that_is_not_empty(mine):
    result = run("templates", "init", mine)
    assert result.exit_code == 1 and "already exists and is not empty" in result.output


def test_build_with_a_built_in_name(tmp_path):
    out = tmp_path / "out"
    result = run("build", EXAMPLE_BRIEF, "-o", out, "-f", "docx", "-f", "pdf", "--template", "decision-memo")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f".{NAME}.build.json", f"{NAME}.docx", f"{NAME}.pdf"]
    first = [p.text for p in docx.Document(str(out / f"{NAME}.docx")).paragraphs[:5]]
    assert first[0] == "Decision memorandum" and first[1].startswith("TO: ")


def test_build_with_an_edited_template_folder(mine, tmp_path):
    (mine / "assets" / "logo.png").write_bytes(png(30, 30, (0, 90, 160)))
    edit(mine, '# logo = "assets/logo.png"', 'logo = "assets/logo.png"')
    edit(mine, 'heading = "Top risks"', 'heading = "What could go wrong"')
    out = tmp_path / "out"
    result = run("build", EXAMPLE_BRIEF, "-o", out, "-f", "docx", "-f", "pdf", "--template", mine)
    assert result.exit_code == 0, result.output
    headings = [p.text for p in docx.Document(str(out / f"{NAME}.docx")).paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Key judgments", "Who backs which option", "What could go wrong", "Open questions"]
    with zipfile.ZipFile(out / f"{NAME}.docx") as z:
        assert any(n.startswith("word/media/") for n in z.namelist())
    reader = PdfReader(out / f"{NAME}.pdf")
    assert [o.title for o in reader.outline] == headings
    assert round(float(reader.pages[0].mediabox.width)) == 595  # the one-pager's A4


def test_reference_docx_option_overrides_the_templates(tmp_path):
    from test_docx_writer import make_custom_reference

    ref = make_custom_reference(tmp_path / "ref.docx")
    out = tmp_path / "out"
    result = run("build", EXAMPLE_BRIEF, "-o", out, "-f", "docx", "--template", "decision-memo",
                 "--reference-docx", ref)
    assert result.exit_code == 0, result.output
    word = docx.Document(str(out / f"{NAME}.docx"))
    assert word.styles["Heading 1"].font.name == "Georgia"


def test_notes_switches_override_the_template(tmp_path):
    out = tmp_path / "out"
    result = run("build", EXAMPLE_BRIEF, "-o", out, "-f", "md", "--template", "policy-brief", "--no-quotes")
    assert result.exit_code == 0, result.output
    notes = [line for line in (out / f"{NAME}.md").read_text(encoding="utf-8").splitlines()
             if line.startswith("[^")]
    assert notes and not any(": “" in n for n in notes)


# ----------------------------------------------------------------------------- errors: nothing written


def build_fails(template: Path, tmp_path: Path) -> str:
    """Build with a broken template: exit 1, a message, and no output folder."""
    out = tmp_path / "out"
    result = run("build", EXAMPLE_BRIEF, "-o", out, "-f", "docx", "-f", "pdf", "--template", template)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.output.startswith("Error: ")
    assert not out.exists()
    return result.output


def test_bad_value_in_template_toml_names_key_and_line(mine, tmp_path):
    line = edit(mine, 'size = "a4"', 'size = "A5"')
    message = build_fails(mine, tmp_path)
    assert f"template.toml:{line}: page.size: Input should be 'letter', 'a4' or 'legal'" in message


def test_line_numbers_count_only_real_line_ends(mine, tmp_path):
    # U+2028, U+2029 and NEL may sit inside a TOML string; they do not end a line
    edit(mine, 'description = "One A4', 'description = "\u2028\u2029\x85 One A4')
    line = edit(mine, 'size = "a4"', 'size = "A5"')
    message = build_fails(mine, tmp_path)
    assert f"template.toml:{line}: page.size: Input should be" in message


def test_unknown_section_names_key_and_line(mine, tmp_path):
    line = edit(mine, 'key = "risks"', 'key = "threats"')
    message = build_fails(mine, tmp_path)
    assert f"template.toml:{line}: sections[3].key: unknown section 'threats'" in message


def test_unknown_variant_names_key_and_line(mine, tmp_path):
    line = edit(mine, 'variant = "list"', 'variant = "heatmap"')
    message = build_fails(mine, tmp_path)
    assert f"template.toml:{line}: sections[3].variant: section 'risks' has no variant 'heatmap'" in message


def test_unknown_colour_name_names_key_and_line(mine, tmp_path):
    line = edit(mine, "[citations]", '[colors]\nheadline = "#112233"\n\n[citations]') + 1
    message = build_fails(mine, tmp_path)
    assert f"template.toml:{line}: colors.headline: unknown colour 'headline'" in message


def test_missing_logo_is_named(mine, tmp_path):
    edit(mine, '# logo = "assets/logo.png"', 'logo = "assets/house-logo.png"')
    message = build_fails(mine, tmp_path)
    assert "logo 'assets/house-logo.png' not found" in message


def test_damaged_logo_is_named(mine, tmp_path):
    (mine / "assets" / "logo.png").write_bytes(png(8, 8)[:40])
    edit(mine, '# logo = "assets/logo.png"', 'logo = "assets/logo.png"')
    message = build_fails(mine, tmp_path)
    assert "logo 'assets/logo.png' is unreadable" in message


def test_logo_that_is_not_an_image_is_named(mine, tmp_path):
    (mine / "assets" / "logo.png").write_text("<svg/>", encoding="utf-8")
    edit(mine, '# logo = "assets/logo.png"', 'logo = "assets/logo.png"')
    assert "logo 'assets/logo.png' is not a PNG or JPEG image" in build_fails(mine, tmp_path)


@pytest.mark.parametrize("escape", ["../logo.png", "assets/../../logo.png", "/etc/hostname"])
def test_asset_path_escaping_the_template_folder_is_refused(mine, tmp_path, escape):
    (tmp_path / "logo.png").write_bytes(png(4, 4))
    edit(mine, '# logo = "assets/logo.png"', f'logo = "{escape}"')
    message = build_fails(mine, tmp_path)
    assert f"logo '{escape}' is outside the template folder" in message


def test_missing_font_is_named(mine, tmp_path):
    fonts = "".join(f'{face} = "assets/House-{face}.ttf"\n' for face in ("regular", "bold", "italic", "bolditalic"))
    edit(mine, "[citations]", "[fonts]\n" + fonts + "\n[citations]")
    assert "font (regular) 'assets/House-regular.ttf' not found" in build_fails(mine, tmp_path)


def test_damaged_font_is_named(mine, tmp_path):
    source = Path(__file__).resolve().parent.parent / "briefgen" / "fonts" / "DejaVuSerif.ttf"
    for face in ("regular", "bold", "italic", "bolditalic"):
        shutil.copyfile(source, mine / "assets" / f"{face}.ttf")
    (mine / "assets" / "bold.ttf").write_bytes(source.read_bytes()[:4000])
    fonts = "".join(f'{face} = "assets/{face}.ttf"\n' for face in ("regular", "bold", "italic", "bolditalic"))
    edit(mine, "[citations]", "[fonts]\n" + fonts + "\n[citations]")
    assert "font (bold) 'assets/bold.ttf' is unreadable" in build_fails(mine, tmp_path)


def test_template_fonts_are_embedded_in_the_pdf(mine, tmp_path):
    source = Path(__file__).resolve().parent.parent / "briefgen" / "fonts" / "DejaVuSansCondensed.ttf"
    for face in ("regular", "bold", "italic", "bolditalic"):
        shutil.copyfile(source, mine / "assets" / f"{face}.ttf")
    fonts = "".join(f'{face} = "assets/{face}.ttf"\n' for face in ("regular", "bold", "italic", "bolditalic"))
    edit(mine, "[citations]", "[fonts]\n" + fonts + "\n[citations]")
    out = tmp_path / "out"
    result = run("build", EXAMPLE_BRIEF, "-o", out, "-f", "pdf", "--template", mine)
    assert result.exit_code == 0, result.output
    page = PdfReader(out / f"{NAME}.pdf").pages[0]
    names = {f.get_object()["/BaseFont"] for f in page["/Resources"]["/Font"].values()}
    assert not any("DejaVuSerif" in n for n in names), names


def test_build_help_documents_the_template_option():
    result = run("build", "--help")
    assert result.exit_code == 0 and "--template NAME|DIR" in result.output
