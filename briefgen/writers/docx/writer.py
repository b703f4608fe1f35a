"""Word writer: outline.Document → .docx bytes with native footnotes, styled by a reference document.

Styles are named, never defined here: the reference document (``--reference-docx``, default
``briefgen/data/reference.docx``) supplies them, plus page size, margins, headers and footers,
the way pandoc's ``--reference-doc`` works. A style the user's file lacks is copied from the
default reference document so that the output always defines every style it uses.

The package is read and written by ``opc`` and the body is written as XML text by ``wml``;
python-docx is only needed for reading a logo image's size.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from lxml import etree

from briefgen import outline as o
from briefgen.errors import BriefgenWarning, InputError
from briefgen.textsafe import clean
from briefgen.writers import RenderOptions
from briefgen.writers._shared import Dispatch, PageField, marking_line, split_page_fields, tlp_colour
from briefgen.writers.docx import wml as x
from briefgen.writers.docx import opc
from briefgen.writers.docx.sanitise import sanitise
from briefgen.writers.docx.vocabulary import (CP_NS, CT_CORE, CT_MAIN_DOCUMENT, CT_MAIN_MACROS, CT_MAIN_TEMPLATE, CT_WML,
                                              DC_NS, DCTERMS_NS, RT_ENDNOTES, RT_FOOTER, RT_FOOTNOTES, RT_HEADER,
                                              RT_CORE, RT_HYPERLINK, RT_IMAGE, RT_NUMBERING, RT_OFFICE_DOCUMENT, RT_SETTINGS,
                                              RT_STYLES, XSI_NS)

DEFAULT_REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference.docx"

# Every style the writer uses: (name, type). Looked up by name, case-insensitively, like pandoc.
PARAGRAPH_STYLES = (
    "Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Body Text", "Compact", "Table Text",
    "Title Block", "Marking", "Caption", "Table Caption", "Small Print", "Bibliography", "Block Text",
    "Footnote Text", "Endnote Text", "Header", "Footer",
)
CHARACTER_STYLES = ("Footnote Reference", "Endnote Reference", "Hyperlink")
TABLE_STYLES = ("Table",)
REQUIRED_STYLES: tuple[tuple[str, str], ...] = (
    tuple((n, "paragraph") for n in PARAGRAPH_STYLES)
    + tuple((n, "character") for n in CHARACTER_STYLES)
    + tuple((n, "table") for n in TABLE_STYLES)
)

_ROLE_STYLES = {
    "body": "Body Text", "title": "Title", "subtitle": "Subtitle", "meta": "Title Block",
    "marking": "Marking", "caption": "Caption", "small": "Small Print", "bibliography": "Bibliography",
    "quote": "Block Text",
}
_PAGE_SIZES_TWIPS = {"letter": (12240, 15840), "a4": (11906, 16838), "legal": (12240, 20160)}
# Which styles take which colour of RenderOptions.colors (the other colours are PDF-only).
_COLOR_STYLES = {
    "heading": ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption", "Table Caption"),
    "text": ("Normal",),
    "link": ("Hyperlink",),
}
_LOGO_HEIGHT_EMU = 12 * 36000  # 12 mm
KEEP_TABLE_ROWS = 30  # a table of at most this many rows is kept on one page with what follows it



def write(doc: o.Document, options: RenderOptions | None = None) -> bytes:
    """Render the tree as a .docx file and return its bytes (byte-identical for the same input)."""
    options = options or RenderOptions()
    package = _open_reference(options.reference_docx)
    return _Writer(package, doc, options).render()


def _open_reference(path: Path | None) -> opc.Package:
    from briefgen.fileio import ReadRefused, read_capped
    from briefgen.limits import MAX_ZIP_BYTES, check_zip

    ref = Path(path) if path else DEFAULT_REFERENCE
    check_zip(ref, "reference document")
    try:
        package = opc.Package.read(io.BytesIO(read_capped(ref, MAX_ZIP_BYTES)))  # the file checked, read once
        main = package.related(package.root, RT_OFFICE_DOCUMENT)
        if main is not None and main.content_type in CT_MAIN_MACROS:
            raise opc.PackageError("it holds macros; save it as a plain Word document (.docx)")
        if main is None or main.content_type not in (CT_MAIN_DOCUMENT, CT_MAIN_TEMPLATE):
            raise opc.PackageError("it has no Word main document")
        main.content_type = CT_MAIN_DOCUMENT  # a Word template (.dotx) gives an ordinary document
        if main.element.find(x.qn("w:body")) is None:
            raise opc.PackageError("its main document has no body")
        for reltype in (RT_STYLES, RT_SETTINGS, RT_NUMBERING):  # parse now, so a broken part is named here
            part = package.related(main, reltype)
            if part is not None:
                part.element  # noqa: B018
    except (opc.PackageError, OSError, ReadRefused) as exc:
        raise InputError(f"reference document {ref} is not a readable .docx file ({exc})") from None
    removed = sanitise(package)
    if removed:
        import warnings

        shown = ", ".join(removed[:8]) + (f" and {len(removed) - 8} more" if len(removed) > 8 else "")
        warnings.warn(f"reference document {ref}: removed {len(removed)} item(s) that must not travel with "
                      f"a brief: {shown}", ReferenceSanitised, stacklevel=2)
    return package


class ReferenceSanitised(BriefgenWarning):
    """A reference document held external links, macros or embedded objects; they were removed."""


class _Writer:
    """Renders one Document into the package opened from the reference file."""

    def __init__(self, package: opc.Package, doc: o.Document, options: RenderOptions):
        self.package = package
        self.doc = o.Document(_clean_meta(doc.meta), doc.blocks)
        self.options = options
        self.main = package.related(package.root, RT_OFFICE_DOCUMENT)
        self.style_ids: dict[str, str] = {}
        self.note_count = 0
        self.notes: list[str] = []
        self.bookmarks = 0
        self.bookmark_names: set[str] = set()
        self.link_ids: dict[tuple[str, str], str] = {}
        self.bullet_num: int | None = None
        self.legend_follows = False  # the block being written has a legend (small print) right after it
        self._block = Dispatch[list[str]]("Word", "block", {
            o.Heading: self._heading,
            o.Para: self._para,
            o.BulletList: self._list,
            o.Table: lambda table, part, depth: self._table(table, part),
            o.PageBreak: lambda block, part, depth: [x.page_break()],
        })
        self._inline = Dispatch[str]("Word", "inline", {
            o.Text: lambda node, part, fmt, in_note, link: x.run(node.text, fmt) if node.text else "",
            o.Strong: lambda node, part, fmt, in_note, link:
                self._inlines(node.children, part, _with(fmt, bold=True), in_note, link),
            o.Emph: lambda node, part, fmt, in_note, link:
                self._inlines(node.children, part, _with(fmt, italic=True), in_note, link),
            o.Colored: lambda node, part, fmt, in_note, link:
                self._inlines(node.children, part, _with(fmt, color=node.color), in_note, link),
            o.Link: self._link,
            o.Note: self._note_call,
        })

    # ------------------------------------------------------------------ steps

    def render(self) -> bytes:
        """Numbered steps: styles, parts, body, page setup, furniture, properties, deterministic zip."""
        # 1. every style the writer names exists (copied from the default reference when missing)
        self.styles_el = self._part(RT_STYLES, "/word/styles.xml", "styles", "<w:styles {}/>").element
        self._resolve_styles()
        x.set_default_language(self.styles_el, self.doc.meta.language or "en")
        self._style_colors()
        # no widows or orphans in any text the writer sets (running heads and feet are single lines)
        x.set_widow_control(self.styles_el, {self.style_ids[n] for n in PARAGRAPH_STYLES
                                             if n not in ("Header", "Footer") and self.style_ids.get(n)})
        # 2. a fresh notes part (footnotes, or endnotes when asked) with separators -1/0, and settings
        self.note_kind = "endnote" if self.options.notes == "endnotes" else "footnote"
        self.main.drop_rels(RT_FOOTNOTES, RT_ENDNOTES)  # a reference document's own notes are sample content
        kind = self.note_kind
        self.notes_part = opc.Part(f"/word/{kind}s.xml", CT_WML.format(f"{kind}s"))
        self.package.add(self.main, self.notes_part, RT_FOOTNOTES if kind == "footnote" else RT_ENDNOTES)
        self.settings_el = self._part(RT_SETTINGS, "/word/settings.xml", "settings", "<w:settings {}/>").element
        x.set_note_settings(self.settings_el, footnotes=kind == "footnote", endnotes=kind == "endnote")
        # 3. list definitions
        self.numbering = self._part(RT_NUMBERING, "/word/numbering.xml", "numbering", "<w:numbering {}/>").element
        self.abstract_bullet, self.abstract_ordered = x.add_list_definitions(self.numbering)
        # 4. page size and margins (reference document unless the options say otherwise)
        document = self.main.element
        body = document.find(x.qn("w:body"))
        sect = body.find(x.qn("w:sectPr"))
        if sect is None:
            sect = x.sub(body, "w:sectPr")
        self._page_setup(sect)
        self.text_width = _text_width_twips(sect)
        # 5. the body, written as XML text and parsed once
        blocks: list[str] = []
        if self.options.logo is not None:  # the logo opens the first page, as in the PDF
            blocks.append(self._logo(Path(self.options.logo)))
        for k, block in enumerate(self.doc.blocks):
            after = self.doc.blocks[k + 1] if k + 1 < len(self.doc.blocks) else None
            self.legend_follows = isinstance(after, o.Para) and after.role == "small"
            blocks += self._block(block, self.main, 0)
        whole = x.document_with_body(document, sect, "".join(blocks))
        if whole is not None:
            self.main.xml = whole
            sect = whole.find(x.qn("w:body"))[-1]
        else:  # the reference binds w: or r: its own way: move a parsed body in (slow for huge tables)
            new_body = x.body("".join(blocks))  # the reference's own body content is sample text: dropped
            for name, value in body.attrib.items():
                new_body.set(name, value)
            new_body.append(sect)
            document.replace(body, new_body)
        self.notes_part.blob = (opc.XML_HEADER + x.notes_part(kind, self.notes).encode("utf-8"))
        # 6. headers and footers, document properties
        self._furniture(sect)
        self._core_properties()
        # 7. save with fixed timestamps so equal input gives equal bytes
        return self.package.save(_doc_datetime(self.doc.meta.date).timetuple()[:6])

    def _part(self, reltype: str, name: str, kind: str, empty: str) -> opc.Part:
        """The main document's part of a type, created (empty) when the reference document has none."""
        part = self.package.related(self.main, reltype)
        if part is None:
            part = opc.Part(self.package.next_name(name.replace(".xml", "%d.xml")) if name in self.package.parts
                             else name, CT_WML.format(kind))
            part.xml = etree.fromstring(empty.format(x.nsdecls("w")))
            self.package.add(self.main, part, reltype)
        return part

    def _resolve_styles(self) -> None:
        index = x.style_index(self.styles_el)
        default_styles = None
        for name, _kind in REQUIRED_STYLES:
            found = index.get(name.casefold())
            if found is None:
                if default_styles is None:
                    default = _open_reference(None)
                    default_styles = default.related(default.related(default.root, RT_OFFICE_DOCUMENT),
                                                     RT_STYLES).element
                sid = x.copy_style(self.styles_el, default_styles, name)
                index = x.style_index(self.styles_el)
                found = index.get(name.casefold()) if sid else None
            self.style_ids[name] = found[0] if found else ""

    def _style_colors(self) -> None:
        """Give the named styles the template's colours (heading, text, link)."""
        wanted: dict[str, str] = {}
        for role, names in _COLOR_STYLES.items():
            value = x.hex_color((self.options.colors or {}).get(role))
            if value:
                wanted.update({self.style_ids[name]: value for name in names if self.style_ids.get(name)})
        if wanted:
            x.set_style_color(self.styles_el, wanted)

    def _logo(self, path: Path) -> str:
        """A paragraph holding the logo image, 12 mm high."""
        from briefgen.limits import check_image

        image = check_image(path)  # InputError for a missing, damaged, non-PNG/JPEG or huge image
        width_emu, height_emu = int(image.width), int(image.height)
        cy = _LOGO_HEIGHT_EMU
        cx = round(width_emu * (cy / height_emu))
        ext = (path.suffix[1:] or image.default_ext).lower()
        part = opc.Part(self.package.next_name(f"/word/media/image%d.{ext}"), image.content_type, image.blob)
        rid = self.package.add(self.main, part, RT_IMAGE)
        return x.picture_paragraph(self.sid("Normal"), rid, path.name, cx, cy)

    def sid(self, name: str) -> str | None:
        """The style id of a style name in this document."""
        return self.style_ids.get(name) or None

    def _page_setup(self, sect: etree._Element) -> None:
        size = (self.options.page_size or "").lower()
        if size in _PAGE_SIZES_TWIPS:
            w, h = _PAGE_SIZES_TWIPS[size]
            pg = x.sect_child(sect, "w:pgSz")
            pg.set(x.qn("w:w"), str(w))
            pg.set(x.qn("w:h"), str(h))
        if self.options.margins_mm:
            mar = x.sect_child(sect, "w:pgMar")
            for edge, mm in zip(("top", "right", "bottom", "left"), self.options.margins_mm):
                mar.set(x.qn(f"w:{edge}"), str(round(int(mm * 36000) / 635)))

    # ------------------------------------------------------------------ blocks

    def _heading(self, heading: o.Heading, part: opc.Part, depth: int) -> list[str]:
        """A heading paragraph, with a bookmark when it has an anchor."""
        level = min(max(heading.level, 1), 3)
        content = self._inlines(heading.children, part, x.PLAIN)
        if heading.anchor:
            bm_id, name = self._bookmark(heading.anchor)
            content = x.bookmark_start(bm_id, name) + content + x.bookmark_end(bm_id)
        return [x.paragraph(self.sid(f"Heading {level}"), content, keep_next=True)]

    def _para(self, para: o.Para, part: opc.Part, depth: int) -> list[str]:
        """A paragraph in the style of its role."""
        style = _ROLE_STYLES.get(para.role)
        if style is None:
            raise ValueError(f"the Word writer has no style for paragraph role {para.role!r}")
        return [x.paragraph(self.sid(style), self._inlines(para.children, part, x.PLAIN))]

    def _list(self, block: o.BulletList, part: opc.Part, depth: int) -> list[str]:
        if block.ordered:
            num_id = x.add_num(self.numbering, self.abstract_ordered, restart=True)
        else:
            if self.bullet_num is None:
                self.bullet_num = x.add_num(self.numbering, self.abstract_bullet, restart=False)
            num_id = self.bullet_num
        level = min(depth, 8)
        out: list[str] = []
        for item in block.items:
            first = True
            for sub_block in item:
                if isinstance(sub_block, o.Para) and first:
                    # a list item is never split across pages
                    out.append(x.paragraph(self.sid("Compact"), self._inlines(sub_block.children, part, x.PLAIN),
                                           num=(num_id, level), keep_lines=True))
                elif isinstance(sub_block, o.Para):
                    out.append(x.paragraph(self.sid("Compact"), self._inlines(sub_block.children, part, x.PLAIN),
                                           indent_twips=x.list_indent(level)))
                else:
                    out += self._block(sub_block, part, depth + 1)
                first = False
        return out

    def _table(self, table: o.Table, part: opc.Part) -> list[str]:
        out: list[str] = []
        if table.caption:
            out.append(x.paragraph(self.sid("Table Caption"), self._inlines(table.caption, part, x.PLAIN),
                                   keep_next=True))
        n_cols = max((len(r) for r in [*table.header, *table.rows]), default=1)
        widths = list(table.widths or [])
        widths = (widths + [1.0] * n_cols)[:n_cols]
        total = sum(w for w in widths if w > 0) or n_cols
        grid = [max(int(self.text_width * (w if w > 0 else 1) / total), 200) for w in widths]
        xml = [x.table_start(self.sid("Table"), grid)]
        heat = table.kind == "heatmap"
        # a table short enough for one page stays whole and with the legend or key after it
        keep_all = len(table.header) + len(table.rows) <= KEEP_TABLE_ROWS
        # a longer one keeps its last row with the legend under it (the legend is never alone on a page)
        last = table.rows[-1] if table.rows and self.legend_follows else None
        for rows, header in ((table.header, True), (table.rows, False)):
            for row in rows:
                keep = header or keep_all or row is last
                xml.append(x.row_start(header=header, min_height_twips=480 if heat and not header else None))
                for i in range(n_cols):
                    cell = row[i] if i < len(row) else o.Cell([])
                    xml.append(x.cell_start(grid[i], cell.fill, center=heat))
                    fmt = x.RunFormat(bold=header, color=cell.color)
                    paras, last_is_paragraph = 0, False
                    for blk in cell.blocks:
                        if isinstance(blk, o.Para):
                            style = self.sid("Table Text") if blk.role in ("body", "small") else \
                                self.sid(_ROLE_STYLES.get(blk.role, "Table Text"))
                            xml.append(x.paragraph(style, self._inlines(blk.children, part, fmt), align=cell.align,
                                                   keep_next=keep))
                            paras, last_is_paragraph = paras + 1, True
                        else:
                            for el in self._block(blk, part, 0):
                                xml.append(el)
                                last_is_paragraph = el.startswith("<w:p>") or el.startswith("<w:p ")
                    if not (paras and last_is_paragraph):  # a cell ends with a paragraph
                        xml.append(x.paragraph(self.sid("Table Text"), align=cell.align, keep_next=keep))
                    xml.append("</w:tc>")
                xml.append("</w:tr>")
        xml.append("</w:tbl>")
        out.append("".join(xml))
        return out

    def _bookmark(self, anchor: str) -> tuple[int, str]:
        name = re.sub(r"[^A-Za-z0-9_]", "_", anchor)[:36]
        if not name[:1].isalpha():
            name = "h_" + name
        base, n = name, 1
        while name in self.bookmark_names:
            n += 1
            name = f"{base[:33]}_{n}"
        self.bookmark_names.add(name)
        self.bookmarks += 1
        return self.bookmarks, name

    # ------------------------------------------------------------------ inlines

    def _inlines(self, inlines: list[o.Inline], part: opc.Part, fmt: x.RunFormat, in_note: bool = False,
                 link: str | None = None) -> str:
        """The runs of a list of inlines; ``link`` is the relationship id of the hyperlink they are in."""
        return "".join([self._inline(node, part, fmt, in_note, link) for node in inlines])

    def _link(self, node: o.Link, part: opc.Part, fmt: x.RunFormat, in_note: bool, link: str | None) -> str:
        """A hyperlink around its runs (an empty one leaves nothing behind)."""
        rid = self._link_rel(part, node.url)
        inner = self._inlines(node.children, part, _with(fmt, style=self.sid("Hyperlink")), in_note, rid)
        return x.hyperlink(rid, inner).replace(x.hyperlink(rid, ""), "")

    def _note_call(self, node: o.Note, part: opc.Part, fmt: x.RunFormat, in_note: bool, link: str | None) -> str:
        """The note's reference mark here (the note itself goes to the notes part)."""
        if in_note:
            raise ValueError("a note cannot contain another note")
        call = self._note(node)
        if link is not None:  # the call is not part of the link: close it around the call
            call = x.hyperlink_end() + call + x.hyperlink_start(link)
        return call

    def _link_rel(self, part: opc.Part, url: str) -> str:
        key = (part.name, url)
        rid = self.link_ids.get(key)
        if rid is None:
            rid = part.relate(clean(url, "link address"), RT_HYPERLINK, external=True)
            self.link_ids[key] = rid
        return rid

    def _note(self, note: o.Note) -> str:
        """The reference run here, and the note itself (numbered in reading order) in the notes part."""
        self.note_count += 1
        kind = self.note_kind
        label = "Footnote" if kind == "footnote" else "Endnote"
        ref_style = self.sid(f"{label} Reference") or ""
        paragraphs = note.paragraphs or [[]]
        text_style = self.sid(f"{label} Text")
        xml = []
        for i, para in enumerate(paragraphs):
            mark = x.note_mark(ref_style, kind) if i == 0 else ""
            # links inside notes are related from the notes part, where Word looks them up
            xml.append(x.paragraph(text_style, mark + self._inlines(para, self.notes_part, x.PLAIN, in_note=True)))
        self.notes.append(x.note(self.note_count, "".join(xml), kind))
        return x.note_reference(self.note_count, ref_style, kind)

    # ------------------------------------------------------------------ headers, footers, properties

    def _furniture(self, sect: etree._Element) -> None:
        meta = self.doc.meta
        marking = marking_line(meta)
        values = {"title": meta.title, "marking": marking, "date": meta.date, "author": meta.author}
        first_page = x.settings_flag(sect, "w:titlePg")
        even_pages = x.settings_flag(self.settings_el, "w:evenAndOddHeaders")  # else even pages lose the marking
        if not first_page and x.hdrftr_reference(sect, "header", "default") is None:
            # page 1 opens with the title block: its header carries the marking, not the title again (as the PDF)
            x.set_sect_flag(sect, "w:titlePg")
            first_page = True
        for kind in ("header", "footer"):
            which = ["default"] + (["first"] if first_page else []) + (["even"] if even_pages else [])
            for page in which:
                rid = x.hdrftr_reference(sect, kind, page)
                part = self.package.by_id(self.main, rid) if rid else None
                if part is None:
                    if rid:  # a reference to a part the file lacks: replaced by ours
                        x.drop_hdrftr_reference(sect, kind, page)
                    self._our_furniture(sect, kind, page)
                else:
                    self._their_furniture(part.element, kind, values, marking)

    def _their_furniture(self, el: etree._Element, kind: str, values: dict[str, str], marking: str) -> None:
        """Keep the reference document's header/footer; fill placeholders; never drop the marking."""
        x.replace_placeholders(el, values)
        if marking and marking not in x.text_of(el):
            for p in x.fragment(self._marking_lines(kind)):
                el.append(p)

    def _our_furniture(self, sect: etree._Element, kind: str, page: str) -> None:
        meta = self.doc.meta
        style = self.sid("Header" if kind == "header" else "Footer")
        content = []
        if kind == "header":
            content.append(self._marking_lines(kind))
            text = meta.header if page != "first" else ""
        else:
            text = meta.footer
        if text:
            content.append(x.paragraph(style, self._furniture_text(text), right_tab_twips=self.text_width))
        if kind == "footer":
            content.append(self._marking_lines(kind))
        xml = "".join(content) or x.paragraph(style)
        blob = opc.XML_HEADER + x.hdrftr_part(kind, xml).encode("utf-8")
        part = opc.Part(self.package.next_name(f"/word/{kind}%d.xml"), CT_WML.format(kind), blob)
        rid = self.package.add(self.main, part, RT_HEADER if kind == "header" else RT_FOOTER)
        x.add_hdrftr_reference(sect, kind, page, rid)

    def _furniture_text(self, text: str) -> str:
        """Text with {page}/{pages} turned into PAGE/NUMPAGES fields."""
        out = []
        for piece in split_page_fields(text):
            if piece is PageField.PAGE:
                out.append(x.field("PAGE", "1"))
            elif piece is PageField.PAGES:
                out.append(x.field("NUMPAGES", "1"))
            else:
                out.append(x.run(piece))
        return "".join(out)

    def _marking_lines(self, kind: str) -> str:
        """Banner centred; TLP label right-aligned, 12 pt, in its colour on black."""
        meta = self.doc.meta
        style = self.sid("Header" if kind == "header" else "Footer")
        out = []
        if meta.banner:
            out.append(x.paragraph(style, x.run(meta.banner, x.RunFormat(bold=True, size_half_points=24)),
                                   align="center"))
        if meta.tlp:
            color = tlp_colour(meta.tlp).lstrip("#")
            fmt = x.RunFormat(bold=True, color=color, size_half_points=24, shading="000000")
            out.append(x.paragraph(style, x.run(meta.tlp, fmt), align="right"))
        return "".join(out)

    def _core_properties(self) -> None:
        meta = self.doc.meta
        part = self.package.related(self.package.root, RT_CORE)
        if part is None:
            part = opc.Part(self.package.next_name("/docProps/core%d.xml") if "/docProps/core.xml"
                             in self.package.parts else "/docProps/core.xml", CT_CORE)
            part.xml = etree.Element(f"{{{CP_NS}}}coreProperties",
                                     nsmap={"cp": CP_NS, "dc": DC_NS, "dcterms": DCTERMS_NS, "xsi": XSI_NS})
            self.package.parts[part.name] = part
            self.package.root.relate(part.name, RT_CORE)
        root = part.element
        when = _doc_datetime(meta.date).strftime("%Y-%m-%dT%H:%M:%SZ")
        values = (
            (DC_NS, "title", _prop(meta.title)), (DC_NS, "creator", _prop(meta.author)),
            (CP_NS, "lastModifiedBy", _prop(meta.author)), (DC_NS, "subject", _prop(meta.subject)),
            (CP_NS, "keywords", _prop(", ".join(meta.keywords))), (DC_NS, "language", _prop(meta.language)),
            (CP_NS, "category", _prop(marking_line(meta))),
            (DC_NS, "description", ""), (CP_NS, "revision", "1"),
            (DCTERMS_NS, "created", when), (DCTERMS_NS, "modified", when), (CP_NS, "lastPrinted", when),
        )
        for ns, name, value in values:
            el = root.find(f"{{{ns}}}{name}")
            if el is None:
                el = etree.SubElement(root, f"{{{ns}}}{name}")
            el.text = value
            if ns == DCTERMS_NS:
                el.set(f"{{{XSI_NS}}}type", "dcterms:W3CDTF")


def _prop(value: str) -> str:
    """A core property value within Word's 255-character limit (longer text is shortened with '…')."""
    return value if len(value) <= 255 else value[:254] + "…"


def _text_width_twips(sect: etree._Element) -> int:
    """Width between the margins; Word's defaults (Letter, 1-inch margins) stand in for missing values."""
    pg, mar = sect.find(x.qn("w:pgSz")), sect.find(x.qn("w:pgMar"))
    width = x.twips(pg.get(x.qn("w:w"))) if pg is not None else None
    left = x.twips(mar.get(x.qn("w:left"))) if mar is not None else None
    right = x.twips(mar.get(x.qn("w:right"))) if mar is not None else None
    width = 12240 if width is None else width
    left = 1440 if left is None else left
    right = 1440 if right is None else right
    return max(int(width - left - right), 1440)


def _clean_meta(meta: o.DocMeta) -> o.DocMeta:
    """Document properties without characters XML cannot hold (they go into core.xml and headers)."""
    from dataclasses import replace

    values = {name: clean(getattr(meta, name), f"document {name}")
              for name in ("title", "author", "subject", "language", "date", "tlp", "banner", "header", "footer")}
    return replace(meta, keywords=[clean(k, "document keywords") for k in meta.keywords], **values)


_WITH_CACHE: dict[tuple[x.RunFormat, tuple], x.RunFormat] = {}


def _with(fmt: x.RunFormat, **changes) -> x.RunFormat:
    from dataclasses import replace

    key = (fmt, tuple(sorted(changes.items())))
    new = _WITH_CACHE.get(key)
    if new is None:
        new = _WITH_CACHE[key] = replace(fmt, **changes)
    return new


def _doc_datetime(date: str) -> dt.datetime:
    """Midnight UTC of the document date (the zip and core-property timestamp)."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        day = dt.date(1980, 1, 1)
    return dt.datetime(max(day.year, 1980), day.month, day.day)


def save_deterministic(word, date: str) -> bytes:
    """Save a python-docx document reproducibly (no clock in the zip); used by the reference-document generators."""
    import io
    import zipfile

    from docx.opc.pkgwriter import PackageWriter

    class _ZipSink:
        def __init__(self, zf: zipfile.ZipFile, stamp: tuple[int, ...]):
            self.zf, self.stamp = zf, stamp

        def write(self, pack_uri, blob: bytes) -> None:
            zi = zipfile.ZipInfo(pack_uri.membername, date_time=self.stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 0
            zi.external_attr = 0
            self.zf.writestr(zi, blob, compresslevel=6)

    package = word.part.package
    parts = list(package.iter_parts())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        sink = _ZipSink(zf, _doc_datetime(date).timetuple()[:6])
        PackageWriter._write_content_types_stream(sink, parts)
        PackageWriter._write_pkg_rels(sink, package.rels)
        PackageWriter._write_parts(sink, parts)
    return out.getvalue()
