"""Generate ``briefgen/data/reference.docx``, the default reference document of the Word writer.

Run ``python -m briefgen.data.make_reference_docx`` after changing a style here and commit the
result. The file defines every style the writer names (Word's built-in ids where Word has one),
a US Letter page with 20 mm margins, and one sample paragraph per style so that users can
restyle a copy in Word and pass it with ``--reference-docx``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_UNDERLINE
from docx.shared import Inches, Mm, Pt, RGBColor

from briefgen.writers.docx import wml as x
from briefgen.writers.docx.writer import REQUIRED_STYLES, save_deterministic

OUT = Path(__file__).resolve().parent / "reference.docx"
FONT = "Calibri"
INK = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x40, 0x40, 0x40)
# Word's built-in styles as Word itself writes them: (lower-case name, style id)
_BUILTIN_IDS = {"Footnote Text": ("footnote text", "FootnoteText"),
                "Footnote Reference": ("footnote reference", "FootnoteReference"),
                "Endnote Text": ("endnote text", "EndnoteText"),
                "Endnote Reference": ("endnote reference", "EndnoteReference"),
                "Hyperlink": ("Hyperlink", "Hyperlink"),
                "Block Text": ("Block Text", "BlockText"),
                "Bibliography": ("Bibliography", "Bibliography")}


def _style(styles, name: str, kind, base: str | None = None):
    """The style called ``name``, created (with Word's built-in name and id when it has one)."""
    lookup = _BUILTIN_IDS.get(name, (name, None))[0]
    for st in styles:
        if st.name.casefold() in (name.casefold(), lookup.casefold()):
            return st
    if name in _BUILTIN_IDS:
        word_name, sid = _BUILTIN_IDS[name]
        st = styles.add_style(word_name, kind, builtin=True)
        st.style_id = sid
    else:
        st = styles.add_style(name, kind)
    if base:
        st.base_style = styles[base]
    return st


def _para(st, *, size=None, bold=None, italic=None, color=None, before=None, after=None, keep=None,
          left=None, right=None, hanging=None, line=None):
    f, pf = st.font, st.paragraph_format
    if size is not None:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic
    if color is not None:
        f.color.rgb = color
    if before is not None:
        pf.space_before = Pt(before)
    if after is not None:
        pf.space_after = Pt(after)
    if keep is not None:
        pf.keep_with_next = keep
    if left is not None:
        pf.left_indent = Inches(left)
    if right is not None:
        pf.right_indent = Inches(right)
    if hanging is not None:
        pf.first_line_indent = Inches(-hanging)
    if line is not None:
        pf.line_spacing = line


def build() -> bytes:
    """The reference document's bytes."""
    word = docx.Document()
    styles = word.styles
    P, C, T = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE

    normal = styles["Normal"]
    normal.font.name = FONT
    # the sizes and spacing of the PDF writer's styles (one house style in both formats)
    _para(normal, size=9.5, after=0, line=1.0)
    _para(_style(styles, "Title", P), size=20, bold=True, color=INK, after=4)
    _para(_style(styles, "Subtitle", P), size=12, italic=True, color=GREY, after=6)
    for level, size, before, after in ((1, 13, 8, 3), (2, 11, 6, 2), (3, 10, 5, 2)):
        h = _style(styles, f"Heading {level}", P)
        h.font.name = FONT
        _para(h, size=size, bold=True, italic=(level == 3), color=INK, before=before, after=after, keep=True)
    _para(_style(styles, "Body Text", P, "Normal"), after=3.5)
    _para(_style(styles, "Compact", P, "Body Text"), before=0, after=2)
    _para(_style(styles, "Table Text", P, "Compact"), size=8.5, before=0, after=0)
    _para(_style(styles, "Title Block", P, "Normal"), size=9, color=GREY, after=1)
    _para(_style(styles, "Marking", P, "Normal"), size=9, bold=True, before=0, after=3)
    _para(_style(styles, "Caption", P), size=9, italic=True, color=GREY, after=6)
    _para(_style(styles, "Table Caption", P, "Caption"), before=8, after=3, keep=True)
    _para(_style(styles, "Small Print", P, "Normal"), size=8.5, color=GREY, before=3, after=6)
    _para(_style(styles, "Bibliography", P, "Normal"), after=4, left=0.5, hanging=0.5)
    _para(_style(styles, "Block Text", P, "Body Text"), italic=True, left=0.4, right=0.4)
    _para(_style(styles, "Footnote Text", P, "Normal"), size=7.5, after=0, line=1.0)
    _para(_style(styles, "Header", P), size=8.5, color=GREY)
    _para(_style(styles, "Footer", P), size=8.5, color=GREY)
    _para(_style(styles, "Endnote Text", P, "Normal"), size=9, after=2, line=1.0)
    for name in ("Footnote Reference", "Endnote Reference"):
        _style(styles, name, C).font.superscript = True
    link = _style(styles, "Hyperlink", C)
    link.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    link.font.underline = WD_UNDERLINE.SINGLE
    table = _style(styles, "Table", T)
    x.table_style_grid(table.element)

    # built-in styles Word marks as semi-hidden until used must be visible in the style gallery
    for name, _kind in REQUIRED_STYLES:
        st = _style(styles, name, {"paragraph": P, "character": C, "table": T}[_kind])
        st.hidden = False
        st.quick_style = True

    section = word.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    section.header_distance = section.footer_distance = Mm(9)

    # a thumbnail of someone else's document does not belong in ours
    pkg_rels = word.part.package.rels
    for rid, rel in list(pkg_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del pkg_rels[rid]
    # the template's gallery of table looks and its Word 2010 effects copy only slow every build down
    keep_tables = {"Normal Table", "Table Grid", "Table"}
    for st in list(styles):
        if st.type == T and st.name not in keep_tables:
            st.element.getparent().remove(st.element)
    doc_rels = word.part.rels
    for rid, rel in list(doc_rels.items()):
        if rel.reltype.endswith("/stylesWithEffects") or rel.reltype.endswith("/customXml"):
            del doc_rels[rid]
            doc_rels._target_parts_by_rId.pop(rid, None)

    for name, _kind in REQUIRED_STYLES:
        if _kind == "paragraph" and name not in ("Header", "Footer", "Footnote Text", "Endnote Text"):
            word.add_paragraph(f"{name}: sample text in this style.", style=styles[_style(styles, name, P).name])
    cp = word.core_properties
    cp.title = "briefgen reference document"
    cp.author = "briefgen"
    cp.last_modified_by = "briefgen"
    cp.comments = "Restyle a copy of this file in Word and pass it with --reference-docx."
    cp.keywords = ""
    cp.subject = ""
    cp.revision = 1
    import datetime as dt

    cp.created = cp.modified = cp.last_printed = dt.datetime(2025, 1, 1)
    return save_deterministic(word, "2025-01-01")


def main() -> None:
    """Write the reference document next to this script."""
    OUT.write_bytes(build())
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
