"""OOXML vocabulary, once: namespaces, relationship types and content types of a Word package."""

from __future__ import annotations

# --------------------------------------------------------------------------- namespaces
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NSMAP = {
    "w": W_NS,
    "r": R_NS,
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
}
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"  # [Content_Types].xml
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"  # *.rels parts
# core properties (docProps/core.xml)
CP_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# --------------------------------------------------------------------------- relationship types
RT_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_FOOTNOTES, RT_ENDNOTES, RT_HYPERLINK = _RT + "footnotes", _RT + "endnotes", _RT + "hyperlink"
RT_NUMBERING, RT_STYLES, RT_SETTINGS, RT_IMAGE = _RT + "numbering", _RT + "styles", _RT + "settings", _RT + "image"
RT_HEADER, RT_FOOTER = _RT + "header", _RT + "footer"

# --------------------------------------------------------------------------- content types
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_XML = "application/xml"
CT_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml.{}+xml"  # .format(part kind)
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_MAIN_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CT_MAIN_TEMPLATE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
CT_MAIN_MACROS = ("application/vnd.ms-word.document.macroEnabled.main+xml",
                  "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")
