"""Templates: a folder with ``template.toml``, a ``reference.docx`` and ``assets/``; built-ins ship inside."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from briefgen.errors import TemplateError

BUILTIN_DIR = Path(__file__).parent / "templates"
DEFAULT_TEMPLATE = "policy-brief"
MAX_ASSET_BYTES = 20 * 1024 * 1024
Color = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="'#RRGGBB'")]
PLACEHOLDERS = ("title", "date", "marking", "page", "pages", "organisation", "version", "status")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageSpec(_Spec):
    """Page size and margins."""

    size: Literal["letter", "a4", "legal"] = "letter"
    margins_mm: tuple[float, float, float, float] = Field(
        default=(22.0, 22.0, 22.0, 22.0), description="top, right, bottom, left"
    )

    @field_validator("margins_mm")
    @classmethod
    def _sane_margins(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        """Margins between 5 and 60 mm."""
        if any(not 5 <= v <= 60 for v in value):
            raise ValueError("each margin must be between 5 and 60 mm")
        return value


class FontSpec(_Spec):
    """PDF fonts: TrueType files inside the template folder (all four faces, or none)."""

    regular: str
    bold: str
    italic: str
    bolditalic: str


class SectionSpec(_Spec):
    """One section of the rendered brief: which, with which heading, and how many items."""

    key: str
    heading: str | None = None
    limit: int | None = Field(default=None, ge=1, description="Show at most this many items.")


class CitationSpec(_Spec):
    """How notes read."""

    style: Literal["full-then-short", "always-full"] = "full-then-short"
    quotes: bool = True
    notes: Literal["footnotes", "endnotes"] = "footnotes"


class TemplateSpec(_Spec):
    """The content of ``template.toml``."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    description: str = ""
    page: PageSpec = Field(default_factory=PageSpec)
    fonts: FontSpec | None = None
    colors: dict[str, Color] = Field(default_factory=dict)
    stance_colors: dict[str, Color] = Field(default_factory=dict)
    logo: str | None = None
    header: str = "{marking}"
    footer: str = "{title} · {date} · Page {page} of {pages} · {marking}"
    citations: CitationSpec = Field(default_factory=CitationSpec)
    sections: list[SectionSpec] = Field(min_length=1)

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
        return path if path.is_file() else None

    def asset(self, relative: str, what: str) -> Path:
        """Resolve an asset path inside the folder; refuse escapes, name missing or unreadable files."""
        return resolve_asset(self.folder, relative, what)


def resolve_asset(folder: Path, relative: str, what: str) -> Path:
    """A file inside ``folder`` named by ``relative``; TemplateError if it escapes or is unusable."""
    root = folder.resolve()
    path = (root / relative).resolve()
    if Path(relative).is_absolute() or not path.is_relative_to(root):
        raise TemplateError(f"{folder / 'template.toml'}: {what} '{relative}' is outside the template folder")
    if not path.is_file():
        raise TemplateError(f"{folder / 'template.toml'}: {what} '{relative}' not found in {folder}")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise TemplateError(f"{folder / 'template.toml'}: {what} '{relative}' cannot be read: "
                            f"{exc.strerror or exc}") from None
    if size > MAX_ASSET_BYTES:
        raise TemplateError(f"{folder / 'template.toml'}: {what} '{relative}' is larger than 20 MB")
    if not head:
        raise TemplateError(f"{folder / 'template.toml'}: {what} '{relative}' is empty")
    return path


def _key_lines(text: str) -> dict[str, int]:
    """Map dotted keys (``page.size``, ``sections[2].key``) to the line they are written on."""
    lines: dict[str, int] = {}
    table = ""
    counts: dict[str, int] = {}
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith(("'", '"')) else raw.strip()
        if m := re.match(r"^\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]$", line):
            name = m.group(1)
            counts[name] = counts.get(name, -1) + 1
            table = f"{name}[{counts[name]}]"
            lines.setdefault(table, no)
            lines.setdefault(name, no)
        elif m := re.match(r"^\[\s*([A-Za-z0-9_.-]+)\s*\]$", line):
            table = m.group(1)
            lines.setdefault(table, no)
        elif m := re.match(r"^([A-Za-z0-9_-]+)\s*=", line):
            key = f"{table}.{m.group(1)}" if table else m.group(1)
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
    try:
        text = toml_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(f"{toml_path}: not found (a template folder needs a template.toml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{toml_path}: cannot be read as UTF-8 text: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{toml_path}: not valid TOML: {exc}") from None
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
            messages.append(f"{toml_path}:{line or 1}: {key}: {msg}")
        raise TemplateError("\n".join(messages)) from None
    template = Template(folder, spec)
    # assets named in the file must be inside the folder and readable
    if spec.logo:
        template.asset(spec.logo, "logo")
    if spec.fonts:
        for face in ("regular", "bold", "italic", "bolditalic"):
            path = template.asset(getattr(spec.fonts, face), f"font ({face})")
            if path.read_bytes()[:4] not in (b"\x00\x01\x00\x00", b"true", b"OTTO"):
                raise TemplateError(f"{toml_path}: font ({face}) '{getattr(spec.fonts, face)}' "
                                    "is not a TrueType font file")
    return template


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


def init_template(dest: Path, source: str | Path = DEFAULT_TEMPLATE) -> Path:
    """Copy a template into a new folder to edit; refuse to overwrite an existing one."""
    template = find_template(source)
    if (dest.is_dir() and any(dest.iterdir())) or (dest.exists() and not dest.is_dir()):
        raise TemplateError(f"{dest} already exists and is not empty; choose a new folder")
    tmp = dest.with_name(f".{dest.name}.tmp-init")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(template.folder, tmp)
    text = (tmp / "template.toml").read_text(encoding="utf-8")
    new_name = re.sub(r"[^a-z0-9._-]+", "-", dest.name.lower()).strip("-") or "my-template"
    text = re.sub(r'(?m)^name\s*=\s*".*"$', f'name = "{new_name}"', text, count=1)
    (tmp / "template.toml").write_text(text, encoding="utf-8")
    if dest.is_dir():
        dest.rmdir()
    tmp.rename(dest)
    return dest
