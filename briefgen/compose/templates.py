"""Templates: a folder with ``template.toml``, a ``reference.docx`` and ``assets/``; built-ins ship inside."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from briefgen.errors import TemplateError
from briefgen.fileio import ReadRefused, check_regular, is_inside, read_capped
from briefgen.limits import MAX_ASSET_BYTES, MAX_TEMPLATE_BYTES, MAX_TEMPLATE_FILES, MAX_TOML_CHARS
from briefgen.compose.layout import (
    DEFAULT_LABELS,
    DEFAULT_STANCE_COLORS,
    LIMITED_SECTIONS,
    SECTION_KEYS,
    SECTION_VARIANTS,
    Layout,
    default_heading,
)

if TYPE_CHECKING:
    from briefgen.writers import RenderOptions

BUILTIN_DIR = Path(__file__).parent.parent / "templates"
DEFAULT_TEMPLATE = "policy-brief"
Color = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="'#RRGGBB'")]
PLACEHOLDERS = ("title", "date", "marking", "page", "pages", "organisation", "version", "status")
# Colours a template may set (the writers' colour roles).
COLOR_KEYS = ("heading", "accent", "rule", "link", "text", "muted", "zebra", "grid")
# Other names a template may use for a section key.
SECTION_ALIASES = {"title_block": "title"}


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageSpec(_Spec):
    """Page size and margins."""

    size: Literal["letter", "a4", "legal"] | None = Field(
        default=None, description="unset: Word takes the page of reference.docx, the PDF uses Letter")
    margins_mm: tuple[float, float, float, float] | None = Field(
        default=None, description="top, right, bottom, left; unset: Word takes them from reference.docx, "
                                  "the PDF uses 24/22/24/22 mm"
    )

    text_size_pt: float | None = Field(
        default=None, ge=6, le=14, description="PDF body text size (every style scales with it); "
                                               "Word takes sizes from reference.docx")

    @field_validator("margins_mm")
    @classmethod
    def _sane_margins(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        """Margins between 5 and 60 mm."""
        if value is not None and any(not 5 <= v <= 60 for v in value):
            raise ValueError("each margin must be between 5 and 60 mm")
        return value


class FontSpec(_Spec):
    """PDF fonts: TrueType files inside the template folder (all four faces, or none)."""

    regular: str
    bold: str
    italic: str
    bolditalic: str
    sans: str | None = Field(default=None, description="headings, tables, header and footer")
    sansbold: str | None = None


class SectionSpec(_Spec):
    """One section of the rendered brief: which, with which heading, and how many items."""

    key: str
    heading: str | None = None
    limit: int | None = Field(default=None, ge=1, strict=True, description="Show at most this many items.")
    variant: str = Field(default="full", description="How the section is drawn (see SECTION_VARIANTS).")

    @field_validator("key")
    @classmethod
    def _known_key(cls, value: str) -> str:
        """A section compose knows (title_block is another name for title)."""
        value = SECTION_ALIASES.get(value, value)
        if value not in SECTION_KEYS:
            raise ValueError(f"unknown section {value!r}; known sections: {', '.join(SECTION_KEYS)}")
        return value

    @field_validator("limit")
    @classmethod
    def _limit_allowed(cls, value: int | None, info: ValidationInfo) -> int | None:
        """Only sections with items take a limit."""
        key = info.data.get("key")
        if value is not None and key and key not in LIMITED_SECTIONS:
            raise ValueError(f"section {key!r} takes no limit; sections with limits: {', '.join(LIMITED_SECTIONS)}")
        return value

    @field_validator("variant")
    @classmethod
    def _variant_allowed(cls, value: str, info: ValidationInfo) -> str:
        """A variant the section has."""
        key = info.data.get("key")
        allowed = ("full", *SECTION_VARIANTS.get(key or "", {}))
        if key and value not in allowed:
            raise ValueError(f"section {key!r} has no variant {value!r}; choose from {', '.join(allowed)}")
        return value


class CitationSpec(_Spec):
    """How notes read."""

    style: Literal["full-then-short", "always-full"] = "full-then-short"
    quotes: bool = True
    notes: Literal["footnotes", "endnotes"] = "footnotes"
    max_note_chars: int = Field(default=120, ge=0, description=(
        "A note longer than this leaves its quoted words out (0: no limit); the evidence stays in the annex"))


def _only_known(value: dict[str, str], known: Any, message: str) -> dict[str, str]:
    """``value`` when all its keys are in ``known``; else a ValueError built from ``message``."""
    for key in value:
        if key not in known:
            raise ValueError(message.format(key=key, known=", ".join(known)))
    return value


class TemplateSpec(_Spec):
    """The content of ``template.toml``."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    description: str = ""
    page: PageSpec = Field(default_factory=PageSpec)
    fonts: FontSpec | None = None
    colors: dict[str, Color] = Field(default_factory=dict)
    stance_colors: dict[str, Color] = Field(default_factory=dict)
    logo: str | None = None
    header: str = "{title}"
    footer: str = "Page {page} of {pages}"
    citations: CitationSpec = Field(default_factory=CitationSpec)
    likelihood_words: Literal["term", "alternative"] = Field(
        default="term", description="ICD 203 column: 'likely' (term) or 'probable' (alternative)")
    labels: dict[str, str] = Field(default_factory=dict, description="Wording of labels, e.g. pros = 'Advantages'")
    sections: list[SectionSpec] = Field(min_length=1)

    @field_validator("colors")
    @classmethod
    def _known_colors(cls, value: dict[str, str]) -> dict[str, str]:
        """Only the colour roles the writers use."""
        return _only_known(value, COLOR_KEYS, "unknown colour {key!r}; use {known}")

    @field_validator("stance_colors")
    @classmethod
    def _known_stances(cls, value: dict[str, str]) -> dict[str, str]:
        """Only the stances a brief has."""
        return _only_known(value, DEFAULT_STANCE_COLORS, "unknown stance {key!r}; use {known}")

    @field_validator("labels")
    @classmethod
    def _known_labels(cls, value: dict[str, str]) -> dict[str, str]:
        """Only labels compose prints."""
        return _only_known(value, DEFAULT_LABELS, "unknown label {key!r}; known labels: {known}")

    @field_validator("sections")
    @classmethod
    def _each_section_once(cls, value: list[SectionSpec]) -> list[SectionSpec]:
        """A section appears at most once."""
        keys = [sec.key for sec in value]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"section(s) listed more than once: {', '.join(twice)}")
        return value

    @field_validator("header", "footer")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        """Only the documented placeholders may appear in header and footer text."""
        for name in re.findall(r"\{([^{}]*)\}", value):
            if name not in PLACEHOLDERS:
                raise ValueError(f"unknown placeholder {{{name}}}; use one of "
                                 + ", ".join("{" + p + "}" for p in PLACEHOLDERS))
        return value


class Template:
    """A loaded, validated template folder."""

    def __init__(self, folder: Path, spec: TemplateSpec):
        self.folder = folder
        self.spec = spec

    @property
    def name(self) -> str:
        """The template's name."""
        return self.spec.name

    @property
    def reference_docx(self) -> Path | None:
        """The folder's reference.docx, if it has one."""
        path = self.folder / "reference.docx"
        if not (path.exists() or path.is_symlink()):
            return None
        if not is_inside(path, self.folder):
            raise TemplateError(f"{path} is a symbolic link that leads outside the template folder; "
                                "refusing to read it")
        try:
            check_regular(path, MAX_ASSET_BYTES)
        except ReadRefused as exc:
            raise TemplateError(f"{path} {exc.reason}") from None
        return path

    def asset(self, relative: str, what: str) -> Path:
        """Resolve an asset path inside the folder; refuse escapes, name missing or unreadable files."""
        return resolve_asset(self.folder, relative, what)

    def to_layout(self) -> Layout:
        """The compose settings: sections, headings, limits, variants, notes, colours, labels, header, footer."""
        s = self.spec
        return Layout(
            sections=tuple((sec.key, default_heading(sec.key) if sec.heading is None else sec.heading)
                           for sec in s.sections),
            citation_style=s.citations.style,
            quotes_in_notes=s.citations.quotes,
            max_note_chars=s.citations.max_note_chars,
            stance_colors={**DEFAULT_STANCE_COLORS, **s.stance_colors},
            likelihood_column=s.likelihood_words,
            labels={**DEFAULT_LABELS, **s.labels},
            header=s.header,
            footer=s.footer,
            limits={sec.key: sec.limit for sec in s.sections if sec.limit is not None},
            variants={sec.key: sec.variant for sec in s.sections if sec.variant != "full"},
        )

    def to_render_options(self) -> RenderOptions:
        """The writer settings: reference.docx, page, margins, fonts, colours, logo, notes placement."""
        from briefgen.writers import RenderOptions

        s = self.spec
        fonts: dict[str, Path] = {}
        if s.fonts:
            for face in ("regular", "bold", "italic", "bolditalic", "sans", "sansbold"):
                relative = getattr(s.fonts, face)
                if relative:
                    fonts[face] = self.asset(relative, f"font ({face})")
        return RenderOptions(
            reference_docx=self.reference_docx,
            page_size=s.page.size,
            margins_mm=s.page.margins_mm,
            fonts=fonts,
            colors=dict(s.colors),
            logo=self.asset(s.logo, "logo") if s.logo else None,
            notes=s.citations.notes,
            text_size_pt=s.page.text_size_pt,
        )


def resolve_asset(folder: Path, relative: str, what: str) -> Path:
    """A file inside ``folder`` named by ``relative``; TemplateError if it escapes or is unusable."""
    root = folder.resolve()
    path = (root / relative).resolve()
    if Path(relative).is_absolute() or not path.is_relative_to(root):
        raise TemplateError(f"{folder / 'template.toml'}: {what} '{relative}' is outside the template folder")
    try:  # a pipe or device is refused before anything could block on it
        size = check_regular(path, MAX_ASSET_BYTES)
    except ReadRefused as exc:
        if exc.kind == "missing":
            raise TemplateError(f"{folder / 'template.toml'}: {what} '{relative}' not found in {folder}") from None
        if exc.kind == "too_large":
            raise TemplateError(f"{folder / 'template.toml'}: {what} '{relative}' is larger than "
                                f"{MAX_ASSET_BYTES // 2**20} MB") from None
        raise TemplateError(f"{folder / 'template.toml'}: {what} '{relative}' {exc.reason}") from None
    if not size:
        raise TemplateError(f"{folder / 'template.toml'}: {what} '{relative}' is empty")
    return path


def _key_lines(text: str) -> dict[str, int]:
    """Map dotted keys (``page.size``, ``sections[2].key``) to the line they are written on."""
    lines: dict[str, int] = {}
    table = ""
    counts: dict[str, int] = {}
    for no, raw in enumerate(text.split("\n"), start=1):  # TOML ends lines at LF (or CRLF) only
        raw = raw.removesuffix("\r")
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith(("'", '"')) else raw.strip()
        if match := re.match(r"^\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]$", line):
            name = match.group(1)
            counts[name] = counts.get(name, -1) + 1
            table = f"{name}[{counts[name]}]"
            lines.setdefault(table, no)
            lines.setdefault(name, no)
        elif match := re.match(r"^\[\s*([A-Za-z0-9_.-]+)\s*\]$", line):
            table = match.group(1)
            lines.setdefault(table, no)
        elif match := re.match(r"^([A-Za-z0-9_-]+)\s*=", line):
            key = f"{table}.{match.group(1)}" if table else match.group(1)
            lines.setdefault(key, no)
    return lines


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_template(folder: Path | str) -> Template:
    """Read and validate a template folder; TemplateError names the file, key and line."""
    folder = Path(folder)
    toml_path = folder / "template.toml"
    if not folder.is_dir():
        raise TemplateError(f"template folder not found: {folder}")
    if toml_path.is_symlink() and not is_inside(toml_path, folder):
        raise TemplateError(f"{toml_path}: is a symbolic link that leads outside the template folder; "
                            "refusing to read it")
    try:
        # four bytes per character at most: the character limit below decides
        text = read_capped(toml_path, 4 * MAX_TOML_CHARS).decode("utf-8")
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it: lines end in \n
    except ReadRefused as exc:
        if exc.kind == "missing":
            raise TemplateError(f"{toml_path}: not found (a template folder needs a template.toml)") from None
        if exc.kind == "too_large":
            raise TemplateError(f"{toml_path}: is larger than {MAX_TOML_CHARS // 1_000_000} MB; "
                                "a template.toml is a few kilobytes") from None
        raise TemplateError(f"{toml_path}: cannot be read as UTF-8 text: {exc.os_error or exc.reason}") from None
    except UnicodeDecodeError as exc:
        raise TemplateError(f"{toml_path}: cannot be read as UTF-8 text: {exc}") from None
    if len(text) > MAX_TOML_CHARS:
        raise TemplateError(f"{toml_path}: is larger than {MAX_TOML_CHARS // 1_000_000} MB; "
                            "a template.toml is a few kilobytes")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{toml_path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise TemplateError(f"{toml_path}: not valid TOML: arrays or tables nested too deeply") from None
    try:
        spec = TemplateSpec.model_validate(data)
    except ValidationError as exc:
        where = _key_lines(text)
        messages = []
        for err in exc.errors(include_url=False):
            key = _dotted(err["loc"])
            probe = err["loc"]
            line = None
            while probe and line is None:
                line = where.get(_dotted(probe))
                probe = probe[:-1]
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            # a table checked as a whole (colors, labels) names its bad entry: point at that entry's line
            named = re.match(r"unknown \w+ '([^']+)'", msg)
            if named and f"{key}.{named.group(1)}" in where:
                key = f"{key}.{named.group(1)}"
                line = where[key]
            messages.append(f"{toml_path}:{line or 1}: {key}: {msg}")
        raise TemplateError("\n".join(messages)) from None
    template = Template(folder, spec)
    # assets named in the file must be inside the folder and readable
    if spec.logo:
        _check_image(template.asset(spec.logo, "logo"), toml_path, spec.logo)
    if spec.fonts:
        for face in ("regular", "bold", "italic", "bolditalic", "sans", "sansbold"):
            if getattr(spec.fonts, face) is None:
                continue
            path = template.asset(getattr(spec.fonts, face), f"font ({face})")
            data = read_capped(path, MAX_ASSET_BYTES)
            if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
                raise TemplateError(f"{toml_path}: font ({face}) '{getattr(spec.fonts, face)}' "
                                    "is not a TrueType font file")
            if not _truetype_tables_ok(data):
                raise TemplateError(f"{toml_path}: font ({face}) '{getattr(spec.fonts, face)}' "
                                    "is unreadable (a damaged or incomplete TrueType file)")
    return template


_REQUIRED_TABLES = {b"cmap", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"name"}


def _truetype_tables_ok(data: bytes) -> bool:
    """The table directory lists the tables a TrueType font needs, each inside the file."""
    import struct

    if len(data) < 12:
        return False
    (count,) = struct.unpack(">H", data[4:6])
    if len(data) < 12 + 16 * count:
        return False
    tables = {}
    for i in range(count):
        tag, _checksum, offset, length = struct.unpack(">4sIII", data[12 + 16 * i: 28 + 16 * i])
        if offset + length > len(data):
            return False
        tables[tag] = data[offset:offset + length]
    if not _REQUIRED_TABLES <= set(tables):
        return False
    # a table directory over zeroed or truncated tables: the fields every font reader needs first
    head, maxp, hhea, cmap = tables[b"head"], tables[b"maxp"], tables[b"hhea"], tables[b"cmap"]
    return (len(head) >= 54 and head[12:16] == b"\x5f\x0f\x3c\xf5" and struct.unpack(">H", head[18:20])[0] > 0
            and len(maxp) >= 6 and struct.unpack(">H", maxp[4:6])[0] > 0
            and len(hhea) >= 36 and struct.unpack(">H", hhea[34:36])[0] > 0
            and len(cmap) >= 4 and struct.unpack(">H", cmap[2:4])[0] > 0)


def _check_image(path: Path, toml_path: Path, relative: str) -> None:
    """A logo must be a PNG or JPEG image (what both Word and the PDF can embed), of a sane size."""
    from briefgen.limits import ImageRefused, check_image

    try:
        check_image(path)
    except ImageRefused as exc:
        raise TemplateError(f"{toml_path}: logo '{relative}' {exc.reason}") from None


def builtin_names() -> list[str]:
    """Names of the templates that ship with briefgen."""
    return sorted(p.name for p in BUILTIN_DIR.iterdir() if (p / "template.toml").is_file())


def find_template(name_or_dir: str | Path | None) -> Template:
    """A built-in template by name, or a template folder by path."""
    if name_or_dir is None:
        name_or_dir = DEFAULT_TEMPLATE
    candidate = Path(name_or_dir)
    if str(name_or_dir) in builtin_names():
        return load_template(BUILTIN_DIR / str(name_or_dir))
    if candidate.is_dir():
        return load_template(candidate)
    raise TemplateError(
        f"no template '{name_or_dir}': not a built-in ({', '.join(builtin_names())}) and not a folder"
    )


def init_template(dest: Path, source: str | Path = DEFAULT_TEMPLATE,
                  warn: Callable[[str], None] | None = None) -> Path:
    """Copy a template into a new (or empty) folder to edit; refuse to overwrite anything.

    Only regular files inside the template's folder are copied: symbolic links are skipped (each
    named through ``warn``), pipes and devices too, and a folder larger than the cap is refused
    before anything is written. On failure nothing is left behind.
    """
    template = find_template(source)
    dest = Path(os.path.abspath(dest))
    try:
        occupied = (dest.is_dir() and any(dest.iterdir())) or (dest.exists() and not dest.is_dir()) or dest.is_symlink()
    except OSError as exc:
        raise TemplateError(f"cannot use {dest}: {exc.strerror or exc}") from None
    if occupied:
        raise TemplateError(f"{dest} already exists and is not empty; choose a new folder")
    files, skipped = _template_files(template.folder)
    if "template.toml" not in files:
        raise TemplateError(f"{template.folder / 'template.toml'} is not a regular file in the template folder; "
                            "refusing to copy the template")
    new_name = re.sub(r"[^a-z0-9._-]+", "-", dest.name.lower()).strip("-") or "my-template"
    fresh = not dest.exists()
    created: list[Path] = [p for p in reversed(dest.parents) if not p.exists()]  # parents made here
    try:
        for parent in created:
            parent.mkdir()
        # a new folder is filled under a temporary name and renamed; an empty one is filled in place
        target = Path(_mkdtemp(dest)) if fresh else dest
    except OSError as exc:
        _undo(None, [p for p in created if p.exists()])
        raise TemplateError(f"cannot create {dest}: {exc.strerror or exc}") from None
    try:
        for relative, path in files.items():
            data = read_capped(path, MAX_ASSET_BYTES)
            if relative == "template.toml":
                text = re.sub(r'(?m)^name\s*=\s*".*"$', f'name = "{new_name}"', data.decode("utf-8"), count=1)
                data = text.encode("utf-8")
            out = target / relative
            for parent in reversed(out.relative_to(target).parents[:-1]):
                if not (target / parent).is_dir():
                    (target / parent).mkdir()
                    created.append(target / parent)
            with open(out, "xb") as fh:
                created.append(out)
                fh.write(data)
        if fresh:
            target.chmod(0o755)  # mkdtemp makes it private; a template folder is an ordinary folder
            target.rename(dest)
    except (OSError, ReadRefused, UnicodeDecodeError) as exc:
        _undo(target if fresh else None, created)
        reason = getattr(exc, "strerror", None) or exc
        raise TemplateError(f"cannot create {dest}: {reason}") from None
    except BaseException:
        _undo(target if fresh else None, created)
        raise
    for item in skipped:
        if warn is not None:
            warn(item)
    return dest


def _mkdtemp(dest: Path) -> str:
    import tempfile

    return tempfile.mkdtemp(prefix=f".{dest.name[:100]}.", suffix=".tmp-init", dir=dest.parent)


def _undo(tmp: Path | None, created: list[Path]) -> None:
    """Remove what a failed copy made: the temporary folder, the files and folders it created."""
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)
    for path in reversed(created):
        try:
            path.rmdir() if path.is_dir() else path.unlink()
        except OSError:
            pass


def _template_files(folder: Path) -> tuple[dict[str, Path], list[str]]:
    """The regular files of a template folder ({relative name: path}) and messages for what was skipped."""
    files: dict[str, Path] = {}
    skipped: list[str] = []
    total = 0
    todo = [folder]
    while todo:
        current = todo.pop()
        with os.scandir(current) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = Path(entry.path)
                relative = path.relative_to(folder).as_posix()
                if entry.is_symlink():
                    skipped.append(f"skipped {relative}: a symbolic link (only regular files are copied)")
                elif entry.is_dir(follow_symlinks=False):
                    todo.append(path)
                elif stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
                    total += entry.stat(follow_symlinks=False).st_size
                    files[relative] = path
                    if len(files) > MAX_TEMPLATE_FILES or total > MAX_TEMPLATE_BYTES:
                        raise TemplateError(f"template folder {folder} holds more than {MAX_TEMPLATE_FILES} files "
                                            f"or {MAX_TEMPLATE_BYTES // 2**20} MB; refusing to copy it")
                else:
                    skipped.append(f"skipped {relative}: not a regular file (a pipe, device or socket)")
    return files, skipped
