"""template.toml: validated, with errors naming the key and line; assets stay inside the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.errors import TemplateError
from briefgen.compose.templates import load_template

GOOD = """\
name = "acme"
description = "ACME house style"
logo = "assets/logo.png"

[page]
size = "a4"
margins_mm = [20, 18, 20, 18]

[colors]
heading = "#123456"

[[sections]]
key = "title_block"

[[sections]]
key = "key_judgments"
heading = "Bottom line"
"""

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f00050001ff56c72f0d"
    "0000000049454e44ae426082"
)


def make(tmp_path: Path, toml: str, logo: bool = True) -> Path:
    folder = tmp_path / "acme"
    (folder / "assets").mkdir(parents=True)
    (folder / "template.toml").write_text(toml, encoding="utf-8")
    if logo:
        (folder / "assets" / "logo.png").write_bytes(PNG_1PX)
    return folder


def test_good_template_loads(tmp_path):
    t = load_template(make(tmp_path, GOOD))
    assert t.spec.page.size == "a4" and t.spec.sections[1].heading == "Bottom line"
    assert t.asset("assets/logo.png", "logo").read_bytes() == PNG_1PX


def test_bad_value_names_key_and_line(tmp_path):
    folder = make(tmp_path, GOOD.replace('size = "a4"', 'size = "tabloid"'))
    with pytest.raises(TemplateError, match=r"template\.toml:6: page\.size: Input should be 'letter', 'a4' or 'legal'"):
        load_template(folder)


def test_bad_colour_names_key_and_line(tmp_path):
    folder = make(tmp_path, GOOD.replace('heading = "#123456"', 'heading = "navy"'))
    with pytest.raises(TemplateError, match=r"template\.toml:10: colors\.heading: String should match pattern"):
        load_template(folder)


def test_unknown_key_in_array_table_names_line(tmp_path):
    folder = make(tmp_path, GOOD.replace('heading = "Bottom line"', 'heading = "Bottom line"\ncolour = 1'))
    with pytest.raises(TemplateError, match=r"template\.toml:18: sections\[1\]\.colour: unknown key"):
        load_template(folder)


def test_toml_syntax_error_names_line(tmp_path):
    folder = make(tmp_path, GOOD.replace('name = "acme"', 'name = "acme'))
    with pytest.raises(TemplateError, match=r"not valid TOML: .*line 1"):
        load_template(folder)


def test_unknown_placeholder_is_refused(tmp_path):
    folder = make(tmp_path, 'footer = "{titel}"\n' + GOOD)
    with pytest.raises(TemplateError, match=r":1: footer: unknown placeholder \{titel\}"):
        load_template(folder)


def test_missing_logo_is_named(tmp_path):
    folder = make(tmp_path, GOOD, logo=False)
    with pytest.raises(TemplateError, match=r"logo 'assets/logo.png' not found"):
        load_template(folder)


@pytest.mark.parametrize("escape", ["../outside.png", "/etc/hostname", "assets/../../outside.png"])
def test_asset_path_escaping_the_folder_is_refused(tmp_path, escape):
    (tmp_path / "outside.png").write_bytes(PNG_1PX)
    folder = make(tmp_path, GOOD.replace('logo = "assets/logo.png"', f'logo = "{escape}"'))
    with pytest.raises(TemplateError, match="outside the template folder"):
        load_template(folder)


def test_font_that_is_not_truetype_is_named(tmp_path):
    fonts = "\n[fonts]\n" + "".join(f'{f} = "assets/f.ttf"\n' for f in ("regular", "bold", "italic", "bolditalic"))
    folder = make(tmp_path, GOOD.replace("[page]", fonts.strip() + "\n\n[page]"))
    (folder / "assets" / "f.ttf").write_text("not a font", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"font \(regular\) 'assets/f.ttf' is not a TrueType font"):
        load_template(folder)


def test_missing_template_toml(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(TemplateError, match="needs a template.toml"):
        load_template(tmp_path / "empty")
