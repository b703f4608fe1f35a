"""Reading brief files (YAML or JSON) into plain data, remembering the line and column of every value."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from briefgen.errors import InputError

try:  # the C loader is several times faster; the pure one gives the same marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BRIEF_BYTES = 20 * 1024 * 1024
MAX_NODES = 500_000
MAX_DEPTH = 64

Loc = tuple[Any, ...]


@dataclass
class BriefFile:
    """The raw content of a brief file, with a map from field path to (line, column)."""

    path: Path
    data: Any
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Loc) -> tuple[int, int]:
        """Line and column of the deepest known field on ``loc`` (1-based; 1:1 when unknown)."""
        loc = tuple(loc)
        while loc:
            if loc in self.marks:
                return self.marks[loc]
            loc = loc[:-1]
        return self.marks.get((), (1, 1))


class BriefFileError(InputError):
    """A brief file that cannot be read or parsed, with its location."""

    def __init__(self, path: Path | str, line: int, col: int, message: str):
        self.path, self.line, self.col, self.detail = str(path), line, col, message
        super().__init__(f"{path}:{line}:{col}: {message}")


def read_brief_file(path: Path | str) -> BriefFile:
    """Read a ``.yaml``/``.yml``/``.json`` brief file into data and marks; raise BriefFileError."""
    path = Path(path)
    try:
        raw = path.read_bytes() if path.stat().st_size <= MAX_BRIEF_BYTES else None
    except FileNotFoundError:
        raise BriefFileError(path, 1, 1, "no such file") from None
    except IsADirectoryError:
        raise BriefFileError(path, 1, 1, "is a folder, not a brief file") from None
    except OSError as exc:
        raise BriefFileError(path, 1, 1, f"cannot be read: {exc.strerror or exc}") from None
    if raw is None:
        raise BriefFileError(path, 1, 1, f"is larger than {MAX_BRIEF_BYTES // (1024 * 1024)} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise BriefFileError(path, line, col, "is not UTF-8 text (save it as UTF-8)") from None
    if not text.strip():
        raise BriefFileError(path, 1, 1, "is empty")
    if path.suffix.lower() == ".json":
        return _read_json(path, text)
    return _read_yaml(path, text)


def _read_json(path: Path, text: str) -> BriefFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BriefFileError(path, exc.lineno, exc.colno, f"is not valid JSON: {exc.msg}") from None
    try:  # JSON is (nearly) YAML: reuse the YAML composer just for the marks
        return _read_yaml(path, text, data=data)
    except BriefFileError:
        return BriefFile(path, data, {(): (1, 1)})


def _read_yaml(path: Path, text: str, data: Any = None) -> BriefFile:
    try:
        if "*" in text:  # find an alias where it is written, before anything expands it
            for event in yaml.parse(text, Loader=_Loader):
                if isinstance(event, yaml.AliasEvent):
                    mark = event.start_mark
                    raise BriefFileError(path, mark.line + 1, mark.column + 1,
                                         "uses a YAML alias (*name); aliases are not allowed in brief files")
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or "malformed YAML"
        raise BriefFileError(path, line, col, f"is not valid YAML: {reason}") from None
    except yaml.YAMLError as exc:
        raise BriefFileError(path, 1, 1, f"is not valid YAML: {exc}") from None
    if node is None:
        raise BriefFileError(path, 1, 1, "is empty")
    builder = _Builder(path)
    built = builder.build(node, (), 0)
    return BriefFile(path, built if data is None else data, builder.marks)


class _Builder:
    """Turn a YAML node graph into plain data, refusing aliases, duplicate keys and absurd sizes."""

    _constructor = yaml.constructor.SafeConstructor()

    def __init__(self, path: Path):
        self.path = path
        self.marks: dict[Loc, tuple[int, int]] = {}
        self.seen: set[int] = set()
        self.count = 0

    def _fail(self, node: yaml.Node, message: str) -> BriefFileError:
        return BriefFileError(self.path, node.start_mark.line + 1, node.start_mark.column + 1, message)

    def build(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail(node, f"has more than {MAX_NODES:,} values; refusing to read it")
        if depth > MAX_DEPTH:
            raise self._fail(node, f"is nested more than {MAX_DEPTH} levels deep")
        if id(node) in self.seen:
            raise self._fail(node, "uses a YAML alias (*name); aliases are not allowed in brief files")
        self.seen.add(id(node))
        self.marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self._fail(key_node, "has a key that is not a plain name")
                key = key_node.value
                if key == "<<":
                    raise self._fail(key_node, "uses a YAML merge key (<<); it is not allowed in brief files")
                if key in out:
                    raise self._fail(key_node, f"has the key '{key}' twice in one mapping")
                out[key] = self.build(value_node, (*loc, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == "tag:yaml.org,2002:str":  # most values: no constructor needed
            return node.value
        if tag.endswith((":timestamp", ":binary", ":set", ":omap", ":pairs")):
            return node.value  # dates stay text; pydantic parses ISO dates itself
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self._fail(node, f"has a value YAML cannot read: {exc}") from None
