"""Word writer: outline.Document → .docx bytes with native footnotes, styled by a reference document.

Styles are named, never defined here: the reference document (``--reference-docx``, default
``briefgen/data/reference.docx``) supplies them, plus page size, margins, headers and footers,
the way pandoc's ``--reference-doc`` works. A style the user's file lacks is copied from the
default reference document so that the output always defines every style it uses.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from briefgen import outline as o
from briefgen.errors import InputError
from briefgen.textsafe import clean
from briefgen.writers import RenderOptions
from briefgen.writers import _docx_xml as x

DEFAULT_REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference.docx"

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
_LOGO_HEIGHT_MM = 12
_TLP_COLORS = {"TLP:RED": "FF2B2B", "TLP:AMBER": "FFC000", "TLP:AMBER+STRICT": "FFC000",
               "TLP:GREEN": "33FF00", "TLP:CLEAR": "FFFFFF"}

_RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_RT_ENDNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes"
_RT_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_RT_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
_CT_NUMBERING = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
_CT_NOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml"


def write(doc: o.Document, options: RenderOptions | None = None) -> bytes:
    """Render the tree as a .docx file and return its bytes (byte-identical for the same input)."""
    options = options or RenderOptions()
    word = _open_reference(options.reference_docx)
    return _Writer(word, doc, options).render()


def _open_reference(path: Path | None):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from briefgen.limits import check_zip

    ref = Path(path) if path else DEFAULT_REFERENCE
    check_zip(ref, "reference document")
    try:
        return docx.Document(str(ref))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"reference document {ref} is not a readable .docx file ({exc})") from None


class _Writer:
    """Renders one Document into one python-docx document opened from the reference file."""

    def __init__(self, word, doc: o.Document, options: RenderOptions):
        self.word = word
        self.doc = o.Document(_clean_meta(doc.meta), doc.blocks)
        self.options = options
        self.doc_part = word.part
        self.body = word.element.body
        self.styles_el = word.styles.element
        self.style_ids: dict[str, str] = {}
        self.note_count = 0
        self.bookmarks = 0
        self.bookmark_names: set[str] = set()
        self.link_ids: dict[tuple[int, str], str] = {}
        self.bullet_num: int | None = None

    # ------------------------------------------------------------------ steps

    def render(self) -> bytes:
        """Numbered steps: styles, parts, body, page setup, furniture, properties, deterministic zip."""
        # 1. every style the writer names exists (copied from the default reference when missing)
        self._resolve_styles()
        x.set_default_language(self.styles_el, self.doc.meta.language or "en")
        self._style_colors()
        # 2. a fresh notes part (footnotes, or endnotes when asked) with separators -1/0, and settings
        self._notes_part()
        # 3. list definitions
        numbering = self._numbering_root()
        self.abstract_bullet, self.abstract_ordered = x.add_list_definitions(numbering)
        self.numbering = numbering
        # 4. page size and margins (reference document unless the options say otherwise)
        section = self.word.sections[-1]
        self._page_setup(section)
        self.text_width = _text_width_twips(section)
        # 5. the body
        x.clear_body(self.body)
        add = x.block_appender(self.body)
        if self.options.logo is not None:  # the logo opens the first page, as in the PDF
            add(self._logo(Path(self.options.logo)))
        for block in self.doc.blocks:
            for el in self._block(block, self.doc_part, 0):
                add(el)
        # 6. headers and footers, document properties
        for sec in self.word.sections:
            self._furniture(sec)
        self._core_properties()
        # 7. save with fixed timestamps so equal input gives equal bytes
        return save_deterministic(self.word, self.doc.meta.date)

    def _resolve_styles(self) -> None:
        index = x.style_index(self.styles_el)
        default_styles = None
        for name, _kind in REQUIRED_STYLES:
            found = index.get(name.casefold())
            if found is None:
                if default_styles is None:
                    default_styles = _open_reference(None).styles.element
                sid = x.copy_style(self.styles_el, default_styles, name)
                index = x.style_index(self.styles_el)
                found = index.get(name.casefold()) if sid else None
            self.style_ids[name] = found[0] if found else ""

    def _style_colors(self) -> None:
        """Give the named styles the template's colours (heading, text, link), through python-docx's style objects."""
        from docx.shared import RGBColor

        wanted: dict[str, str] = {}
        for role, names in _COLOR_STYLES.items():
            value = x.hex_color((self.options.colors or {}).get(role))
            if value:
                wanted.update({self.style_ids[name]: value for name in names if self.style_ids.get(name)})
        if not wanted:
            return
        for style in self.word.styles:
            if style.style_id in wanted:
                style.font.color.rgb = RGBColor.from_string(wanted[style.style_id])

    def _logo(self, path: Path):
        """A paragraph holding the logo image, 12 mm high."""
        from docx.shared import Mm

        if not path.is_file():
            raise InputError(f"logo file not found: {path}")
        try:
            inline = self.doc_part.new_pic_inline(str(path), height=Mm(_LOGO_HEIGHT_MM))
        except Exception as exc:  # python-docx raises several kinds for damaged or unknown images
            raise InputError(f"logo {path} is not a readable PNG or JPEG image ({type(exc).__name__})") from None
        return x.picture_paragraph(self.sid("Normal"), inline)

    def sid(self, name: str) -> str | None:
        """The style id of a style name in this document."""
        return self.style_ids.get(name) or None

    def _notes_part(self) -> None:
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart

        self.note_kind = "endnote" if self.options.notes == "endnotes" else "footnote"
        rels = self.doc_part.rels
        for rid, rel in list(rels.items()):  # a reference document's own notes are sample content
            if rel.reltype in (_RT_FOOTNOTES, _RT_ENDNOTES):
                del rels[rid]
                rels._target_parts_by_rId.pop(rid, None)
        kind = self.note_kind
        self.notes_root = x.notes_root(kind)
        self.notes_part = XmlPart(PackURI(f"/word/{kind}s.xml"), _CT_NOTES.format(kind=kind), self.notes_root,
                                  self.doc_part.package)
        self.doc_part.relate_to(self.notes_part, _RT_FOOTNOTES if kind == "footnote" else _RT_ENDNOTES)
        x.set_note_settings(self.word.settings.element, footnotes=kind == "footnote", endnotes=kind == "endnote")

    def _numbering_root(self):
        """The numbering part's root, creating the part when the reference document has none."""
        try:
            return self.doc_part.part_related_by(_RT_NUMBERING).element
        except KeyError:
            from docx.opc.packuri import PackURI
            from docx.opc.part import XmlPart

            root = x.numbering_root()
            part = XmlPart(PackURI("/word/numbering.xml"), _CT_NUMBERING, root, self.doc_part.package)
            self.doc_part.relate_to(part, _RT_NUMBERING)
            return root

    def _page_setup(self, section) -> None:
        from docx.shared import Twips

        size = (self.options.page_size or "").lower()
        if size in _PAGE_SIZES_TWIPS:
            w, h = _PAGE_SIZES_TWIPS[size]
            section.page_width, section.page_height = Twips(w), Twips(h)
        if self.options.margins_mm:
            from docx.shared import Mm

            top, right, bottom, left = self.options.margins_mm
            section.top_margin, section.right_margin = Mm(top), Mm(right)
            section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)

    # ------------------------------------------------------------------ blocks

    def _block(self, block: o.Block, part, depth: int):
        """The w: elements for one block (a list: tables bring a caption paragraph)."""
        if isinstance(block, o.Heading):
            level = min(max(block.level, 1), 3)
            p = x.paragraph(self.sid(f"Heading {level}"), keep_next=True)
            self._inlines(p, block.children, part, x.RunFormat())
            if block.anchor:
                self._bookmark(p, block.anchor)
            return [p]
        if isinstance(block, o.Para):
            style = _ROLE_STYLES.get(block.role)
            if style is None:
                raise ValueError(f"the Word writer has no style for paragraph role {block.role!r}")
            p = x.paragraph(self.sid(style))
            self._inlines(p, block.children, part, x.RunFormat())
            return [p]
        if isinstance(block, o.BulletList):
            return self._list(block, part, depth)
        if isinstance(block, o.Table):
            return self._table(block, part)
        if isinstance(block, o.PageBreak):
            return [x.page_break()]
        raise TypeError(f"the Word writer cannot render a {type(block).__name__} block")

    def _list(self, block: o.BulletList, part, depth: int):
        if block.ordered:
            num_id = x.add_num(self.numbering, self.abstract_ordered, restart=True)
        else:
            if self.bullet_num is None:
                self.bullet_num = x.add_num(self.numbering, self.abstract_bullet, restart=False)
            num_id = self.bullet_num
        level = min(depth, 8)
        out = []
        for item in block.items:
            first = True
            for sub_block in item:
                if isinstance(sub_block, o.Para) and first:
                    p = x.paragraph(self.sid("Compact"), num=(num_id, level))
                    self._inlines(p, sub_block.children, part, x.RunFormat())
                    out.append(p)
                elif isinstance(sub_block, o.Para):
                    p = x.paragraph(self.sid("Compact"), indent_twips=x.list_indent(level))
                    self._inlines(p, sub_block.children, part, x.RunFormat())
                    out.append(p)
                else:
                    out += self._block(sub_block, part, depth + 1)
                first = False
        return out

    def _table(self, table: o.Table, part):
        out = []
        if table.caption:
            cap = x.paragraph(self.sid("Table Caption"), keep_next=True)
            self._inlines(cap, table.caption, part, x.RunFormat())
            out.append(cap)
        n_cols = max((len(r) for r in [*table.header, *table.rows]), default=1)
        widths = list(table.widths or [])
        widths = (widths + [1.0] * n_cols)[:n_cols]
        total = sum(w for w in widths if w > 0) or n_cols
        grid = [max(int(self.text_width * (w if w > 0 else 1) / total), 200) for w in widths]
        tbl = x.table(self.sid("Table"), grid)
        heat = table.kind == "heatmap"
        for rows, header in ((table.header, True), (table.rows, False)):
            for row in rows:
                tr = x.table_row(tbl, header=header, min_height_twips=480 if heat and not header else None)
                for i in range(n_cols):
                    cell = row[i] if i < len(row) else o.Cell([])
                    tc = x.table_cell(tr, grid[i], cell.fill, center=heat)
                    fmt = x.RunFormat(bold=header, color=cell.color)
                    paras = 0
                    for blk in cell.blocks:
                        if isinstance(blk, o.Para):
                            p = x.paragraph(self.sid("Table Text") if blk.role == "body" else
                                            self.sid(_ROLE_STYLES.get(blk.role, "Table Text")), align=cell.align)
                            self._inlines(p, blk.children, part, fmt)
                            tc.append(p)
                            paras += 1
                        else:
                            for el in self._block(blk, part, 0):
                                tc.append(el)
                    if not paras or tc[-1].tag != x._P:  # a cell ends with a paragraph
                        tc.append(x.paragraph(self.sid("Table Text"), align=cell.align))
        out.append(tbl)
        return out

    def _bookmark(self, p, anchor: str) -> None:
        name = re.sub(r"[^A-Za-z0-9_]", "_", anchor)[:36]
        if not name[:1].isalpha():
            name = "h_" + name
        base, n = name, 1
        while name in self.bookmark_names:
            n += 1
            name = f"{base[:33]}_{n}"
        self.bookmark_names.add(name)
        self.bookmarks += 1
        x.bookmark(p, self.bookmarks, name)

    # ------------------------------------------------------------------ inlines

    def _inlines(self, parent, inlines: list[o.Inline], part, fmt: x.RunFormat, in_note: bool = False) -> None:
        for node in inlines:
            if isinstance(node, o.Text):
                if node.text:
                    x.run(parent, node.text, fmt)
            elif isinstance(node, o.Strong):
                self._inlines(parent, node.children, part, _with(fmt, bold=True), in_note)
            elif isinstance(node, o.Emph):
                self._inlines(parent, node.children, part, _with(fmt, italic=True), in_note)
            elif isinstance(node, o.Colored):
                self._inlines(parent, node.children, part, _with(fmt, color=node.color), in_note)
            elif isinstance(node, o.Link):
                h = x.hyperlink(parent, self._link_rel(part, node.url))
                self._inlines(h, node.children, part, _with(fmt, style=self.sid("Hyperlink")), in_note)
            elif isinstance(node, o.Note):
                if in_note:
                    raise ValueError("a note cannot contain another note")
                if parent.tag == x.qn("w:hyperlink"):
                    parent = parent.getparent()
                self._note(parent, node)
            else:
                raise TypeError(f"the Word writer cannot render a {type(node).__name__} inline")

    def _link_rel(self, part, url: str) -> str:
        key = (id(part), url)
        rid = self.link_ids.get(key)
        if rid is None:
            rid = part.relate_to(clean(url, "link address"), _RT_HYPERLINK, is_external=True)
            self.link_ids[key] = rid
        return rid

    def _note(self, parent, note: o.Note) -> None:
        """The reference run here, and the note itself (numbered in reading order) in the notes part."""
        self.note_count += 1
        kind = self.note_kind
        label = "Footnote" if kind == "footnote" else "Endnote"
        ref_style = self.sid(f"{label} Reference") or ""
        x.note_reference(parent, self.note_count, ref_style, kind)
        fn = x.note(self.notes_root, self.note_count, kind)
        paragraphs = note.paragraphs or [[]]
        for i, para in enumerate(paragraphs):
            p = x.paragraph(self.sid(f"{label} Text"))
            if i == 0:
                x.note_mark(p, ref_style, kind)
            # links inside notes are related from the notes part, where Word looks them up
            self._inlines(p, para, self.notes_part, x.RunFormat(), in_note=True)
            fn.append(p)

    # ------------------------------------------------------------------ headers, footers, properties

    def _furniture(self, section) -> None:
        meta = self.doc.meta
        marking = "  ".join(v for v in (meta.banner, meta.tlp) if v)
        values = {"title": meta.title, "marking": marking, "date": meta.date, "author": meta.author}
        for kind in ("header", "footer"):
            parts = [getattr(section, kind)]
            if section.different_first_page_header_footer:
                parts.append(getattr(section, f"first_page_{kind}"))
            if self.word.settings.odd_and_even_pages_header_footer:  # else even pages lose the marking
                parts.append(getattr(section, f"even_page_{kind}"))
            for hf in parts:
                if hf.is_linked_to_previous:
                    hf.is_linked_to_previous = False  # creates an empty part of our own
                    self._our_furniture(hf._element, kind)
                else:
                    self._their_furniture(hf._element, kind, values, marking)

    def _their_furniture(self, el, kind: str, values: dict[str, str], marking: str) -> None:
        """Keep the reference document's header/footer; fill placeholders; never drop the marking."""
        x.replace_placeholders(el, values)
        if marking and marking not in x.text_of(el):
            self._marking_lines(el, kind)

    def _our_furniture(self, el, kind: str) -> None:
        meta = self.doc.meta
        x.clear_children(el)
        style = self.sid("Header" if kind == "header" else "Footer")
        if kind == "header":
            self._marking_lines(el, kind)
            text = meta.header
        else:
            text = meta.footer
        if text:
            p = x.paragraph(style, right_tab_twips=self.text_width)
            self._furniture_text(p, text)
            el.append(p)
        if kind == "footer":
            self._marking_lines(el, kind)
        if not len(el):
            el.append(x.paragraph(style))

    def _furniture_text(self, p, text: str) -> None:
        """Text with {page}/{pages} turned into PAGE/NUMPAGES fields."""
        for piece in re.split(r"(\{page\}|\{pages\})", text):
            if piece == "{page}":
                x.field(p, "PAGE", "1")
            elif piece == "{pages}":
                x.field(p, "NUMPAGES", "1")
            elif piece:
                x.run(p, piece)

    def _marking_lines(self, el, kind: str) -> None:
        """Banner centred; TLP label right-aligned, 12 pt, in its colour on black."""
        meta = self.doc.meta
        style = self.sid("Header" if kind == "header" else "Footer")
        if meta.banner:
            p = x.paragraph(style, align="center")
            x.run(p, meta.banner, x.RunFormat(bold=True, size_half_points=24))
            el.append(p)
        if meta.tlp:
            p = x.paragraph(style, align="right")
            color = _TLP_COLORS.get(meta.tlp, "FFFFFF")
            x.run(p, meta.tlp, x.RunFormat(bold=True, color=color, size_half_points=24, shading="000000"))
            el.append(p)

    def _core_properties(self) -> None:
        meta = self.doc.meta
        cp = self.word.core_properties
        cp.title = _prop(meta.title)
        cp.author = _prop(meta.author)
        cp.last_modified_by = _prop(meta.author)
        cp.subject = _prop(meta.subject)
        cp.keywords = _prop(", ".join(meta.keywords))
        cp.language = _prop(meta.language)
        cp.category = _prop("  ".join(v for v in (meta.banner, meta.tlp) if v))
        cp.comments = ""
        cp.revision = 1
        when = _doc_datetime(meta.date)
        cp.created = when
        cp.modified = when
        cp.last_printed = when


def _prop(value: str) -> str:
    """A core property value within python-docx's 255-character limit (longer text is shortened with '…')."""
    return value if len(value) <= 255 else value[:254] + "…"


def _text_width_twips(section) -> int:
    """Width between the margins; Word's defaults (Letter, 1-inch margins) stand in for missing values."""
    emu_per_twip = 635
    width = section.page_width if section.page_width is not None else 12240 * emu_per_twip
    left = section.left_margin if section.left_margin is not None else 1440 * emu_per_twip
    right = section.right_margin if section.right_margin is not None else 1440 * emu_per_twip
    return max(int((width - left - right) / emu_per_twip), 1440)


def _clean_meta(meta: o.DocMeta) -> o.DocMeta:
    """Document properties without characters XML cannot hold (they go into core.xml and headers)."""
    from dataclasses import replace

    values = {name: clean(getattr(meta, name), f"document {name}")
              for name in ("title", "author", "subject", "language", "date", "tlp", "banner", "header", "footer")}
    return replace(meta, keywords=[clean(k, "document keywords") for k in meta.keywords], **values)


def _with(fmt: x.RunFormat, **changes) -> x.RunFormat:
    from dataclasses import replace

    return replace(fmt, **changes)


def _doc_datetime(date: str) -> dt.datetime:
    """Midnight UTC of the document date (the zip and core-property timestamp)."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        day = dt.date(1980, 1, 1)
    return dt.datetime(max(day.year, 1980), day.month, day.day)


class _ZipSink:
    """Stands in for python-docx's zip writer: same members and order, fixed timestamps and attributes."""

    def __init__(self, zf: zipfile.ZipFile, stamp: tuple[int, ...]):
        self.zf, self.stamp = zf, stamp

    def write(self, pack_uri, blob: bytes) -> None:
        """Add one package member."""
        zi = zipfile.ZipInfo(pack_uri.membername, date_time=self.stamp)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.create_system = 0
        zi.external_attr = 0
        self.zf.writestr(zi, blob, compresslevel=6)


def save_deterministic(word, date: str) -> bytes:
    """Serialise a python-docx document the way ``save`` does, but reproducibly (no clock in the zip)."""
    from docx.opc.pkgwriter import PackageWriter

    package = word.part.package
    parts = list(package.iter_parts())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        sink = _ZipSink(zf, _doc_datetime(date).timetuple()[:6])
        PackageWriter._write_content_types_stream(sink, parts)
        PackageWriter._write_pkg_rels(sink, package.rels)
        PackageWriter._write_parts(sink, parts)
    return out.getvalue()
