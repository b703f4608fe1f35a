"""The one place that builds raw WordprocessingML (``w:``) elements for the Word writer.

Child order follows the ECMA-376 schema (``w:rPr`` first in a run, ``w:pPr`` first in a
paragraph, property children in sequence order), because Word rejects out-of-order XML that
LibreOffice and pandoc forgive.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import oxml_parser, parse_xml
from lxml import etree

from briefgen.textsafe import clean

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Qualified names used in hot loops, computed once.
_P, _PPR, _R, _RPR, _T = qn("w:p"), qn("w:pPr"), qn("w:r"), qn("w:rPr"), qn("w:t")
_PSTYLE, _RSTYLE, _VAL = qn("w:pStyle"), qn("w:rStyle"), qn("w:val")
_B, _I, _COLOR, _SZ, _SHD, _JC = qn("w:b"), qn("w:i"), qn("w:color"), qn("w:sz"), qn("w:shd"), qn("w:jc")
_BR, _TAB, _ID = qn("w:br"), qn("w:tab"), qn("w:id")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_RID = qn("r:id")

# pPr children in schema order (only the ones this module writes are needed for ordering).
_PPR_ORDER = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:numPr", "w:tabs",
              "w:spacing", "w:ind", "w:jc")
_JC_VALUES = {"left": "left", "center": "center", "right": "right"}


@dataclass(frozen=True)
class RunFormat:
    """Direct run formatting: character style id, bold, italic, colour ('RRGGBB'), size, shading."""

    style: str | None = None
    bold: bool = False
    italic: bool = False
    color: str | None = None
    size_half_points: int | None = None
    shading: str | None = None


def element(tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """A new element created by python-docx's parser (so it gets python-docx's element classes)."""
    el = oxml_parser.makeelement(qn(tag))
    for key, value in (attrs or {}).items():
        el.set(qn(key), value)
    return el


def sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """Append a child element ``tag`` with ``w:``-qualified attributes."""
    el = etree.SubElement(parent, qn(tag))
    for key, value in (attrs or {}).items():
        el.set(qn(key), value)
    return el


def hex_color(color: str | None) -> str | None:
    """'#1e7b34' -> '1E7B34'; None or malformed -> None."""
    if not color:
        return None
    value = color.lstrip("#").upper()
    return value if re.fullmatch(r"[0-9A-F]{6}", value) else None


# ------------------------------------------------------------------------------- paragraphs


def paragraph(style_id: str | None = None, *, align: str | None = None, num: tuple[int, int] | None = None,
              indent_twips: int | None = None, keep_next: bool = False,
              right_tab_twips: int | None = None) -> etree._Element:
    """A ``w:p`` with its ``w:pPr`` (style, keep-with-next, numbering, tab, indent, alignment)."""
    p = oxml_parser.makeelement(_P)
    if style_id or align or num or indent_twips is not None or keep_next or right_tab_twips:
        ppr = etree.SubElement(p, _PPR)
        if style_id:
            etree.SubElement(ppr, _PSTYLE).set(_VAL, style_id)
        if keep_next:
            etree.SubElement(ppr, qn("w:keepNext"))
        if num:
            numpr = etree.SubElement(ppr, qn("w:numPr"))
            etree.SubElement(numpr, qn("w:ilvl")).set(_VAL, str(num[1]))
            etree.SubElement(numpr, qn("w:numId")).set(_VAL, str(num[0]))
        if right_tab_twips:
            tabs = etree.SubElement(ppr, qn("w:tabs"))
            sub(tabs, "w:tab", {"w:val": "right", "w:pos": str(right_tab_twips)})
        if indent_twips is not None:
            sub(ppr, "w:ind", {"w:left": str(indent_twips)})
        if align and align in _JC_VALUES and align != "left":
            etree.SubElement(ppr, _JC).set(_VAL, _JC_VALUES[align])
    return p


def run(parent: etree._Element, text: str, fmt: RunFormat | None = None) -> etree._Element:
    """Append a run holding ``text`` (tabs and line breaks become ``w:tab``/``w:br``)."""
    r = etree.SubElement(parent, _R)
    _run_props(r, fmt)
    text = clean(text)
    if "\n" not in text and "\t" not in text and "\r" not in text:
        t = etree.SubElement(r, _T)
        t.text = text
        t.set(_XML_SPACE, "preserve")
        return r
    for i, line in enumerate(re.split(r"\r\n|\r|\n", text)):
        if i:
            etree.SubElement(r, _BR)
        for j, chunk in enumerate(line.split("\t")):
            if j:
                etree.SubElement(r, _TAB)
            if chunk:
                t = etree.SubElement(r, _T)
                t.text = chunk
                t.set(_XML_SPACE, "preserve")
    return r


def _run_props(r: etree._Element, fmt: RunFormat | None) -> None:
    """``w:rPr`` as the first child of the run, its children in schema order."""
    if fmt is None or fmt == RunFormat():
        return
    rpr = etree.SubElement(r, _RPR)
    if fmt.style:
        etree.SubElement(rpr, _RSTYLE).set(_VAL, fmt.style)
    if fmt.bold:
        etree.SubElement(rpr, _B)
    if fmt.italic:
        etree.SubElement(rpr, _I)
    color = hex_color(fmt.color)
    if color:
        etree.SubElement(rpr, _COLOR).set(_VAL, color)
    if fmt.size_half_points:
        etree.SubElement(rpr, _SZ).set(_VAL, str(fmt.size_half_points))
        sub(rpr, "w:szCs", {"w:val": str(fmt.size_half_points)})
    shading = hex_color(fmt.shading)
    if shading:
        sub(rpr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": shading})


def hyperlink(parent: etree._Element, rel_id: str) -> etree._Element:
    """Append a ``w:hyperlink`` pointing at relationship ``rel_id`` of the containing part."""
    h = etree.SubElement(parent, qn("w:hyperlink"))
    h.set(_RID, rel_id)
    h.set(qn("w:history"), "1")
    return h


def picture_paragraph(style_id: str | None, inline: etree._Element) -> etree._Element:
    """A paragraph whose one run draws ``inline`` (a ``wp:inline`` picture made by python-docx)."""
    p = paragraph(style_id)
    r = etree.SubElement(p, _R)
    etree.SubElement(r, qn("w:drawing")).append(inline)
    return p


def page_break() -> etree._Element:
    """A paragraph holding only a page break."""
    p = oxml_parser.makeelement(_P)
    r = etree.SubElement(p, _R)
    etree.SubElement(r, _BR).set(qn("w:type"), "page")
    return p


def bookmark(p: etree._Element, bm_id: int, name: str) -> None:
    """Wrap a paragraph's content in a bookmark (start after ``w:pPr``, end last)."""
    start = element("w:bookmarkStart", {"w:id": str(bm_id), "w:name": name})
    ppr = p.find(_PPR)
    p.insert(1 if ppr is not None else 0, start)
    sub(p, "w:bookmarkEnd", {"w:id": str(bm_id)})


def field(parent: etree._Element, instruction: str, placeholder: str, fmt: RunFormat | None = None) -> None:
    """Append a complex field (e.g. PAGE, NUMPAGES) with a cached result Word updates on open."""
    for kind in ("begin", None, "separate", "result", "end"):
        r = etree.SubElement(parent, _R)
        _run_props(r, fmt)
        if kind == "result":
            t = etree.SubElement(r, _T)
            t.text = placeholder
        elif kind is None:
            it = sub(r, "w:instrText")
            it.text = f" {instruction} "
            it.set(_XML_SPACE, "preserve")
        else:
            sub(r, "w:fldChar", {"w:fldCharType": kind})


# ------------------------------------------------------------------------------- notes
# ``kind`` is "footnote" or "endnote"; both use the same structure with different element names.


def notes_root(kind: str = "footnote") -> etree._Element:
    """A ``w:footnotes``/``w:endnotes`` root with Word's separator (-1) and continuation separator (0)."""
    spacing = '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    return parse_xml(
        f"<w:{kind}s {nsdecls('w', 'r')}>"
        f'<w:{kind} w:type="separator" w:id="-1"><w:p>{spacing}<w:r><w:separator/></w:r></w:p></w:{kind}>'
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p>{spacing}<w:r><w:continuationSeparator/>'
        f"</w:r></w:p></w:{kind}>"
        f"</w:{kind}s>"
    )


def note_reference(parent: etree._Element, note_id: int, ref_style: str, kind: str = "footnote") -> None:
    """Append the body run that calls note ``note_id``."""
    r = etree.SubElement(parent, _R)
    etree.SubElement(etree.SubElement(r, _RPR), _RSTYLE).set(_VAL, ref_style)
    etree.SubElement(r, qn(f"w:{kind}Reference")).set(_ID, str(note_id))


def note(root: etree._Element, note_id: int, kind: str = "footnote") -> etree._Element:
    """Append an empty ``w:footnote``/``w:endnote`` with id ``note_id`` to the notes root."""
    fn = etree.SubElement(root, qn(f"w:{kind}"))
    fn.set(_ID, str(note_id))
    return fn


def note_mark(p: etree._Element, ref_style: str, kind: str = "footnote") -> None:
    """The note's own number (``w:footnoteRef``/``w:endnoteRef``) and a space, opening its first paragraph."""
    r = etree.SubElement(p, _R)
    etree.SubElement(etree.SubElement(r, _RPR), _RSTYLE).set(_VAL, ref_style)
    etree.SubElement(r, qn(f"w:{kind}Ref"))
    run(p, " ")


# Elements that may follow w:endnotePr inside w:settings (ECMA-376 CT_Settings sequence).
_AFTER_NOTEPR = ("w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
                 "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                 "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                 "w:readModeInkLockDown", "w:smartTagType", "w:schemaLibrary", "w:shapeDefaults",
                 "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")
_MATH_PR = "{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr"


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
    after = {_MATH_PR if t.startswith("m:") else qn(t) for t in _AFTER_NOTEPR}
    anchor = next((child for child in settings if child.tag in after), None)
    for pr in new:  # footnotePr before endnotePr, both before w:compat and what follows it
        if anchor is not None:
            anchor.addprevious(pr)
        else:
            settings.append(pr)


# ------------------------------------------------------------------------------- tables


def table(style_id: str | None, grid_twips: list[int]) -> etree._Element:
    """A ``w:tbl`` at full text width with a style, fixed grid and header-row look."""
    tbl = oxml_parser.makeelement(qn("w:tbl"))
    pr = sub(tbl, "w:tblPr")
    if style_id:
        sub(pr, "w:tblStyle", {"w:val": style_id})
    sub(pr, "w:tblW", {"w:w": str(sum(grid_twips)), "w:type": "dxa"})
    sub(pr, "w:tblLayout", {"w:type": "fixed"})
    sub(pr, "w:tblLook", {"w:val": "0420", "w:firstRow": "1", "w:lastRow": "0", "w:firstColumn": "0",
                          "w:lastColumn": "0", "w:noHBand": "1", "w:noVBand": "1"})
    grid = sub(tbl, "w:tblGrid")
    for width in grid_twips:
        sub(grid, "w:gridCol", {"w:w": str(width)})
    return tbl


def table_row(tbl: etree._Element, *, header: bool, min_height_twips: int | None = None) -> etree._Element:
    """Append a row; header rows repeat on each page and never split (body rows may, or tall rows leave gaps)."""
    tr = sub(tbl, "w:tr")
    if header or min_height_twips:
        pr = sub(tr, "w:trPr")
        if header:
            sub(pr, "w:cantSplit")
        if min_height_twips:
            sub(pr, "w:trHeight", {"w:val": str(min_height_twips), "w:hRule": "atLeast"})
        if header:
            sub(pr, "w:tblHeader")
    return tr


def table_cell(tr: etree._Element, width_twips: int, fill: str | None, *, center: bool = False) -> etree._Element:
    """Append a cell with width, optional background fill and vertical centring."""
    tc = sub(tr, "w:tc")
    pr = sub(tc, "w:tcPr")
    sub(pr, "w:tcW", {"w:w": str(width_twips), "w:type": "dxa"})
    color = hex_color(fill)
    if color:
        sub(pr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": color})
    if center:
        sub(pr, "w:vAlign", {"w:val": "center"})
    return tc


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


def numbering_root() -> etree._Element:
    """An empty ``w:numbering`` root for a document that has no numbering part."""
    return parse_xml(f"<w:numbering {nsdecls('w')}/>")


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


def style_index(styles: etree._Element) -> dict[str, tuple[str, str]]:
    """Map case-folded style name -> (styleId, type) for every style in a ``w:styles`` element."""
    out: dict[str, tuple[str, str]] = {}
    for st in styles.findall(qn("w:style")):
        name = st.find(qn("w:name"))
        sid = st.get(qn("w:styleId"))
        if name is not None and sid:
            out.setdefault(name.get(_VAL, "").casefold(), (sid, st.get(qn("w:type"), "paragraph")))
    return out


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
        lang_el = element("w:lang")
        # w:lang sits after most rPr children; before eastAsianLayout/specVanish/oMath if present
        later = [c for c in rpr if c.tag in {qn("w:eastAsianLayout"), qn("w:specVanish"), qn("w:oMath")}]
        if later:
            later[0].addprevious(lang_el)
        else:
            rpr.append(lang_el)
    lang_el.set(_VAL, lang)


def replace_placeholders(root: etree._Element, values: dict[str, str]) -> bool:
    """Fill ``{name}`` placeholders inside single ``w:t`` elements; True when any was found."""
    found = False
    for t in root.iter(_T):
        if t.text and "{" in t.text:
            new = t.text
            for key, value in values.items():
                new = new.replace("{" + key + "}", value)
            if new != t.text:
                found = True
                t.text = new
                t.set(_XML_SPACE, "preserve")
    return found


def text_of(root: etree._Element) -> str:
    """All ``w:t`` text under an element."""
    return "".join(t.text or "" for t in root.iter(_T))


def clear_body(body: etree._Element) -> None:
    """Remove every block from ``w:body`` except the final section properties."""
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def clear_children(el: etree._Element) -> None:
    """Remove every child element."""
    for child in list(el):
        el.remove(child)


def block_appender(body: etree._Element):
    """A function appending blocks to ``body`` while keeping its final ``w:sectPr`` last (O(1) each)."""
    sect = body.find(qn("w:sectPr"))
    if sect is not None:
        return sect.addprevious
    return body.append
