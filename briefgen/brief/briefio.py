"""Reading brief files (YAML or JSON) into plain data, remembering the line and column of every value."""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from briefgen.errors import InputError
from briefgen.fileio import ReadRefused, read_capped
from briefgen.limits import MAX_BRIEF_BYTES

try:  # the C loader is several times faster; the pure one gives the same marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_NODES = 200_000  # fifteen times the values of a 1,000-item, 2,000-citation brief
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
        raw = read_capped(path, MAX_BRIEF_BYTES)
    except ReadRefused as exc:
        reason = {"missing": "no such file", "folder": "is a folder, not a brief file",
                  "too_large": f"is larger than {MAX_BRIEF_BYTES // (1024 * 1024)} MB"}.get(exc.kind, exc.reason)
        raise BriefFileError(path, 1, 1, reason) from None
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


MAX_DIGITS = 4_300  # Python's own limit on converting text to int; far beyond any honest number


class _JsonValue(Exception):
    """A JSON value the brief rules refuse (found while parsing), with the text to look for."""

    def __init__(self, token: str, message: str):
        super().__init__(message)
        self.token, self.message = token, message


def _json_int(token: str) -> int:
    if len(token.lstrip("-")) > MAX_DIGITS:
        raise _JsonValue(token[:40], f"has a number with {len(token.lstrip('-')):,} digits; "
                                     f"refusing numbers longer than {MAX_DIGITS:,} digits")
    return int(token)


def _json_float(token: str) -> float:
    value = float(token)
    if value != value or value in (float("inf"), float("-inf")):
        raise _JsonValue(token[:40], f"has the number {token[:40]}, too large to be a number")
    return value


def _json_constant(token: str) -> Any:
    raise _JsonValue(token, f"has {token}, which is not a number (JSON has no NaN or Infinity)")


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JsonValue(f'"{key}"', f"has the key '{key}' twice in one mapping")
        out[key] = value
    return out


def _read_json(path: Path, text: str) -> BriefFile:
    _check_json_depth(path, text)
    try:
        data = json.loads(text, object_pairs_hook=_json_object, parse_int=_json_int, parse_float=_json_float,
                          parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise BriefFileError(path, exc.lineno, exc.colno, f"is not valid JSON: {exc.msg}") from None
    except _JsonValue as exc:
        if exc.message.startswith("has the key"):
            try:  # the YAML reader finds the second key with its line and column
                _read_yaml(path, text)
            except BriefFileError as located:
                if located.detail == exc.message:
                    raise located from None
        line, col = _locate(text, exc.token)
        raise BriefFileError(path, line, col, exc.message) from None
    try:  # JSON is (nearly) YAML: reuse the YAML composer just for the marks
        return _read_yaml(path, text, data=data)
    except BriefFileError:
        return BriefFile(path, data, {(): (1, 1)})


def _locate(text: str, token: str) -> tuple[int, int]:
    """Line and column of the first place ``token`` stands outside a string (1:1 when not found)."""
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|' + re.escape(token), text):
        if match.group() == token:
            start = match.start()
            return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
    return 1, 1


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def _check_json_depth(path: Path, text: str) -> None:
    """Refuse JSON nested deeper than the brief rules allow, at the bracket that goes too deep.

    Done before parsing, in one pass over brackets outside strings, so neither Python's recursive
    JSON parser nor a YAML parser's own nesting limit decides what the user is told.
    """
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH + 1:  # the document itself is level 0 of the YAML reader's count
                start = match.start()
                line = text.count("\n", 0, start) + 1
                raise BriefFileError(path, line, start - (text.rfind("\n", 0, start) + 1) + 1,
                                     f"is nested more than {MAX_DEPTH} levels deep")
        elif token in "]}":
            depth -= 1


_YAML_ONLY_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


class _Lines:
    """Line and column of a YAML mark as an editor shows them: lines end at "\n" only.

    YAML also ends a line at a lone CR, NEL (U+0085), LS (U+2028) and PS (U+2029); text holding
    them inside quoted values would otherwise be reported lines below where the editor shows it.
    """

    def __init__(self, text: str):
        self.ends = [i for i, ch in enumerate(text) if ch == "\n"] if any(
            ch in text for ch in _YAML_ONLY_BREAKS) else None

    def __call__(self, mark: Any) -> tuple[int, int]:
        if self.ends is None:
            return mark.line + 1, mark.column + 1
        before = bisect_right(self.ends, mark.index - 1)  # newlines before the mark
        start = self.ends[before - 1] + 1 if before else 0
        return before + 1, mark.index - start + 1


def load_yaml_text(text: str, path: Path | str, first_line: int = 1) -> Any:
    """YAML from a user's file other than the brief (front matter, ``sources.yaml``, a gazetteer).

    The brief-file rules apply: no aliases (so no alias bombs), merge keys or repeated keys, no absurd
    size or depth; dates stay text. ``first_line`` is the file line the text starts on. Empty text is
    None. Raises BriefFileError naming the file, line and column.
    """
    try:
        return _read_yaml(Path(path), "\n" * (first_line - 1) + text).data
    except _Empty:
        return None


class _Empty(BriefFileError):
    """A YAML stream without a document."""


def _read_yaml(path: Path, text: str, data: Any = None) -> BriefFile:
    builder = _Builder(path, text)
    try:
        built, found = builder.read()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = builder.where(mark) if mark else (1, 1)
        reason = exc.problem or "malformed YAML"
        raise BriefFileError(path, line, col, f"is not valid YAML: {reason}") from None
    except yaml.YAMLError as exc:
        raise BriefFileError(path, 1, 1, f"is not valid YAML: {exc}") from None
    if not found:
        raise _Empty(path, 1, 1, "is empty")
    return BriefFile(path, built if data is None else data, builder.marks)


class _Problem(Exception):
    """A brief-file rule broken at an event (reported once the rest of the stream has been checked)."""

    def __init__(self, event: yaml.Event, message: str):
        super().__init__(message)
        self.event, self.message = event, message


_STR = "tag:yaml.org,2002:str"
_ALIAS = "uses a YAML alias (*name); aliases are not allowed (write the value out)"


class _Builder:
    """Turn the YAML event stream into plain data and marks, refusing aliases, duplicate keys and absurd sizes.

    Reading events directly (rather than composing a node graph first) halves the time on long briefs.
    The order of complaints is that of a whole-file check: invalid YAML first, then an alias, then the
    first broken rule.
    """

    _constructor = yaml.constructor.SafeConstructor()
    _resolver = yaml.resolver.Resolver()
    _implicit = yaml.resolver.Resolver.yaml_implicit_resolvers

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.marks: dict[Loc, tuple[int, int]] = {}
        self.count = 0
        self.where = _Lines(text)

    def read(self) -> tuple[Any, bool]:
        """(data, whether the stream held a document); raises BriefFileError or yaml.YAMLError."""
        events = yaml.parse(self.text, Loader=_Loader)
        self.next = events.__next__
        try:
            data, found = self._document()
        except _Problem as problem:
            self._rest(events)  # invalid YAML, an alias or a second document is reported first
            raise self._fail(problem.event, problem.message) from None
        self._rest(events)
        return data, found

    def _rest(self, events: Iterator[yaml.Event]) -> None:
        """Check the events after the first document: an alias, then a second document, is an error."""
        second = None
        for event in events:
            if isinstance(event, yaml.AliasEvent):
                raise self._fail(event, _ALIAS)
            if isinstance(event, yaml.DocumentStartEvent) and second is None:
                second = event
                if "*" not in self.text:  # no alias can follow: report the document right away
                    break
        if second is not None:
            raise yaml.composer.ComposerError("expected a single document in the stream", None,
                                              "but found another document", second.start_mark)

    def _document(self) -> tuple[Any, bool]:
        event = self.next()  # StreamStartEvent
        event = self.next()
        if isinstance(event, yaml.StreamEndEvent):
            return None, False
        data = self._value(self.next(), (), 0)  # after the DocumentStartEvent
        self.next()  # DocumentEndEvent
        return data, True

    def _fail(self, event: yaml.Event, message: str) -> BriefFileError:
        return BriefFileError(self.path, *self.where(event.start_mark), message)

    def _value(self, event: yaml.Event, loc: Loc, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail(event, f"has more than {MAX_NODES:,} values; refusing to read it")
        if depth > MAX_DEPTH:
            # at once: parsing the rest of an absurdly nested file is quadratic in the C parser
            raise self._fail(event, f"is nested more than {MAX_DEPTH} levels deep")
        self.marks[loc] = self.where(event.start_mark)
        kind = type(event)
        if kind is yaml.ScalarEvent:
            return self._scalar(event)
        if kind is yaml.MappingStartEvent:
            out: dict[str, Any] = {}
            next_event = self.next
            while True:
                key_event = next_event()
                kind = type(key_event)
                if kind is yaml.MappingEndEvent:
                    return out
                if kind is yaml.AliasEvent:
                    raise self._fail(key_event, _ALIAS)
                if kind is not yaml.ScalarEvent:
                    raise _Problem(key_event, "has a key that is not a plain name")
                key = key_event.value
                if key == "<<":
                    raise _Problem(key_event, "uses a YAML merge key (<<); merge keys are not allowed "
                                              "(write the keys out)")
                if key in out:
                    raise _Problem(key_event, f"has the key '{key}' twice in one mapping")
                out[key] = self._value(next_event(), (*loc, key), depth + 1)
        if kind is yaml.SequenceStartEvent:
            items: list[Any] = []
            next_event = self.next
            while True:
                item = next_event()
                if type(item) is yaml.SequenceEndEvent:
                    return items
                items.append(self._value(item, (*loc, len(items)), depth + 1))
        if kind is yaml.AliasEvent:
            raise self._fail(event, _ALIAS)
        raise _Problem(event, "is not a YAML value")  # pragma: no cover - the parser yields no other events here

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        value, tag = event.value, event.tag
        if tag is None or tag == "!":
            plain = event.implicit[0]
            if not plain or (value and value[0] not in self._implicit and None not in self._implicit):
                return value  # quoted, or plain text no implicit type starts with: a string
            tag = self._resolver.resolve(yaml.ScalarNode, value, event.implicit)
        if tag == _STR:  # most values: no constructor needed
            return value
        if tag.endswith((":timestamp", ":binary", ":set", ":omap", ":pairs")):
            return value  # dates stay text; pydantic parses ISO dates itself
        if tag.endswith(":int") and sum(ch.isdigit() for ch in value) > MAX_DIGITS:
            raise _Problem(event, f"has a number with more than {MAX_DIGITS:,} digits; refusing it")
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        try:
            result = self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            raise _Problem(event, f"has a value YAML cannot read: {exc}") from None
        if isinstance(result, float) and not math.isfinite(result):
            raise _Problem(event, f"has {value}, which is not a finite number (.nan and .inf are not allowed)")
        return result
