"""Reading source documents (.txt, .md, .html, .pdf, .docx) into text plus metadata, one reader per suffix."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable

from briefgen.brief.briefio import BriefFileError, load_yaml_text, read_brief_file
from briefgen.errors import InputError
from briefgen.fileio import ReadRefused, is_inside, read_capped
from briefgen.limits import MAX_SOURCE_BYTES

META_FILES = ("sources.yaml", "sources.yml")


@dataclass
class SourceDoc:
    """One source document: its article text, where that text came from, and what is known about it."""

    path: Path
    text: str
    body_start: int = 0  # offset of the article body (after front matter)
    meta: dict[str, Any] = field(default_factory=dict)
    pages: list[tuple[int, int]] = field(default_factory=list)  # (text offset, page number)
    native_text: bool = True  # True when `text` is exactly the file's own UTF-8 text

    @property
    def sha256(self) -> str:
        """The sha256 of the text as briefgen validates it (UTF-8)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def page_at(self, offset: int) -> int | None:
        """The page number holding a text offset (PDF sources), or None."""
        page = None
        for start, number in self.pages:
            if start > offset:
                break
            page = number
        return page


class SourceReadError(InputError):
    """A source file that cannot be read, naming the file."""

    def __init__(self, path: Path | str, reason: str):
        self.path = str(path)
        super().__init__(f"cannot read source {path}: {reason}")


# --------------------------------------------------------------------------- readers


def _raw(path: Path) -> bytes:
    try:
        return read_capped(path, MAX_SOURCE_BYTES)
    except ReadRefused as exc:
        reason = {"missing": "no such file", "folder": "is a folder, not a file",
                  "too_large": f"larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB"}.get(exc.kind, exc.detail)
        raise SourceReadError(path, reason) from None


def _decode(path: Path, raw: bytes) -> tuple[str, bool]:
    """Decode text; UTF-8 first (native), else Windows-1252 (the text is then copied as UTF-8)."""
    try:
        return raw.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), False
    except UnicodeDecodeError:
        raise SourceReadError(path, "is neither UTF-8 nor Windows-1252 text") from None


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def read_text_file(path: Path) -> SourceDoc:
    """Read a .txt or .md file; YAML front matter between `---` lines becomes metadata."""
    text, native = _decode(path, _raw(path))
    meta: dict[str, Any] = {}
    start = 0
    match = _FRONT.match(text)
    if match:
        try:
            data = load_yaml_text(match.group(1), path, first_line=text.count("\n", 0, match.start(1)) + 1)
        except BriefFileError as exc:
            if not exc.detail.startswith("is not valid YAML"):  # an alias bomb, a repeated key, ...
                raise SourceReadError(path, f"its front matter (line {exc.line}, column {exc.col}) "
                                            f"{exc.detail}") from None
            data = None  # not YAML after all: a rule line in the text
        if isinstance(data, dict):
            meta = {str(k).lower(): v for k, v in data.items()}
            start = match.end()
    return SourceDoc(path, text, start, meta, native_text=native)


class _HTMLText(HTMLParser):
    """Collect the article text of an HTML page, skipping scripts, navigation and page furniture."""

    SKIP = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg",
            "iframe", "button", "select", "template", "figure"}
    BLOCK = {"p", "div", "section", "article", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br",
             "blockquote", "tr", "td", "th", "pre", "main", "dd", "dt", "figcaption", "ul", "ol", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.meta: dict[str, str] = {}
        self.in_title = False
        self.title = ""
        self.in_article = 0
        self.article_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a tag: note metadata, start skipping page furniture, break lines at blocks."""
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("name") or a.get("property") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"])
            return
        if tag == "title":
            self.in_title = True
        role = a.get("role", "").lower()
        if tag in self.SKIP or role in {"navigation", "banner", "contentinfo", "complementary"}:
            if tag not in {"br"}:
                self.skip += 1
            return
        if tag in ("article", "main"):
            self.in_article += 1
        if tag in self.BLOCK:
            self._emit("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closing tag: a line break or a meta tag."""
        if tag == "br":
            self._emit("\n")
        elif tag == "meta":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        """Close a tag."""
        if tag == "title":
            self.in_title = False
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("article", "main"):
            self.in_article = max(0, self.in_article - 1)
        if tag in self.BLOCK:
            self._emit("\n")

    def handle_data(self, data: str) -> None:
        """Keep text outside skipped elements."""
        if self.in_title:
            self.title += data
            return
        if not self.skip:
            self._emit(data)

    def _emit(self, s: str) -> None:
        self.parts.append(s)
        if self.in_article:
            self.article_parts.append(s)

    def unknown_decl(self, data: str) -> None:  # CDATA and friends: ignored, never resolved
        """Ignore CDATA and other declarations."""
        return


def _tidy_lines(text: str) -> str:
    lines = [re.sub(r"[ \t\r\f\v]+", " ", ln).strip() for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip() + "\n"


def html_to_text(markup: str) -> tuple[str, dict[str, Any]]:
    """The article text of an HTML page and the metadata in its <meta> tags (no network, no entities)."""
    p = _HTMLText()
    try:
        p.feed(markup)
        p.close()
    except Exception:  # html.parser is lenient; anything else is a broken file, keep what was read
        pass
    body = "".join(p.article_parts) if "".join(p.article_parts).strip() else "".join(p.parts)
    text = _tidy_lines(html.unescape(body) if "&" in body else body)
    meta: dict[str, Any] = {}
    mm = p.meta
    title = mm.get("og:title") or mm.get("twitter:title") or p.title.strip()
    if title:
        meta["title"] = " ".join(title.split())
    author = mm.get("author") or mm.get("article:author") or mm.get("byl")
    if author and not author.startswith("http"):
        meta["authors"] = [a.strip() for a in re.split(r",| and ", author.removeprefix("By ")) if a.strip()]
    if mm.get("og:site_name"):
        meta["outlet"] = mm["og:site_name"].strip()
    date = mm.get("article:published_time") or mm.get("date") or mm.get("pubdate") or mm.get("dc.date")
    if date:
        meta["published"] = date[:10]
    url = mm.get("og:url")
    if url and re.match(r"^https?://\S+$", url):
        meta["url"] = url
    return text, meta


def read_html_file(path: Path) -> SourceDoc:
    """Read an HTML page's article text with the stdlib parser (no network, no external entities)."""
    raw = _raw(path)
    match = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", raw[:4096], re.I)
    text = None
    if match:
        try:
            text = raw.decode(match.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text, _ = _decode(path, raw)
    body, meta = html_to_text(text)
    if not body.strip():
        raise SourceReadError(path, "has no text")
    return SourceDoc(path, body, 0, meta, native_text=False)


def read_pdf_file(path: Path) -> SourceDoc:
    """Read a PDF's text layer page by page (needs the optional pypdf package)."""
    try:
        import pypdf
    except ImportError:
        raise SourceReadError(path, "reading PDF needs the optional package pypdf (pip install 'briefgen[pdf]')") from None
    data = _raw(path)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))  # the very bytes checked: nothing is opened twice
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = None
            if not opened:  # a password is needed to read it
                raise SourceReadError(path, "is encrypted (a password is needed to read it); "
                                            "save a copy without the password")
        chunks: list[str] = []
        pages: list[tuple[int, int]] = []
        offset = 0
        for number, page in enumerate(reader.pages, start=1):
            chunk = _tidy_lines(page.extract_text() or "")
            pages.append((offset, number))
            chunks.append(chunk)
            offset += len(chunk) + 1
        text = "\n".join(chunks)
        info = reader.metadata or {}
    except SourceReadError:
        raise
    except Exception as exc:
        raise SourceReadError(path, f"is not a readable PDF ({type(exc).__name__})") from None
    if not text.strip():
        raise SourceReadError(path, "has no text layer (scanned image?)")
    meta: dict[str, Any] = {}
    if info.get("/Title"):
        meta["title"] = str(info["/Title"]).strip()
    if info.get("/Author"):
        meta["authors"] = [str(info["/Author"]).strip()]
    return SourceDoc(path, text, 0, meta, pages, native_text=False)


def read_docx_file(path: Path) -> SourceDoc:
    """Read a Word document's paragraphs (and table cells) as text, with its core properties."""
    import docx

    from briefgen.limits import ZipRefused, check_zip

    data = _raw(path)
    try:
        check_zip(path, "source")  # a .docx is a zip: refuse bombs before inflating anything
    except ZipRefused as exc:
        raise SourceReadError(path, exc.reason) from None
    try:
        doc = docx.Document(io.BytesIO(data))
        paras = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            for row in table.rows:
                paras.append(" | ".join(c.text for c in row.cells))
        props = doc.core_properties
    except Exception as exc:
        raise SourceReadError(path, f"is not a readable Word document ({type(exc).__name__})") from None
    text = _tidy_lines("\n".join(paras))
    if not text.strip():
        raise SourceReadError(path, "has no text")
    meta: dict[str, Any] = {}
    if props.title:
        meta["title"] = props.title.strip()
    if props.author:
        meta["authors"] = [props.author.strip()]
    return SourceDoc(path, text, 0, meta, native_text=False)


READERS: dict[str, Callable[[Path], SourceDoc]] = {
    ".txt": read_text_file,
    ".md": read_text_file,
    ".markdown": read_text_file,
    ".html": read_html_file,
    ".htm": read_html_file,
    ".pdf": read_pdf_file,
    ".docx": read_docx_file,
}
# the files a folder of sources expands to: exactly those a reader is registered for
SUFFIXES: tuple[str, ...] = tuple(READERS)


def read_source(path: Path | str) -> SourceDoc:
    """Read one source file with the reader for its suffix; raise SourceReadError naming the file."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise SourceReadError(path, f"unsupported file type '{path.suffix}' (use {', '.join(SUFFIXES)})")
    doc = reader(path)
    if not doc.text[doc.body_start:].strip():
        raise SourceReadError(path, "is empty")
    return doc


def expand_paths(paths: list[Path | str], skipped: list[Path] | None = None) -> list[Path]:
    """Files named directly, plus the readable files inside named folders (sorted, not recursive into hidden).

    Inside a folder, files briefgen built (listed by a build manifest beside them) are never sources:
    they are left out, and appended to ``skipped`` when a list is given.
    """
    from briefgen.outputs import own_outputs

    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(q for q in p.rglob("*")
                           if q.is_file() and q.suffix.lower() in SUFFIXES
                           and not any(part.startswith(".") for part in q.relative_to(p).parts))
            built: set[Path] = set()
            for folder in sorted({q.parent for q in found}):
                built |= own_outputs(folder)
            if built:
                if skipped is not None:
                    skipped.extend(q for q in found if q.resolve() in built)
                found = [q for q in found if q.resolve() not in built]
            if not found:
                raise InputError(f"no source files ({', '.join(SUFFIXES)}) in folder {p}")
            for q in found:  # a folder received from someone else reads nothing outside itself
                if not is_inside(q, p):
                    raise InputError(f"{q} is a symbolic link that leads outside the folder {p}; refusing "
                                     "to read it (copy the file into the folder, or name it on the "
                                     "command line)")
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise SourceReadError(p, "no such file")
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def sidecar_metadata(files: list[Path]) -> dict[Path, dict[str, Any]]:
    """Metadata from `sources.yaml` files beside the sources, keyed by resolved source path."""
    out: dict[Path, dict[str, Any]] = {}
    for folder in sorted({f.resolve().parent for f in files}):
        for name in META_FILES:
            meta_path = folder / name
            if not meta_path.is_file():
                continue
            if not is_inside(meta_path, folder):
                raise InputError(f"{meta_path} is a symbolic link that leads outside its folder; refusing to read it")
            try:
                data = read_brief_file(meta_path).data
            except BriefFileError as exc:
                if exc.detail == "is empty":
                    continue
                raise InputError(f"cannot read {exc}") from None
            entries: list[tuple[str, Any]] = []
            if isinstance(data, dict):
                data = data.get("sources", data)
            if isinstance(data, dict):
                entries = [(str(k), v) for k, v in data.items()]
            elif isinstance(data, list):
                entries = [(str(e.get("file") or e.get("path") or ""), e) for e in data if isinstance(e, dict)]
            for fname, entry in entries:
                if fname and isinstance(entry, dict):
                    out[(folder / fname).resolve()] = {str(k).lower(): v for k, v in entry.items()
                                                       if k not in ("file", "path")}
    return out


# --------------------------------------------------------------------------- metadata found in the text

_MONTHS = {month: i for i, month in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_MON = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE_PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), lambda match: (int(match[1]), int(match[2]), int(match[3]))),
    (re.compile(_MON + r"\s+(\d{1,2}),?\s+(\d{4})\b"), lambda match: (int(match[3]), _MONTHS[match[1].lower()], int(match[2]))),
    (re.compile(r"\b(\d{1,2})\s+" + _MON + r",?\s+(\d{4})\b"), lambda match: (int(match[3]), _MONTHS[match[2].lower()], int(match[1]))),
]
_BYLINE = re.compile(r"^\s*(?:By|BY|Written by|Author:)\s+([A-Z][\w.'’\-]+(?:\s+[A-Z][\w.'’\-]+){0,3}"
                     r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’\-]+(?:\s+[A-Z][\w.'’\-]+){0,3})*)\s*$", re.M)
_CAPS_NAME = re.compile(r"^\s*([A-Z][A-Z'’\-]+(?:\s+[A-Z][A-Z'’\-]+){1,2})\s*$")
_OUTLET = re.compile(r"\b([A-Z][\w-]*\.(?:[A-Za-z]{2,4}))\b(?=\s+reports|\s+reported|[\s,]*$)|"
                     r"\b(?:quoted by|reports|reported by|according to)\s+[\"“]?([A-Z][\w-]*\.[a-z]{2,4})\b")
_WIRE = re.compile(r"\breports?\s+[\"“]([A-Z][\w ]{1,30}?)[\"”]|\(([A-Z][A-Za-z]+)\)\s*[-–—]")


def _valid_date(y: int, mo: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def detect_metadata(text: str, path: Path) -> dict[str, Any]:
    """Metadata that is really written in the text (date line, byline, outlet), never guessed."""
    meta: dict[str, Any] = {}
    lines = [ln.strip() for ln in text.splitlines()]
    nonempty = [ln for ln in lines if ln]
    head = "\n".join(nonempty[:6])
    # 1. date: a date near the top, else in the file name
    for source in (head[:400], path.stem):
        for rx, parts in _DATE_PATTERNS:
            match = rx.search(source)
            if match and (d := _valid_date(*parts(match))):
                meta["published"] = d
                break
        if "published" in meta:
            break
    # 2. byline: "By Name" anywhere on its own line, or a capitalised name alone near the top
    match = _BYLINE.search(text)
    if match:
        meta["authors"] = [a.strip() for a in re.split(r",|\band\b|&", match.group(1)) if a.strip()]
    else:
        for ln in nonempty[:5]:
            c = _CAPS_NAME.match(ln)
            if c and not any(ch.isdigit() for ch in ln):
                meta["authors"] = [" ".join(w.capitalize() for w in c.group(1).split())]
                break
    # 3. title: a headline-like first line (short, no final full stop)
    for ln in nonempty[:3]:
        if any(rx.fullmatch(ln.strip(" ,")) for rx, _ in _DATE_PATTERNS) or re.fullmatch(
                r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+.*\d{4}", ln):
            continue
        words = ln.split()
        if 3 <= len(words) <= 25 and not ln.endswith((".", ",", ":", ";")) and ln[0].isupper():
            meta["title"] = ln
        break
    # 4. outlet and the wire it carries, only when named in the text
    match = re.search(r"\b(?:quoted by|reprinted by|via)\s+([A-Z][\w-]*(?:\.[A-Za-z]{2,4})+)", text)
    m2 = re.search(r"\b([A-Z][\w-]*(?:\.[A-Za-z]{2,4})+)\s+reports\b", text)
    if match:
        meta["outlet"] = match.group(1)
    elif m2:
        meta["outlet"] = m2.group(1)
    w = _WIRE.search(text)
    if w:
        meta["derived_from"] = (w.group(1) or w.group(2)).strip()
    return meta


def title_from_filename(path: Path) -> str:
    """A readable title made from the file name (used only when the text has none)."""
    stem = re.sub(r"^\d{4}-\d{2}-\d{2}[-_ ]*", "", path.stem)
    words = re.split(r"[-_\s]+", stem)
    text = " ".join(w for w in words if w)
    return (text[:1].upper() + text[1:]) if text else path.name


def coerce_date(value: Any) -> dt.date | None:
    """A date from front matter or sources.yaml (date, datetime or ISO text), or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for rx, parts in _DATE_PATTERNS:
            match = rx.search(value)
            if match and (d := _valid_date(*parts(match))):
                return d
    return None


def source_row(sid: str, doc: SourceDoc, meta: dict[str, Any], path: str | None = None) -> dict[str, Any]:
    """A drafted brief's entry for one source: its metadata as found, its path and digest."""
    row: dict[str, Any] = {"id": sid, "title": str(meta.get("title") or title_from_filename(doc.path))}
    if not meta.get("title"):
        row["title_from_file_name"] = True  # notes then describe the source instead of quoting this
    authors = meta.get("authors") or meta.get("author")
    if isinstance(authors, str):
        authors = [authors]
    if authors:
        row["authors"] = [str(x) for x in authors]
    for k in ("outlet", "publisher", "derived_from"):
        if meta.get(k):
            row[k] = str(meta[k])
    pub = coerce_date(meta.get("published") or meta.get("date"))
    if pub:
        row["published"] = pub.isoformat()
    if isinstance(meta.get("url"), str) and re.match(r"^https?://\S+$", meta["url"]):
        row["url"] = meta["url"]
    row["path"] = path or doc.path.as_posix()
    row["sha256"] = doc.sha256
    return row
