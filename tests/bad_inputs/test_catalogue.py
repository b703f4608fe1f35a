"""The bad-input catalogue: every case gives one clear message, exit ≠ 0, and leaves every file as it was.

Each case in ``cases.yaml`` starts from a small valid project (``setups`` below), edits or adds files,
runs one briefgen command line, and asserts the exit code, the message, that there is no traceback,
and that no file in the folder was created, changed or removed.

A few inputs are hostile but must be *handled*, not refused (a title reading "{pages}", briefgen's own
outputs among the sources): such a case says ``exit: 0``, lists in ``writes`` the files (globs) the run
may create or change, and may check their text with ``contains`` ({glob: regex}); every other file
must stay as it was. ``absent`` is a regex the output must not match (e.g. a raw Python warning).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from briefgen.cli import COMMANDS, main
from conftest import EXAMPLE_DIR, MINIMAL_BRIEF, SOURCE_TEXT

CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text(encoding="utf-8"))


def _setup_minimal(root: Path) -> None:
    (root / "article.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (root / "brief.yaml").write_text(MINIMAL_BRIEF, encoding="utf-8")
    # outputs a user already has: a failed run must leave them as they were
    (root / "out").mkdir()
    (root / "out" / "project.docx").write_bytes(b"previous docx output")
    (root / "out" / "project.pdf").write_bytes(b"previous pdf output")


def _setup_example(root: Path) -> None:
    shutil.copytree(EXAMPLE_DIR, root, dirs_exist_ok=True)


SETUPS = {"minimal": _setup_minimal, "example": _setup_example, "empty": lambda root: None}


def _snapshot(root: Path, allowed: list[str] = ()) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(p.relative_to(root).match(glob) for glob in allowed)
    }


def _apply(root: Path, case: dict) -> None:
    for edit in case.get("replace", []):
        path = root / edit["file"]
        text = path.read_text(encoding="utf-8")
        assert edit["old"] in text, f"case {case['name']}: {edit['old']!r} not in {edit['file']}"
        path.write_text(text.replace(edit["old"], edit["new"], 1), encoding="utf-8")
    for name, content in (case.get("write") or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    for name, hexdata in (case.get("write_bytes") or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes.fromhex(hexdata) if not hexdata.startswith("repeat:") else
                         bytes.fromhex(hexdata.split(":")[1]) * int(hexdata.split(":")[2]))
    for name in case.get("delete", []):
        (root / name).unlink()
    for name, target in (case.get("symlink") or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        path.symlink_to(target.replace("{dir}", str(root)))
    for name in case.get("fifo", []):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        os.mkfifo(path)


def _blocked(signum, frame):
    raise AssertionError("the command blocked for 60 s (reading a pipe or device?)")


def _command_available(args: list[str]) -> bool:
    """False only for a registered command whose module this build lacks (unknown names are cases too)."""
    return args[0] not in COMMANDS or main.get_command(None, args[0]) is not None  # type: ignore[arg-type]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_gives_one_clear_message_and_changes_nothing(tmp_path, monkeypatch, case):
    root = tmp_path / "project"
    root.mkdir()
    SETUPS[case.get("setup", "minimal")](root)
    _apply(root, case)
    args = [a.replace("{dir}", str(root)) for a in case["args"]]
    if not _command_available(args):
        pytest.skip(f"command '{args[0]}' is not part of this build")
    for key, value in (case.get("env") or {}).items():
        monkeypatch.setenv(key, value.replace("{dir}", str(root)))
    monkeypatch.chdir(root)
    before = _snapshot(root)

    # a case that blocks (a pipe opened for reading) fails here instead of hanging the suite
    previous = signal.signal(signal.SIGALRM, _blocked)
    signal.alarm(60)
    try:
        result = CliRunner().invoke(main, args, input=case.get("input"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

    output = result.output
    assert result.exit_code == case.get("exit", 1), output
    if case.get("exit", 1) != 0:
        assert isinstance(result.exception, SystemExit), f"uncaught {result.exception!r}\n{output}"
    assert "Traceback" not in output
    assert re.search(case["message"], output), f"expected /{case['message']}/ in:\n{output}"
    if case.get("absent"):
        assert not re.search(case["absent"], output), f"unexpected /{case['absent']}/ in:\n{output}"
    allowed = case.get("writes", [])
    assert _snapshot(root, allowed) == {k: v for k, v in before.items()
                                        if not any(Path(k).match(g) for g in allowed)}, \
        "the run created, changed or removed a file it should not have"
    for glob, pattern in (case.get("contains") or {}).items():
        matches = sorted(root.glob(glob))
        assert matches, f"no file {glob} was written"
        for path in matches:
            assert re.search(pattern, path.read_text(encoding="utf-8")), f"expected /{pattern}/ in {path}"


def test_catalogue_is_large_and_names_are_unique():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    assert len(names) >= 40
