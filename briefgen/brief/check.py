"""Checking a brief: schema, cross-references and grounding of every quote, as a list of problems."""

from __future__ import annotations

import typing
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

from pydantic import BaseModel, ValidationError

from briefgen.brief import models as m
from briefgen.brief.briefio import BriefFile, BriefFileError, Loc, read_brief_file
from briefgen.brief.grounding import Match, SourceText
from briefgen.fileio import OutsideTree, ReadRefused, confine, read_capped
from briefgen.limits import MAX_SOURCE_BYTES



def _collections() -> dict[str, type[BaseModel]]:
    """The brief's top-level lists, with the model of one item, read from ``models.Brief`` itself."""
    collections = {}
    for name, info in m.Brief.model_fields.items():
        if typing.get_origin(info.annotation) is list:
            (item,) = typing.get_args(info.annotation)
            collections[name] = item
    return collections


_COLLECTIONS = _collections()
# the lists whose items have ids that must be unique (others refer to them)
_IDENTIFIED = tuple(name for name, item in _COLLECTIONS.items() if "id" in item.model_fields)


@dataclass
class Problem:
    """One thing wrong with a brief, with where it is."""

    severity: str  # "error" or "warning"
    code: str
    message: str
    file: str
    line: int = 1
    col: int = 1
    item: str = ""

    def format(self) -> str:
        """``path:line:col: item: severity: message``, the way compilers report."""
        item = f" {self.item}:" if self.item else ""
        return f"{self.file}:{self.line}:{self.col}:{item} {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The problem as JSON-ready data."""
        return asdict(self)


@dataclass
class Report:
    """The outcome of checking a brief."""

    path: Path
    brief: m.Brief | None
    problems: list[Problem] = field(default_factory=list)
    matches: dict[Loc, Match] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity error."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems of severity warning."""
        return [p for p in self.problems if p.severity == "warning"]

    def ok(self, strict: bool = False) -> bool:
        """True when there are no errors (and, when strict, no warnings)."""
        return not (self.problems if strict else self.errors)


class _Checker:
    """Collects problems for one brief file."""

    def __init__(self, bf: BriefFile):
        self.bf = bf
        self.problems: list[Problem] = []

    def item_label(self, loc: Loc) -> str:
        if len(loc) >= 2 and isinstance(loc[1], int):
            label = f"{loc[0]}[{loc[1]}]"
            try:
                entry = self.bf.data[loc[0]][loc[1]]
            except (KeyError, IndexError, TypeError):
                entry = None
            if isinstance(entry, dict):
                ident = entry.get("id") or entry.get("actor")
                if isinstance(ident, str):
                    label += f" ({ident})"
            return label
        return str(loc[0]) if loc else ""

    def add(self, severity: str, code: str, loc: Loc, message: str) -> None:
        line, col = self.bf.where(loc)
        self.problems.append(
            Problem(severity, code, message, str(self.bf.path), line, col, self.item_label(loc))
        )

    def error(self, code: str, loc: Loc, message: str) -> None:
        self.add("error", code, loc, message)

    def warn(self, code: str, loc: Loc, message: str) -> None:
        self.add("warning", code, loc, message)


def _field_name(loc: Loc) -> str:
    """The field path inside its item, e.g. ``citations[0].quote`` for ``positions[3]…``."""
    rest = loc[2:] if len(loc) >= 2 and isinstance(loc[1], int) else loc
    out = ""
    for part in rest:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(err: dict[str, Any]) -> str:
    loc, kind, msg = err["loc"], err["type"], err["msg"]
    field = _field_name(loc)
    if kind == "missing":
        return f"`{field}` is required"
    if kind == "extra_forbidden":
        return f"unknown field `{loc[-1]}`"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "enum":
        msg = f"{err['input']!r} is not one of {err.get('ctx', {}).get('expected', '')}"
    elif kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == m.ID_PATTERN:
        msg = f"{err['input']!r} is not a valid id (lower-case letters, digits, '.', '_' or '-')"
    return f"`{field}`: {msg}" if field else msg


def _schema_problems(ck: _Checker, exc: ValidationError, base: Loc = ()) -> None:
    for err in exc.errors(include_url=False):
        loc = (*base, *err["loc"])
        # pydantic appends the branch name of a union/function validator; drop non-data parts
        loc = tuple(p for p in loc if isinstance(p, int) or not str(p).startswith("function-"))
        ck.error("schema", loc, _describe({**err, "loc": loc}))


def _partial_brief(ck: _Checker, data: dict[str, Any]) -> m.Brief:
    """Validate item by item so that one bad item does not hide the rest of the problems."""
    values: dict[str, Any] = {}
    try:
        values["meta"] = m.BriefMeta.model_validate(data.get("meta"))
    except ValidationError as exc:
        _schema_problems(ck, exc, ("meta",))
        values["meta"] = None
    for name, model in _COLLECTIONS.items():
        raw = data.get(name, [])
        if not isinstance(raw, list):
            ck.error("schema", (name,), f"`{name}` must be a list")
            values[name] = []
            continue
        good = []
        for i, item in enumerate(raw):
            try:
                good.append(model.model_validate(item))
            except ValidationError as exc:
                _schema_problems(ck, exc, (name, i))
                good.append(None)
        values[name] = good
    for key in data:
        if key != "meta" and key not in _COLLECTIONS:
            ck.error("schema", (key,), f"unknown field `{key}`")
    if not data.get("sources"):
        ck.error("schema", ("sources",), "`sources` must list at least one source")
    return m.Brief.model_construct(**values)


def _items(brief: m.Brief, name: str):
    for i, item in enumerate(getattr(brief, name) or []):
        if item is not None:
            yield i, item


def _cross_references(ck: _Checker, brief: m.Brief) -> None:
    """Ids unique, every reference resolves."""
    ids: dict[str, set[str]] = {}
    for name in _IDENTIFIED:
        seen: dict[str, int] = {}
        for i, item in _items(brief, name):
            if item.id in seen:
                ck.error("duplicate-id", (name, i, "id"),
                         f"duplicate id '{item.id}' (first used by {name}[{seen[item.id]}])")
            else:
                seen[item.id] = i
        ids[name] = set(seen)
    for loc, cit in brief.iter_citations():
        if cit.source not in ids["sources"]:
            ck.error("unknown-source", (*loc, "source"),
                     f"unknown source '{cit.source}'{_suggest(cit.source, ids['sources'])}")
    for i, pos in _items(brief, "positions"):
        if pos.actor not in ids["actors"]:
            ck.error("unknown-actor", ("positions", i, "actor"),
                     f"unknown actor '{pos.actor}'{_suggest(pos.actor, ids['actors'])}")
        if pos.about not in ids["options"] and " " not in pos.about and pos.about == pos.about.lower():
            ck.warn("about-not-option", ("positions", i, "about"),
                    f"'{pos.about}' is not an option id; it is treated as a named issue"
                    f"{_suggest(pos.about, ids['options'])}")
        if pos.condition and pos.stance is not m.Stance.conditional:
            ck.warn("condition-unused", ("positions", i, "condition"),
                    f"a condition is given but the stance is '{pos.stance.value}'")
    for name in ("risks", "recommendations"):
        for i, item in _items(brief, name):
            for j, opt in enumerate(item.options):
                if opt not in ids["options"]:
                    ck.error("unknown-option", (name, i, "options", j),
                             f"unknown option '{opt}'{_suggest(opt, ids['options'])}")




def _suggest(word: str, choices: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def read_source_text(path: Path) -> str:
    """Read a source's text file as UTF-8; raise ValueError with a reader-friendly reason."""
    try:
        raw = read_capped(path, MAX_SOURCE_BYTES)
    except ReadRefused as exc:
        message = {"missing": f"source file not found: {path}",
                   "folder": f"source path is a folder, not a file: {path}",
                   "special": f"source file is not a regular file (a pipe, device or socket): {path}",
                   "too_large": f"source file is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB: {path}"}
        raise ValueError(message.get(exc.kind, f"source file cannot be read: {path}: {exc.detail}")) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(f"source file is not UTF-8 text (line {line}): {path}") from None
    if not text.strip():
        raise ValueError(f"source file is empty: {path}")
    return text


def _load_sources(ck: _Checker, brief: m.Brief, base: Path, allow_outside: Sequence[Path] = ()) -> dict[str, str]:
    texts: dict[str, str] = {}
    for i, src in _items(brief, "sources"):
        try:  # a brief may read only files in its own folder: it may come from someone else
            path = confine(base / src.path, base, allow_outside)
        except OutsideTree:
            ck.error("source-outside", ("sources", i, "path"),
                     f"`sources[{i}].path` '{src.path}' leads outside the brief's folder {base.resolve()} "
                     "(after following symbolic links); the file was not read. Copy it into the folder, "
                     "or pass --allow-outside PATH to allow reading from PATH")
            continue
        try:
            text = read_source_text(path)
        except ValueError as exc:
            ck.error("source-file", ("sources", i, "path"), str(exc))
            continue
        if src.sha256:
            import hashlib  # only briefs that pin a source's hash need it

            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if digest != src.sha256:
                ck.error("source-changed", ("sources", i, "sha256"),
                         f"the text of {src.path} has changed since its sha256 was recorded "
                         f"(now {digest[:12]}…); check the quotes and update `sha256`")
        texts[src.id] = text
    return texts


def _ground(ck: _Checker, brief: m.Brief, texts: dict[str, str]) -> dict[Loc, Match]:
    """Every quote must occur in its source's text; record where."""
    prepared = {sid: SourceText(t) for sid, t in texts.items()}
    matches: dict[Loc, Match] = {}
    for loc, cit in brief.iter_citations():
        source_text = prepared.get(cit.source)
        if source_text is None:
            continue
        found = source_text.find(cit.quote)
        if found is not None:
            matches[loc] = found
            continue
        near = source_text.nearest(cit.quote)
        line = source_text.text.count("\n", 0, near.start) + 1
        ck.error("quote-not-found", (*loc, "quote"),
                 f"quote not found in source '{cit.source}': \"{_clip(cit.quote)}\"; "
                 f"closest passage (line {line} of the source, similarity {near.score:.2f}): "
                 f"\"{_clip(near.text)}\"")
    return matches


def _clip(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _warnings(ck: _Checker, brief: m.Brief) -> None:
    used = Counter()
    for _, cit in brief.iter_citations():
        used[cit.source] += 1
    for i, src in _items(brief, "sources"):
        if not used[src.id]:
            ck.warn("unused-source", ("sources", i), f"source '{src.id}' is never cited")
    actors_with_positions = {p.actor for _, p in _items(brief, "positions")}
    for i, actor in _items(brief, "actors"):
        if actor.id not in actors_with_positions:
            ck.warn("actor-without-position", ("actors", i), f"actor '{actor.id}' has no position")
    origin = {s.id: (s.derived_from or s.id).lower() for _, s in _items(brief, "sources")}
    for i, kj in _items(brief, "key_judgments"):
        independent = {origin.get(c.source, c.source) for c in kj.citations}
        if len(independent) < 2:
            ck.warn("single-source", ("key_judgments", i),
                    "this judgment rests on a single source; corroborate it or lower the confidence")


def check_file(path: Path | str, allow_outside: Sequence[Path | str] = ()) -> Report:
    """Check one brief file completely and return every problem found (never raises for bad input).

    Sources must lie in the brief's folder tree (symbolic links followed) or under a path in
    ``allow_outside``.
    """
    path = Path(path)
    try:
        bf = read_brief_file(path)
    except BriefFileError as exc:
        return Report(path, None, [Problem("error", "read", exc.detail, exc.path, exc.line, exc.col)])
    return check_data(bf, allow_outside)


def check_data(bf: BriefFile, allow_outside: Sequence[Path | str] = ()) -> Report:
    """Check already-read brief data (sources confined as in ``check_file``)."""
    ck = _Checker(bf)
    if not isinstance(bf.data, dict):
        ck.error("schema", (), "a brief file must be a mapping with `meta:` and `sources:` at the top")
        return Report(bf.path, None, ck.problems)
    brief: m.Brief | None
    try:
        brief = m.Brief.model_validate(bf.data)
        complete = True
    except ValidationError as exc:
        brief = _partial_brief(ck, bf.data)
        complete = False
        if not ck.problems:  # a rule only the whole brief knows: report pydantic's own words
            _schema_problems(ck, exc)
    _cross_references(ck, brief)
    texts = _load_sources(ck, brief, bf.path.parent, [Path(p) for p in allow_outside])
    matches = _ground(ck, brief, texts)
    if complete:  # on a partly invalid brief these would only echo the schema errors
        _warnings(ck, brief)
    ck.problems.sort(key=lambda p: (p.line, p.col))
    return Report(bf.path, brief if complete else None, ck.problems, matches, texts)
