"""Making a reference document safe to copy into every output: no external links, no macros, no embedded code.

A reference document (or a template's reference.docx) often comes from someone else, and the Word
writer carries its parts into every brief it renders. Styles, numbering, page set-up, headers and
footers are what it is for; links to other files or servers (a remote attached template, linked
images, ``file:`` URLs), macros and embedded objects are not, and are removed here.
"""

from __future__ import annotations

import re

from lxml import etree

from briefgen.writers.docx import opc
from briefgen.writers.docx.vocabulary import R_NS, RT_OFFICE_DOCUMENT, W_NS

# Relationship types (their last path segment, any namespace) that carry code or objects to run.
_ACTIVE_RELS = {"vbaProject", "vbaProjectSignature", "wordVbaData", "vbaProjectSignatureAgile",
                "vbaProjectSignatureV3", "keyMapCustomizations", "attachedToolbars", "oleObject", "package",
                "control", "activeXControlBinary"}
_ACTIVE_TYPES = ("vbaproject", "vbadata", "activex", "oleobject", "macro", "keymapcustomizations",
                 "attachedtoolbars")
# Elements that exist only to point at what a removed relationship named: removed with it.
_LINK_ELEMENTS = {f"{{{W_NS}}}{name}" for name in ("attachedTemplate", "subDoc", "altChunk", "dataSource",
                                                   "headerSource", "control", "sourceFileName")} | {
    "{urn:schemas-microsoft-com:office:office}OLEObject"}
# Fields that fetch other files or servers when Word updates them.
_FETCHING_FIELDS = {"INCLUDEPICTURE", "INCLUDETEXT", "LINK", "DDE", "DDEAUTO", "IMPORT", "DATABASE"}
_INSTR = f"{{{W_NS}}}instrText"
_FLD_SIMPLE = f"{{{W_NS}}}fldSimple"
_W_INSTR = f"{{{W_NS}}}instr"


def _kind(reltype: str) -> str:
    return reltype.rstrip("/").rsplit("/", 1)[-1]


def _is_active(rel: opc.Rel, package: opc.Package) -> bool:
    if _kind(rel.reltype) in _ACTIVE_RELS:
        return True
    part = package.parts.get(rel.target)
    return part is not None and any(word in part.content_type.lower() for word in _ACTIVE_TYPES)


def sanitise(package: opc.Package) -> list[str]:
    """Remove external relationships, macros, embedded objects and fetching fields; describe each removal.

    Elements that named a removed relationship (``w:attachedTemplate``, a linked image's ``r:link``…)
    go too, so that Word finds no dangling reference. Returns one short description per removal.
    """
    removed: list[str] = []
    main = package.related(package.root, RT_OFFICE_DOCUMENT)
    for source in (package.root, *list(package.parts.values())):
        dropped: set[str] = set()
        kept = []
        for rel in source.rels:
            if rel.external:
                # the main document's own hyperlinks belong to its sample text, which is never kept
                if not (source is main and _kind(rel.reltype) == "hyperlink"):
                    removed.append(f"external link ({_kind(rel.reltype)}) to {rel.target}")
                dropped.add(rel.rid)
            elif _is_active(rel, package):
                removed.append(f"macros or embedded object {rel.target.lstrip('/')}")
                dropped.add(rel.rid)
            else:
                kept.append(rel)
        source.rels = kept
        if source is package.root or not source.content_type.endswith("xml"):
            continue
        if dropped or _might_fetch(source):
            _drop_references(source.element, dropped, removed, source.name)
    for name in [n for n, p in package.parts.items() if any(w in p.content_type.lower() for w in _ACTIVE_TYPES)]:
        del package.parts[name]  # unreachable now; never saved, but not kept in memory either
    return list(dict.fromkeys(removed))


_FETCHING = re.compile(rb"(?i)instr(?:Text[^>]*>|=[\"'])\s*(?:" + "|".join(sorted(_FETCHING_FIELDS)).encode()
                       + rb")\b")


def _might_fetch(part: opc.Part) -> bool:
    """Whether a part may hold a fetching field (looked for in the bytes, so clean parts stay unparsed)."""
    blob = part.blob if part.xml is None else etree.tostring(part.xml)
    return bool(_FETCHING.search(blob))


def _drop_references(root: etree._Element, dropped: set[str], removed: list[str], part_name: str) -> None:
    """Remove what pointed at dropped relationships, and blank fields that fetch other files."""
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in [a for a in el.attrib if a.startswith(f"{{{R_NS}}}") and el.attrib[a] in dropped]:
            if el.tag in _LINK_ELEMENTS:
                doomed.append(el)
                break
            del el.attrib[attr]
        if el.tag == _INSTR and _fetches(el.text or ""):
            removed.append(f"field {(el.text or '').split()[0].upper()} in {part_name.lstrip('/')}")
            el.text = ""
        elif el.tag == _FLD_SIMPLE and _fetches(el.get(_W_INSTR, "")):
            removed.append(f"field {el.get(_W_INSTR, '').split()[0].upper()} in {part_name.lstrip('/')}")
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)


def _fetches(instruction: str) -> bool:
    words = instruction.split()
    return bool(words) and words[0].upper() in _FETCHING_FIELDS
