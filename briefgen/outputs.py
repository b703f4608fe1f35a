"""What briefgen writes: the one rule for output paths, and the manifest that ties outputs to their brief.

Every file a run writes is checked here before anything is written: it is never an input of the same
run (compared by resolved path and by inode), never the target of two outputs, and never inside a
sources folder being drafted. Each build records a manifest, ``.<name>.build.json``, beside its
outputs: which brief they were built from, a digest of that brief and its sources, a digest of the
template and options, the marking, and the sha256 of every output. Freshness is decided by those
digests, never by file times, and ``email`` attaches only files its manifest vouches for.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from briefgen.errors import InputError, OutputError
from briefgen.fileio import ReadRefused, read_capped

MANIFEST_VERSION = 1
_MANIFEST_CAP = 1_000_000  # a manifest lists a few files


# --------------------------------------------------------------------------- reproducible dates

# The latest date every output format can hold (9999-12-31T23:59:59Z).
_LAST_EPOCH = 253_402_300_799


def source_date_epoch() -> int | None:
    """``$SOURCE_DATE_EPOCH`` as seconds (None when unset); InputError naming what is wrong with it."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        raise InputError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not {value[:40]!r}")
    if len(value) > 12 or int(value) > _LAST_EPOCH:
        raise InputError(f"SOURCE_DATE_EPOCH {value[:40]} is out of range: it must be at most {_LAST_EPOCH} "
                         "(the last second of the year 9999)")
    return int(value)


# --------------------------------------------------------------------------- the rule for output paths


def _resolved(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(os.path.abspath(path))


def _same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file: the same resolved path, or the same inode."""
    if _resolved(a) == _resolved(b):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or lies under it (after resolving symlinks)."""
    p, f = _resolved(path), _resolved(folder)
    return p == f or f in p.parents


def check_targets(outputs: Mapping[str, Path], inputs: Mapping[str, Path],
                  drafting: Iterable[Path] = ()) -> None:
    """Refuse (OutputError, before anything is written) an output that would replace an input of the run.

    ``outputs`` and ``inputs`` map a role ('the Markdown output', "source 'article'") to a path;
    ``drafting`` are sources folders being drafted, inside which nothing may be written.
    """
    seen: list[tuple[str, Path]] = []
    for role, target in outputs.items():
        target = Path(target)
        for in_role, source in inputs.items():
            if _same_file(target, Path(source)):
                raise OutputError(f"refusing to write {role} to {target}: that file is {in_role} of this run; "
                                  "choose another output folder or file; nothing was written")
        for other_role, other in seen:
            if _same_file(target, other):
                raise OutputError(f"refusing to write {role} to {target}: {other_role} goes to the same file; "
                                  "choose another file; nothing was written")
        for folder in drafting:
            if _inside(target, Path(folder)):
                raise OutputError(f"refusing to write {role} to {target}: it is inside the sources folder "
                                  f"{folder} being drafted, where it would be read as a source next time; "
                                  "choose an output folder outside it; nothing was written")
        seen.append((role, target))


def check_not_inside(folder: Path, sources: Path) -> None:
    """Refuse an output folder that is, or lies inside, a sources folder being drafted."""
    if _inside(folder, sources):
        raise OutputError(f"refusing to write into {folder}: it is inside the sources folder {sources} being "
                          "drafted, where the outputs would be read as sources next time (or replace one); "
                          "choose an output folder outside it with -o; nothing was written")


# --------------------------------------------------------------------------- digests


def inputs_digest(brief_bytes: bytes, source_texts: Mapping[str, str]) -> str:
    """A digest of a brief file's bytes and the text of every source it cites."""
    h = hashlib.sha256(b"briefgen-inputs-1\0")
    h.update(hashlib.sha256(brief_bytes).digest())
    for sid in sorted(source_texts):
        h.update(sid.encode("utf-8", "surrogatepass") + b"\0")
        h.update(hashlib.sha256(source_texts[sid].encode("utf-8", "surrogatepass")).digest())
    return h.hexdigest()


def _canonical(value: Any) -> Any:
    """Settings as JSON-ready data; a file a setting names counts by its content, not its name."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, Path):
        try:
            return "sha256:" + hashlib.sha256(read_capped(value, 2**31)).hexdigest()
        except ReadRefused:
            return f"missing:{value}"
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def settings_digest(*settings: Any) -> str:
    """A digest of the template settings and render options a build used (files by their content)."""
    data = json.dumps([_canonical(s) for s in settings], sort_keys=True, ensure_ascii=True, default=repr)
    return hashlib.sha256(data.encode("ascii")).hexdigest()


def file_digest(path: Path) -> str | None:
    """The sha256 of a regular file, or None when it is missing or not a regular file."""
    try:
        return hashlib.sha256(read_capped(path, 2**31)).hexdigest()
    except ReadRefused:
        return None


# --------------------------------------------------------------------------- the manifest


def manifest_path(folder: Path, name: str) -> Path:
    """Where the manifest of the outputs called ``name`` in ``folder`` lives."""
    return Path(folder) / f".{name}.build.json"


@dataclass
class Manifest:
    """What a build recorded beside its outputs."""

    folder: Path
    brief: str  # the brief file, relative to the folder when possible
    inputs: str
    settings: str
    tlp: str | None = None
    banner: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)  # file name in the folder -> sha256

    @property
    def brief_path(self) -> Path:
        """The brief file this manifest names (resolved against its folder)."""
        return _resolved(self.folder / self.brief)

    def is_for(self, brief: Path) -> bool:
        """True when the manifest was written for this brief file."""
        return _same_file(self.brief_path, Path(brief))

    def vouches_for(self, path: Path) -> bool:
        """True when ``path`` is one of the outputs and still has the content the build wrote."""
        recorded = self.outputs.get(Path(path).name)
        return recorded is not None and _same_file(Path(path).parent, self.folder) and \
            file_digest(Path(path)) == recorded

    def to_bytes(self) -> bytes:
        """The manifest as JSON."""
        data = {"briefgen_manifest": MANIFEST_VERSION, "brief": self.brief, "inputs": self.inputs,
                "settings": self.settings, "marking": {"tlp": self.tlp, "banner": self.banner},
                "outputs": dict(sorted(self.outputs.items()))}
        return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def brief_reference(folder: Path, brief: Path) -> str:
    """How a manifest in ``folder`` names ``brief``: a relative path when one exists, else absolute."""
    target = _resolved(Path(brief))
    try:
        return Path(os.path.relpath(target, _resolved(Path(folder)))).as_posix()
    except ValueError:  # another drive
        return str(target)


def read_manifest(folder: Path, name: str) -> Manifest | None:
    """The manifest for ``name`` in ``folder``; None when there is none or it is unreadable."""
    return load_manifest(manifest_path(folder, name))


def load_manifest(path: Path) -> Manifest | None:
    """A manifest file's content; None when it is missing, damaged or not a briefgen manifest."""
    try:
        data = json.loads(read_capped(path, _MANIFEST_CAP).decode("utf-8"))
    except (ReadRefused, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("briefgen_manifest") != MANIFEST_VERSION:
        return None
    marking = data.get("marking") if isinstance(data.get("marking"), dict) else {}
    outputs = data.get("outputs") if isinstance(data.get("outputs"), dict) else {}
    if not all(isinstance(data.get(k), str) for k in ("brief", "inputs", "settings")):
        return None
    return Manifest(Path(path).parent, data["brief"], data["inputs"], data["settings"],
                    marking.get("tlp") if isinstance(marking.get("tlp"), str) else None,
                    marking.get("banner") if isinstance(marking.get("banner"), str) else None,
                    {str(k): str(v) for k, v in outputs.items()})


def refuse_foreign(folder: Path, name: str, brief: Path) -> Manifest | None:
    """The folder's manifest for ``name``; OutputError when it belongs to another brief that still exists.

    Two briefs with the same name must not share outputs silently: writing one's outputs over the
    other's, or mailing the other's outputs as this brief's, is refused, naming both.
    """
    found = read_manifest(folder, name)
    if found is not None and not found.is_for(brief) and found.brief_path.is_file():
        raise OutputError(
            f"{Path(folder) / name}.* are the outputs of another brief with the same name, "
            f"{found.brief_path}, not of {brief}; give this brief its own output folder "
            f"(-o for build, --outputs for email), or delete those outputs; nothing was written")
    return found


def own_outputs(folder: Path) -> set[Path]:
    """The files in ``folder`` that briefgen built (named by a manifest there; edited since or not)."""
    found: set[Path] = set()
    try:
        candidates = [p for p in Path(folder).iterdir() if p.name.startswith(".") and p.name.endswith(".build.json")]
    except OSError:
        return found
    for path in candidates:
        manifest = load_manifest(path)
        if manifest is None:
            continue
        found.update(_resolved(Path(folder) / name) for name in manifest.outputs)
    return found
