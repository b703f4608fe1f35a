"""Every registered writer renders every node type of the outline, every paragraph role and the marking."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import pytest

from briefgen import outline as o
from briefgen.writers import REGISTRY, RenderOptions, writer_for
from briefgen.writers._shared import BLOCK_TYPES, INLINE_TYPES


def _every_node() -> o.Document:
    """A document holding each block type, each inline type and each paragraph role, with words to find."""
    inlines = [
        o.Text("plainword "),
        o.Strong([o.Text("strongword ")]),
        o.Emph([o.Text("emphword ")]),
        o.Link("https://example.org/x", [o.Text("linkword")]),
        o.Colored("#336699", [o.Text(" colouredword")]),
        o.Note([[o.Text("noteword")]]),
    ]
    blocks: list[o.Block] = [
        o.Heading(1, [o.Text("Headingword")], anchor="sec-1"),
        o.Para(inlines),
        *(o.Para([o.Text(f"role{role.capitalize()}")], role) for role in o.PARA_ROLES),
        o.BulletList([[o.Para([o.Text("bulletword")])], [o.Para([o.Text("secondbullet")])]]),
        o.BulletList([[o.Para([o.Text("numberedword")])]], ordered=True),
        o.Table([[o.Cell([o.Para([o.Text("headcell")])])]], [[o.Cell([o.Para([o.Text("bodycell")])], fill="#EEEEEE")]],
                caption=[o.Text("captionword")]),
        o.PageBreak(),
        o.Para([o.Text("afterbreak")]),
    ]
    assert {type(b) for b in blocks} == set(BLOCK_TYPES)
    assert {type(i) for i in inlines} == set(INLINE_TYPES)
    meta = o.DocMeta(title="Contract", tlp="TLP:AMBER", banner="UNCLASSIFIED", date="2025-02-15",
                     header="Contract head", footer="Page {page} of {pages}")
    return o.Document(meta, blocks)


def _text_of(fmt: str, data: bytes) -> str:
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = [n for n in package.namelist() if re.match(r"word/(document|footnotes|endnotes|header\d*|footer\d*)\.xml$", n)]
            xml = " ".join(package.read(n).decode("utf-8") for n in parts)
        return re.sub(r"<[^>]+>", "", xml)
    if fmt == "pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8")


WORDS = ["Headingword", "plainword", "strongword", "emphword", "linkword", "colouredword", "noteword",
         "bulletword", "secondbullet", "numberedword", "headcell", "bodycell", "captionword", "afterbreak",
         *(f"role{role.capitalize()}" for role in o.PARA_ROLES)]


@pytest.mark.parametrize("fmt", sorted(REGISTRY))
def test_every_writer_renders_every_node_type_and_role(fmt):
    text = _text_of(fmt, writer_for(fmt)(_every_node(), RenderOptions()))
    flat = re.sub(r"\s+", "", text)
    missing = [word for word in WORDS if word not in flat]
    assert not missing, (fmt, missing)


@pytest.mark.parametrize("fmt", sorted(REGISTRY))
def test_every_writer_shows_the_marking_without_a_title_block(fmt):
    doc = _every_node()
    doc.blocks = [b for b in doc.blocks if not (isinstance(b, o.Para) and b.role == "marking")]
    text = _text_of(fmt, writer_for(fmt)(doc, RenderOptions()))
    assert "TLP:AMBER" in text and "UNCLASSIFIED" in text, fmt


@dataclass
class Unknown:
    """A node type no writer knows."""

    children: list


@pytest.mark.parametrize("fmt", sorted(REGISTRY))
def test_every_writer_refuses_a_node_type_it_does_not_know(fmt):
    write = writer_for(fmt)
    meta = o.DocMeta(title="Contract")
    with pytest.raises(TypeError, match=r"cannot render a Unknown block"):
        write(o.Document(meta, [Unknown([])]), RenderOptions())
    with pytest.raises(TypeError, match=r"cannot render a Unknown inline"):
        write(o.Document(meta, [o.Para([Unknown([])])]), RenderOptions())


@pytest.mark.parametrize("template", ["policy-brief", "one-pager", "decision-memo"])
def test_every_format_of_a_built_template_carries_the_furniture(template, tmp_path):
    """Each built-in template's every output carries the marking, the title, the date and the version."""
    from click.testing import CliRunner

    from briefgen.cli import main
    from conftest import EXAMPLE_BRIEF

    result = CliRunner().invoke(main, ["build", str(EXAMPLE_BRIEF), "--template", template, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for fmt, suffix in (("docx", ".docx"), ("pdf", ".pdf"), ("markdown", ".md")):
        text = _text_of(fmt, (tmp_path / f"{EXAMPLE_BRIEF.parent.name}{suffix}").read_bytes())
        flat = re.sub(r"\s+", " ", text)
        for furniture in ("TLP:CLEAR", "Foreign troops in Ukraine before NATO membership", "February 15, 2025"):
            assert furniture in flat, (template, fmt, furniture)
        assert re.search(r"\b1\.0\b", flat), (template, fmt, "version")
