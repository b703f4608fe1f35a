"""A small Open Packaging Conventions reader and writer: the zip, parts, content types and relationships
of a .docx, and nothing of WordprocessingML itself.

The Word writer opens the reference document with it, edits a few parts as lxml trees, adds its own
parts and saves. Saving writes only the parts reachable from the package relationships (so a part
whose relationship was removed disappears), with content types listed for exactly those parts, and
fixed zip timestamps so that equal input gives equal bytes.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import unquote

from lxml import etree

from briefgen.writers.docx.vocabulary import CT_NS, CT_RELS, CT_XML, RELS_NS, RT_CORE, RT_OFFICE_DOCUMENT

XML_HEADER = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"

# Extensions whose usual content type is listed once as a Default rather than per part.
_DEFAULT_TYPES = {
    ("rels", CT_RELS), ("xml", CT_XML), ("png", "image/png"), ("jpeg", "image/jpeg"), ("jpg", "image/jpeg"),
    ("jpe", "image/jpeg"), ("gif", "image/gif"), ("bmp", "image/bmp"), ("tif", "image/tiff"),
    ("tiff", "image/tiff"), ("emf", "image/x-emf"), ("wmf", "image/x-wmf"),
}
# Entity expansion and network access are off: a reference document is untrusted input.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True, huge_tree=False)


class PackageError(ValueError):
    """The file is not a readable OPC package (missing member, malformed XML, broken structure)."""


def parse_xml(blob: bytes) -> etree._Element:
    """Parse one XML part safely; PackageError when it is not well-formed."""
    try:
        return etree.fromstring(blob, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise PackageError(f"malformed XML: {exc}") from None


def serialize(root: etree._Element) -> bytes:
    """An XML part as stored: declaration with standalone='yes', UTF-8, no pretty printing."""
    return XML_HEADER + etree.tostring(root, encoding="UTF-8")


@dataclass
class Rel:
    """One relationship: id, type, and either a part name (internal) or a URL (external)."""

    rid: str
    reltype: str
    target: str
    external: bool = False
    ref: str = ""  # the Target attribute as written (internal targets are written relative)


@dataclass
class Part:
    """One part: its name ('/word/document.xml'), content type, and blob or parsed XML tree."""

    name: str
    content_type: str
    blob: bytes = b""
    xml: etree._Element | None = None
    rels: list[Rel] = field(default_factory=list)
    _floor: int = 1

    @property
    def element(self) -> etree._Element:
        """The part's XML tree, parsed on first use (from then on the tree is what gets saved)."""
        if self.xml is None:
            self.xml = parse_xml(self.blob)
        return self.xml

    def data(self) -> bytes:
        """The bytes to store: the tree when it was parsed or set, otherwise the original blob."""
        return serialize(self.xml) if self.xml is not None else self.blob

    def rel_by_type(self, reltype: str) -> Rel | None:
        """The first relationship of a type."""
        return next((r for r in self.rels if r.reltype == reltype), None)

    def rel_by_id(self, rid: str) -> Rel | None:
        """The relationship with an id."""
        return next((r for r in self.rels if r.rid == rid), None)

    def drop_rels(self, *reltypes: str) -> None:
        """Remove every relationship of the given types."""
        self.rels = [r for r in self.rels if r.reltype not in reltypes]
        self._floor = 1

    def relate(self, target: str, reltype: str, *, external: bool = False) -> str:
        """Add a relationship to a part name or URL; return its new id (the lowest free rIdN)."""
        used = {r.rid for r in self.rels}
        n = self._floor
        while f"rId{n}" in used:
            n += 1
        self._floor = n + 1
        rid = f"rId{n}"
        ref = target if external else _relative_ref(self.name, target)
        self.rels.append(Rel(rid, reltype, target, external, ref))
        return rid


class Package:
    """An OPC package in memory: parts by name plus the package-level relationships."""

    def __init__(self) -> None:
        self.parts: dict[str, Part] = {}
        self.root = Part("/", "")  # holds the package relationships (_rels/.rels)

    # ------------------------------------------------------------------ reading

    @classmethod
    def read(cls, path: Path | IO[bytes]) -> Package:
        """Load a package from a file (a path or an open binary file); PackageError (or OSError) when it is not one."""
        try:
            with zipfile.ZipFile(path) as zf:
                members = {_member_to_name(i.filename): zf.read(i) for i in zf.infolist() if not i.is_dir()}
        except zipfile.BadZipFile as exc:
            raise PackageError(f"not a zip file: {exc}") from None
        except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
            raise PackageError(str(exc)) from None
        types = members.get("/[Content_Types].xml")
        if types is None:
            raise PackageError("no [Content_Types].xml")
        defaults, overrides = _content_types(parse_xml(types))
        pkg = cls()
        pkg.root.rels = _read_rels(members, "/")
        todo = [pkg.root]
        while todo:  # load every part reachable through relationships
            source = todo.pop()
            for rel in source.rels:
                if rel.external or rel.target in pkg.parts:
                    continue
                blob = members.get(rel.target)
                if blob is None:
                    continue  # a dangling relationship: dropped below
                ext = rel.target.rsplit(".", 1)[-1].lower() if "." in posixpath.basename(rel.target) else ""
                ctype = overrides.get(rel.target.lower()) or defaults.get(ext)
                if ctype is None:
                    raise PackageError(f"no content type for {rel.target}")
                part = Part(rel.target, ctype, blob, rels=_read_rels(members, rel.target))
                pkg.parts[rel.target] = part
                todo.append(part)
        for source in (pkg.root, *pkg.parts.values()):  # readers fail on relationships to absent parts
            source.rels = [r for r in source.rels if r.external or r.target in pkg.parts]
        return pkg

    # ------------------------------------------------------------------ navigation and editing

    def related(self, source: Part, reltype: str) -> Part | None:
        """The part a source part relates to by type (the first such relationship), if present."""
        rel = source.rel_by_type(reltype)
        return None if rel is None or rel.external else self.parts.get(rel.target)

    def by_id(self, source: Part, rid: str) -> Part | None:
        """The part a relationship id of ``source`` points at, if present."""
        rel = source.rel_by_id(rid)
        return None if rel is None or rel.external else self.parts.get(rel.target)

    def add(self, source: Part, part: Part, reltype: str) -> str:
        """Add a new part related from ``source``; return the relationship id."""
        self.parts[part.name] = part
        return source.relate(part.name, reltype)

    def next_name(self, template: str) -> str:
        """The first free part name of a numbered template such as '/word/header%d.xml'."""
        taken = {name.lower() for name in self.parts}
        n = 1
        while (template % n).lower() in taken:
            n += 1
        return template % n

    # ------------------------------------------------------------------ writing

    def reachable(self) -> list[Part]:
        """Parts reachable from the package relationships, depth first in relationship order."""
        seen: dict[str, Part] = {}

        def walk(source: Part) -> None:
            for rel in source.rels:
                if rel.external or rel.target in seen or rel.target not in self.parts:
                    continue
                part = self.parts[rel.target]
                seen[rel.target] = part
                walk(part)

        walk(self.root)
        return list(seen.values())

    def save(self, stamp: tuple[int, int, int, int, int, int]) -> bytes:
        """The package as .docx bytes with every member dated ``stamp``."""
        parts = self.reachable()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:

            def put(name: str, blob: bytes) -> None:
                zi = zipfile.ZipInfo(name.lstrip("/"), date_time=stamp)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.create_system = 0
                zi.external_attr = 0
                zf.writestr(zi, blob, compresslevel=6)

            put("[Content_Types].xml", _content_types_xml(parts))
            put("_rels/.rels", _rels_xml(self.root.rels))
            for part in parts:
                put(part.name, part.data())
                if part.rels:
                    put(_rels_name(part.name), _rels_xml(part.rels))
        return out.getvalue()


# ---------------------------------------------------------------------------------- helpers


def _member_to_name(member: str) -> str:
    return "/" + unquote(member).lstrip("/")


def _rels_name(part_name: str) -> str:
    folder, base = posixpath.split(part_name)
    return posixpath.join(folder, "_rels", base + ".rels")


def _read_rels(members: dict[str, bytes], part_name: str) -> list[Rel]:
    blob = members.get("/_rels/.rels" if part_name == "/" else _rels_name(part_name))
    if blob is None:
        return []
    base = posixpath.dirname(part_name) if part_name != "/" else "/"
    out = []
    for el in parse_xml(blob):
        if el.tag != f"{{{RELS_NS}}}Relationship":
            continue
        rid, reltype, ref = el.get("Id"), el.get("Type"), el.get("Target")
        if not (rid and reltype and ref is not None):
            raise PackageError(f"a relationship of {part_name} lacks its Id, Type or Target")
        if el.get("TargetMode") == "External":
            out.append(Rel(rid, reltype, ref, True, ref))
        else:
            target = posixpath.normpath(posixpath.join(base, unquote(ref))) if not ref.startswith("/") else \
                posixpath.normpath(unquote(ref))
            out.append(Rel(rid, reltype, target, False, ref))
    return out


def _relative_ref(source_name: str, target: str) -> str:
    base = posixpath.dirname(source_name) if source_name != "/" else "/"
    return posixpath.relpath(target, base)


def _content_types(root: etree._Element) -> tuple[dict[str, str], dict[str, str]]:
    defaults, overrides = {}, {}
    for el in root:
        if el.tag == f"{{{CT_NS}}}Default" and el.get("Extension") and el.get("ContentType"):
            defaults[el.get("Extension").lower()] = el.get("ContentType")
        elif el.tag == f"{{{CT_NS}}}Override" and el.get("PartName") and el.get("ContentType"):
            overrides[unquote(el.get("PartName")).lower()] = el.get("ContentType")
    return defaults, overrides


def _content_types_xml(parts: list[Part]) -> bytes:
    defaults = {"rels": CT_RELS, "xml": CT_XML}
    overrides = {}
    for part in parts:
        ext = part.name.rsplit(".", 1)[-1].lower() if "." in posixpath.basename(part.name) else ""
        if (ext, part.content_type) in _DEFAULT_TYPES:
            defaults[ext] = part.content_type
        else:
            overrides[part.name] = part.content_type
    items = [f'<Default Extension="{_attr(e)}" ContentType="{_attr(defaults[e])}"/>' for e in sorted(defaults)]
    items += [f'<Override PartName="{_attr(n)}" ContentType="{_attr(overrides[n])}"/>' for n in sorted(overrides)]
    return XML_HEADER + f'<Types xmlns="{CT_NS}">{"".join(items)}</Types>'.encode("utf-8")


def _rels_xml(rels: list[Rel]) -> bytes:
    items = []
    for r in rels:
        mode = ' TargetMode="External"' if r.external else ""
        items.append(f'<Relationship Id="{_attr(r.rid)}" Type="{_attr(r.reltype)}" Target="{_attr(r.ref)}"{mode}/>')
    return XML_HEADER + f'<Relationships xmlns="{RELS_NS}">{"".join(items)}</Relationships>'.encode("utf-8")


def _attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))
