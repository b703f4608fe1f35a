"""The one place that writes raw WordprocessingML (``w:``) for the Word writer.

Body content (paragraphs, runs, notes, tables) is written as XML text, which is several times
faster than building element objects one by one; the small parts that come from the reference
document (styles, settings, numbering, section properties, headers) are edited as lxml trees.

Child order follows the ECMA-376 schema (``w:rPr`` first in a run, ``w:pPr`` first in a
paragraph, property children in sequence order), because Word rejects out-of-order XML that
LibreOffice and pandoc forgive.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml import etree

from briefgen.textsafe import clean

from briefgen.writers.docx.vocabulary import NSMAP, R_NS, W_NS, XML_SPACE


def qn(tag: str) -> str:
    """'w:p' -> '{namespace}p'."""
    prefix, _, local = tag.partition(":")
    return f"{{{NSMAP[prefix]}}}{local}"


def nsdecls(*prefixes: str) -> str:
    """Namespace declarations for a root element, e.g. ``xmlns:w="…"``."""
    return " ".join(f'xmlns:{p}="{NSMAP[p]}"' for p in prefixes)


_P, _PPR, _R, _RPR, _T = qn("w:p"), qn("w:pPr"), qn("w:r"), qn("w:rPr"), qn("w:t")
_VAL = qn("w:val")
# Our own XML text is trusted and may hold very long words; entities are never expanded.
_FRAGMENT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_JC_VALUES = {"left": "left", "center": "center", "right": "right"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class RunFormat:
    """Direct run formatting: character style id, bold, italic, colour ('RRGGBB'), size, shading."""

    style: str | None = None
    bold: bool = False
    italic: bool = False
    color: str | None = None
    size_half_points: int | None = None
    shading: str | None = None


PLAIN = RunFormat()


# ------------------------------------------------------------------------------- escaping


def esc(text: str) -> str:
    """Text content escaped for XML (the text must already be free of characters XML cannot hold)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def attr(value: str) -> str:
    """An attribute value escaped for XML, whitespace kept exactly."""
    return (esc(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;"))


def hex_color(color: str | None) -> str | None:
    """'#1e7b34' -> '1E7B34'; None or malformed -> None."""
    if not color:
        return None
    value = color.lstrip("#").upper()
    return value if re.fullmatch(r"[0-9A-F]{6}", value) else None


def fragment(xml: str) -> list[etree._Element]:
    """Parse XML text of ``w:`` elements (our own output) into elements, in order."""
    return list(body(xml))


def body(xml: str) -> etree._Element:
    """A ``w:body`` holding the elements in XML text (our own output)."""
    return etree.fromstring(f'<w:body {nsdecls("w", "r")}>{xml}</w:body>', _FRAGMENT_PARSER)


_BODY_MARK = "<!--briefgen-body-->"


def document_with_body(document: etree._Element, sect: etree._Element, xml: str) -> etree._Element | None:
    """The main document parsed afresh in one piece, its body ``xml`` (our own output) then ``sect``.

    Parsing once is linear; moving parsed elements into the reference's tree is not (lxml re-resolves
    the namespace of every ``xml:space`` attribute moved, searching the whole subtree, so large
    tables grow quadratic). None when the body does not bind ``w:`` and ``r:`` as our XML text does; the
    caller then moves a parsed body in.
    """
    old_body = sect.getparent()
    if old_body is None or old_body.nsmap.get("w") != W_NS or old_body.nsmap.get("r") != R_NS:
        return None
    for child in list(old_body):  # the reference's own body content is sample text: dropped
        if child is not sect:
            old_body.remove(child)
    sect.addprevious(etree.Comment(_BODY_MARK[4:-3]))
    text = etree.tostring(document, encoding="unicode")
    if text.count(_BODY_MARK) != 1:  # pragma: no cover - the mark is ours and the body was emptied
        old_body.remove(sect.getprevious())
        return None
    return etree.fromstring(text.replace(_BODY_MARK, xml, 1), _FRAGMENT_PARSER)


# ------------------------------------------------------------------------------- paragraphs


def p_start(style_id: str | None = None, *, align: str | None = None, num: tuple[int, int] | None = None,
            indent_twips: int | None = None, keep_next: bool = False, right_tab_twips: int | None = None,
            keep_lines: bool = False) -> str:
    """The opening of a ``w:p`` and its ``w:pPr`` (style, keep-with-next, keep-lines-together, numbering,
    tab, indent, alignment)."""
    if not (style_id or align or num or indent_twips is not None or keep_next or right_tab_twips or keep_lines):
        return "<w:p>"
    out = ["<w:p><w:pPr>"]
    if style_id:
        out.append(f'<w:pStyle w:val="{attr(style_id)}"/>')
    if keep_next:
        out.append("<w:keepNext/>")
    if keep_lines:
        out.append("<w:keepLines/>")
    if num:
        out.append(f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>')
    if right_tab_twips:
        out.append(f'<w:tabs><w:tab w:val="right" w:pos="{right_tab_twips}"/></w:tabs>')
    if indent_twips is not None:
        out.append(f'<w:ind w:left="{indent_twips}"/>')
    if align and align in _JC_VALUES and align != "left":
        out.append(f'<w:jc w:val="{_JC_VALUES[align]}"/>')
    out.append("</w:pPr>")
    return "".join(out)


def paragraph(style_id: str | None = None, content: str = "", **props) -> str:
    """A whole ``w:p``: properties (see ``p_start``) and content."""
    return p_start(style_id, **props) + content + "</w:p>"


_RPR_CACHE: dict[RunFormat, str] = {}


def run_props(fmt: RunFormat | None) -> str:
    """``w:rPr`` for a format (children in schema order), '' for plain text."""
    if fmt is None:
        return ""
    cached = _RPR_CACHE.get(fmt)
    if cached is not None:
        return cached
    out = []
    if fmt.style:
        out.append(f'<w:rStyle w:val="{attr(fmt.style)}"/>')
    if fmt.bold:
        out.append("<w:b/>")
    if fmt.italic:
        out.append("<w:i/>")
    color = hex_color(fmt.color)
    if color:
        out.append(f'<w:color w:val="{color}"/>')
    if fmt.size_half_points:
        out.append(f'<w:sz w:val="{fmt.size_half_points}"/><w:szCs w:val="{fmt.size_half_points}"/>')
    shading = hex_color(fmt.shading)
    if shading:
        out.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{shading}"/>')
    value = f"<w:rPr>{''.join(out)}</w:rPr>" if out else ""
    _RPR_CACHE[fmt] = value
    return value


def run(text: str, fmt: RunFormat | None = None) -> str:
    """A run holding ``text`` (tabs and line breaks become ``w:tab``/``w:br``)."""
    text = clean(text)
    rpr = run_props(fmt)
    if "\n" not in text and "\t" not in text and "\r" not in text:
        return f'<w:r>{rpr}<w:t xml:space="preserve">{esc(text)}</w:t></w:r>'
    out = ["<w:r>", rpr]
    for i, line in enumerate(_LINE_BREAK.split(text)):
        if i:
            out.append("<w:br/>")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                out.append("<w:tab/>")
            if chunk:
                out.append(f'<w:t xml:space="preserve">{esc(chunk)}</w:t>')
    out.append("</w:r>")
    return "".join(out)


def hyperlink_start(rel_id: str) -> str:
    """The opening of a ``w:hyperlink`` pointing at relationship ``rel_id`` of the containing part."""
    return f'<w:hyperlink r:id="{attr(rel_id)}" w:history="1">'


def hyperlink_end() -> str:
    """The end of a ``w:hyperlink``."""
    return "</w:hyperlink>"


def hyperlink(rel_id: str, content: str) -> str:
    """A whole ``w:hyperlink`` around ``content``."""
    return hyperlink_start(rel_id) + content + hyperlink_end()


def picture_paragraph(style_id: str | None, rel_id: str, filename: str, cx: int, cy: int) -> str:
    """A paragraph whose one run draws the image of relationship ``rel_id``, ``cx`` × ``cy`` EMU."""
    name = attr(filename)
    inline = (
        f'<wp:inline {nsdecls("wp", "a", "pic", "r")}>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="1" name="Picture 1"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="{name}"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{attr(rel_id)}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline>'
    )
    return paragraph(style_id, f"<w:r><w:drawing>{inline}</w:drawing></w:r>")


def page_break() -> str:
    """A paragraph holding only a page break."""
    return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def bookmark_start(bm_id: int, name: str) -> str:
    """Where a bookmark opens (right after the paragraph properties)."""
    return f'<w:bookmarkStart w:id="{bm_id}" w:name="{attr(name)}"/>'


def bookmark_end(bm_id: int) -> str:
    """Where a bookmark closes (last in the paragraph)."""
    return f'<w:bookmarkEnd w:id="{bm_id}"/>'


def field(instruction: str, placeholder: str, fmt: RunFormat | None = None) -> str:
    """A complex field (e.g. PAGE, NUMPAGES) with a cached result Word updates on open."""
    rpr = run_props(fmt)
    return (f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{rpr}<w:instrText xml:space="preserve"> {esc(instruction)} </w:instrText></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r>{rpr}<w:t>{esc(placeholder)}</w:t></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>')


# ------------------------------------------------------------------------------- notes
# ``kind`` is "footnote" or "endnote"; both use the same structure with different element names.


def notes_part(kind: str, notes: list[str]) -> str:
    """A whole ``w:footnotes``/``w:endnotes`` part: Word's separator (-1), continuation separator (0), notes."""
    spacing = '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    return (
        f"<w:{kind}s {nsdecls('w', 'r')}>"
        f'<w:{kind} w:type="separator" w:id="-1"><w:p>{spacing}<w:r><w:separator/></w:r></w:p></w:{kind}>'
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p>{spacing}<w:r><w:continuationSeparator/>'
        f"</w:r></w:p></w:{kind}>"
        + "".join(notes)
        + f"</w:{kind}s>"
    )


def note_reference(note_id: int, ref_style: str, kind: str = "footnote") -> str:
    """The body run that calls note ``note_id``."""
    return f'<w:r><w:rPr><w:rStyle w:val="{attr(ref_style)}"/></w:rPr><w:{kind}Reference w:id="{note_id}"/></w:r>'


def note(note_id: int, paragraphs: str, kind: str = "footnote") -> str:
    """One ``w:footnote``/``w:endnote`` with id ``note_id`` holding ``paragraphs``."""
    return f'<w:{kind} w:id="{note_id}">{paragraphs}</w:{kind}>'


def note_mark(ref_style: str, kind: str = "footnote") -> str:
    """The note's own number (``w:footnoteRef``/``w:endnoteRef``) and a space, opening its first paragraph."""
    return (f'<w:r><w:rPr><w:rStyle w:val="{attr(ref_style)}"/></w:rPr><w:{kind}Ref/></w:r>'
            '<w:r><w:t xml:space="preserve"> </w:t></w:r>')


# ------------------------------------------------------------------------------- tables


def table_start(style_id: str | None, grid_twips: list[int]) -> str:
    """The opening of a ``w:tbl`` at full text width with a style, fixed grid and header-row look."""
    style = f'<w:tblStyle w:val="{attr(style_id)}"/>' if style_id else ""
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid_twips)
    return (f'<w:tbl><w:tblPr>{style}<w:tblW w:w="{sum(grid_twips)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
            f'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>{cols}</w:tblGrid>')


def row_start(*, header: bool, min_height_twips: int | None = None) -> str:
    """The opening of a row; no row splits across pages, and header rows repeat on each page."""
    pr = ["<w:tr><w:trPr><w:cantSplit/>"]
    if min_height_twips:
        pr.append(f'<w:trHeight w:val="{min_height_twips}" w:hRule="atLeast"/>')
    if header:
        pr.append("<w:tblHeader/>")
    pr.append("</w:trPr>")
    return "".join(pr)


def cell_start(width_twips: int, fill: str | None, *, center: bool = False) -> str:
    """The opening of a cell with width, optional background fill and vertical centring."""
    out = [f'<w:tc><w:tcPr><w:tcW w:w="{width_twips}" w:type="dxa"/>']
    color = hex_color(fill)
    if color:
        out.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{color}"/>')
    if center:
        out.append('<w:vAlign w:val="center"/>')
    out.append("</w:tcPr>")
    return "".join(out)


# ------------------------------------------------------------------------------- element helpers (lxml)


def element(tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """A new element with ``w:``-qualified attributes."""
    el = etree.Element(qn(tag), nsmap={tag.partition(":")[0]: NSMAP[tag.partition(":")[0]]})
    for key, value in (attrs or {}).items():
        el.set(qn(key), value)
    return el


def sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """Append a child element ``tag`` with ``w:``-qualified attributes."""
    el = etree.SubElement(parent, qn(tag))
    for key, value in (attrs or {}).items():
        el.set(qn(key), value)
    return el


def insert_in_order(parent: etree._Element, child: etree._Element, order: tuple[str, ...]) -> etree._Element:
    """Insert ``child`` before the first existing child that the schema sequence ``order`` puts after it."""
    tags = [qn(t) for t in order]
    later = set(tags[tags.index(child.tag) + 1:]) if child.tag in tags else set()
    anchor = next((c for c in parent if c.tag in later), None)
    if anchor is not None:
        anchor.addprevious(child)
    else:
        parent.append(child)
    return child


# Elements that may follow w:endnotePr inside w:settings (ECMA-376 CT_Settings sequence).
_AFTER_NOTEPR = ("w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
                 "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                 "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                 "w:readModeInkLockDown", "w:smartTagType", "w:schemaLibrary", "w:shapeDefaults",
                 "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")


def set_note_settings(settings: etree._Element, *, footnotes: bool, endnotes: bool) -> None:
    """Point ``w:footnotePr``/``w:endnotePr`` at separators -1/0 for the note parts that exist, drop the rest."""
    for tag in ("w:footnotePr", "w:endnotePr"):
        for old in settings.findall(qn(tag)):
            settings.remove(old)
    new = []
    for kind, present in (("footnote", footnotes), ("endnote", endnotes)):
        if present:
            pr = element(f"w:{kind}Pr")
            sub(pr, f"w:{kind}", {"w:id": "-1"})
            sub(pr, f"w:{kind}", {"w:id": "0"})
            new.append(pr)
    after = {qn(t) for t in _AFTER_NOTEPR}
    anchor = next((child for child in settings if child.tag in after), None)
    for pr in new:  # footnotePr before endnotePr, both before w:compat and what follows it
        if anchor is not None:
            anchor.addprevious(pr)
        else:
            settings.append(pr)


def settings_flag(settings: etree._Element, tag: str) -> bool:
    """Whether an on/off setting such as ``w:evenAndOddHeaders`` is on."""
    el = settings.find(qn(tag))
    return el is not None and el.get(_VAL, "true") not in ("0", "false", "off")


# ------------------------------------------------------------------------------- sections

# CT_SectPr children after the header/footer references, in schema order.
SECTPR_ORDER = ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
                "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
                "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter",
                "w:docGrid", "w:printerSettings", "w:sectPrChange")
_UNITS_TWIPS = {"mm": 1440 / 25.4, "cm": 1440 / 2.54, "in": 1440, "pt": 20, "pc": 240, "pi": 240}


def twips(value: str | None) -> int | None:
    """An OOXML twips measure ('1440', '25.4mm', '1in') in twips; None when absent or unreadable."""
    if not value:
        return None
    unit = value[-2:]
    try:
        if unit in _UNITS_TWIPS:
            return round(float(value[:-2]) * _UNITS_TWIPS[unit])
        return round(float(value))
    except ValueError:
        return None


def sect_child(sect: etree._Element, tag: str) -> etree._Element:
    """A section property child, created in schema order when missing."""
    el = sect.find(qn(tag))
    return el if el is not None else insert_in_order(sect, element(tag), SECTPR_ORDER)


def set_sect_flag(sect: etree._Element, tag: str) -> None:
    """Turn on an on/off child of ``w:sectPr`` (e.g. ``w:titlePg``), placed in schema order."""
    if sect.find(qn(tag)) is not None:
        sect.find(qn(tag)).attrib.pop(_VAL, None)
        return
    later = {qn(t) for t in SECTPR_ORDER[SECTPR_ORDER.index(tag) + 1:]}
    anchor = next((c for c in sect if c.tag in later), None)
    el = element(tag)
    if anchor is not None:
        anchor.addprevious(el)
    else:
        sect.append(el)


def add_hdrftr_reference(sect: etree._Element, kind: str, which: str, rel_id: str) -> None:
    """Add ``w:headerReference``/``w:footerReference`` of type default/first/even, after any existing ones."""
    ref = element(f"w:{kind}Reference", {"w:type": which})
    ref.set(qn("r:id"), rel_id)
    refs = {qn("w:headerReference"), qn("w:footerReference")}
    anchor = next((c for c in sect if c.tag not in refs), None)
    if anchor is not None:
        anchor.addprevious(ref)
    else:
        sect.append(ref)


def hdrftr_reference(sect: etree._Element, kind: str, which: str) -> str | None:
    """The relationship id of the section's header/footer of type default/first/even, if it has one."""
    for ref in sect.findall(qn(f"w:{kind}Reference")):
        if ref.get(qn("w:type"), "default") == which:
            return ref.get(qn("r:id"))
    return None


def drop_hdrftr_reference(sect: etree._Element, kind: str, which: str) -> None:
    """Remove the section's header/footer reference of type default/first/even."""
    for ref in sect.findall(qn(f"w:{kind}Reference")):
        if ref.get(qn("w:type"), "default") == which:
            sect.remove(ref)


def hdrftr_part(kind: str, content: str) -> str:
    """A whole header (``w:hdr``) or footer (``w:ftr``) part."""
    tag = "w:hdr" if kind == "header" else "w:ftr"
    return f"<{tag} {nsdecls('w', 'r')}>{content}</{tag}>"


# ------------------------------------------------------------------------------- numbering


def add_list_definitions(numbering: etree._Element) -> tuple[int, int]:
    """Add a bullet and a decimal abstract list; return their abstractNumIds."""
    ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
    first = max(ids, default=-1) + 1
    bullets = ("\u2022", "\u25e6", "\u25aa")
    made = []
    for offset, ordered in ((0, False), (1, True)):
        an = element("w:abstractNum", {"w:abstractNumId": str(first + offset)})
        sub(an, "w:multiLevelType", {"w:val": "hybridMultilevel"})
        for lvl in range(9):
            lv = sub(an, "w:lvl", {"w:ilvl": str(lvl)})
            sub(lv, "w:start", {"w:val": "1"})
            if ordered:
                sub(lv, "w:numFmt", {"w:val": ("decimal", "lowerLetter", "lowerRoman")[lvl % 3]})
                sub(lv, "w:lvlText", {"w:val": f"%{lvl + 1}."})
            else:
                sub(lv, "w:numFmt", {"w:val": "bullet"})
                sub(lv, "w:lvlText", {"w:val": bullets[lvl % 3]})
            sub(lv, "w:lvlJc", {"w:val": "left"})
            ppr = sub(lv, "w:pPr")
            sub(ppr, "w:ind", {"w:left": str(list_indent(lvl)), "w:hanging": "360"})
        made.append(an)
    first_num = numbering.find(qn("w:num"))
    for an in made:
        if first_num is not None:  # every abstractNum must come before the first num
            first_num.addprevious(an)
        else:
            numbering.append(an)
    return first, first + 1


def table_style_grid(style: etree._Element, color: str = "A6A6A6", header_fill: str = "D9E2F3") -> None:
    """Give a table style thin borders, cell margins and a shaded, bold header row."""
    for old in style.findall(qn("w:tblPr")) + style.findall(qn("w:tblStylePr")):
        style.remove(old)
    pr = element("w:tblPr")
    borders = sub(pr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        sub(borders, f"w:{edge}", {"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": color})
    mar = sub(pr, "w:tblCellMar")
    for edge, width in (("top", 40), ("left", 80), ("bottom", 40), ("right", 80)):
        sub(mar, f"w:{edge}", {"w:w": str(width), "w:type": "dxa"})
    # tblPr follows name/basedOn/next/link/ui flags/qFormat/rsid/pPr/rPr in CT_Style
    style.append(pr)
    first = element("w:tblStylePr", {"w:type": "firstRow"})
    rpr = sub(first, "w:rPr")
    sub(rpr, "w:b")
    tcpr = sub(first, "w:tcPr")
    sub(tcpr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": header_fill})
    style.append(first)


def list_indent(level: int) -> int:
    """Left indent of list level ``level`` in twips."""
    return 720 * (level + 1)


def add_num(numbering: etree._Element, abstract_id: int, *, restart: bool) -> int:
    """Add a ``w:num`` instance of an abstract list (restarting at 1 if asked); return its numId."""
    ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    num_id = max(ids, default=0) + 1
    num = element("w:num", {"w:numId": str(num_id)})
    sub(num, "w:abstractNumId", {"w:val": str(abstract_id)})
    if restart:
        ov = sub(num, "w:lvlOverride", {"w:ilvl": "0"})
        sub(ov, "w:startOverride", {"w:val": "1"})
    tail = numbering.find(qn("w:numIdMacAtCleanup"))
    if tail is not None:
        tail.addprevious(num)
    else:
        numbering.append(num)
    return num_id


# ------------------------------------------------------------------------------- styles

# CT_Style and CT_RPr sequences (to put a style's run colour where Word expects it).
STYLE_ORDER = ("w:name", "w:aliases", "w:basedOn", "w:next", "w:link", "w:autoRedefine", "w:hidden",
               "w:uiPriority", "w:semiHidden", "w:unhideWhenUsed", "w:qFormat", "w:locked", "w:personal",
               "w:personalCompose", "w:personalReply", "w:rsid", "w:pPr", "w:rPr", "w:tblPr", "w:trPr",
               "w:tcPr", "w:tblStylePr")
RPR_ORDER = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
             "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
             "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
             "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
             "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")


# CT_PPrBase sequence up to w:jc (where a style's paragraph properties go).
PPR_ORDER = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
             "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
             "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
             "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
             "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
             "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def style_index(styles: etree._Element) -> dict[str, tuple[str, str]]:
    """Map case-folded style name -> (styleId, type) for every style in a ``w:styles`` element."""
    out: dict[str, tuple[str, str]] = {}
    for st in styles.findall(qn("w:style")):
        name = st.find(qn("w:name"))
        sid = st.get(qn("w:styleId"))
        if name is not None and sid:
            out.setdefault(name.get(_VAL, "").casefold(), (sid, st.get(qn("w:type"), "paragraph")))
    return out


def set_style_color(styles: etree._Element, style_ids: dict[str, str]) -> None:
    """Give each style id its run colour ('RRGGBB'), replacing any theme colour it had."""
    for st in styles.findall(qn("w:style")):
        value = style_ids.get(st.get(qn("w:styleId")))
        if not value:
            continue
        rpr = st.find(_RPR)
        if rpr is None:
            rpr = insert_in_order(st, element("w:rPr"), STYLE_ORDER)
        for old in rpr.findall(qn("w:color")):
            rpr.remove(old)
        insert_in_order(rpr, element("w:color", {"w:val": value}), RPR_ORDER)


def set_widow_control(styles: etree._Element, style_ids: set[str]) -> None:
    """Turn widow and orphan control on in each paragraph style of ``style_ids``, whatever it or the
    document defaults said (absent, Word applies none: a reference document must not decide it)."""
    for st in styles.findall(qn("w:style")):
        if st.get(qn("w:styleId")) not in style_ids:
            continue
        ppr = st.find(qn("w:pPr"))
        if ppr is None:
            ppr = insert_in_order(st, element("w:pPr"), STYLE_ORDER)
        for old in ppr.findall(qn("w:widowControl")):
            ppr.remove(old)
        insert_in_order(ppr, element("w:widowControl"), PPR_ORDER)


def copy_style(target: etree._Element, source: etree._Element, name: str) -> str | None:
    """Copy the style called ``name`` (and any missing base styles) from ``source`` into ``target``."""
    src_index = {k: st for st in source.findall(qn("w:style"))
                 if (k := (st.find(qn("w:name")).get(_VAL, "") if st.find(qn("w:name")) is not None else "").casefold())}
    st = src_index.get(name.casefold())
    if st is None:
        return None
    have_ids = {s.get(qn("w:styleId")) for s in target.findall(qn("w:style"))}
    based = st.find(qn("w:basedOn"))
    if based is not None and based.get(_VAL) not in have_ids:
        base = next((s for s in source.findall(qn("w:style")) if s.get(qn("w:styleId")) == based.get(_VAL)), None)
        base_name = base.find(qn("w:name")) if base is not None else None
        if base_name is None or copy_style(target, source, base_name.get(_VAL, "")) is None:
            st = copy.deepcopy(st)
            st.remove(st.find(qn("w:basedOn")))
    new = copy.deepcopy(st)
    sid = new.get(qn("w:styleId"))
    while sid in {s.get(qn("w:styleId")) for s in target.findall(qn("w:style"))}:
        sid += "1"  # an unrelated style already uses the id
    new.set(qn("w:styleId"), sid)
    link = new.find(qn("w:link"))
    if link is not None:  # the linked character style is not copied
        new.remove(link)
    target.append(new)
    return sid


def set_default_language(styles: etree._Element, lang: str) -> None:
    """Set the document's default language (``w:docDefaults/w:rPrDefault/w:rPr/w:lang``)."""
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = element("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = element("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(_RPR)
    if rpr is None:
        rpr = sub(rpr_default, "w:rPr")
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = insert_in_order(rpr, element("w:lang"), RPR_ORDER)
    lang_el.set(_VAL, lang)


def replace_placeholders(root: etree._Element, values: dict[str, str]) -> bool:
    """Fill ``{name}`` placeholders inside single ``w:t`` elements; True when any was found."""
    found = False
    names = re.compile("|".join(re.escape("{" + key + "}") for key in values)) if values else None
    for t in root.iter(_T):
        if names is not None and t.text and "{" in t.text:
            # one pass: a value that itself reads "{date}" is put in as text, never filled again
            new = names.sub(lambda mt: values[mt.group()[1:-1]], t.text)
            if new != t.text:
                found = True
                t.text = new
                t.set(XML_SPACE, "preserve")
    return found


def text_of(root: etree._Element) -> str:
    """All ``w:t`` text under an element."""
    return "".join(t.text or "" for t in root.iter(_T))
