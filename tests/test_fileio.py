"""Every file briefgen reads goes through one capped reader that refuses anything but a regular file."""

from __future__ import annotations

import os
import threading

import pytest
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.fileio import ReadRefused, check_regular, read_capped

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")


def _in_thread(fn):
    """Run ``fn`` in a thread; return (finished, result or exception). A reader that blocks never finishes."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["value"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)  # a generous bound: a blocked open() on a pipe with no writer never returns at all
    return not thread.is_alive(), box.get("value")


def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "brief.yaml"
    os.mkfifo(fifo)
    finished, value = _in_thread(lambda: read_capped(fifo, 1024))
    assert finished, "read_capped blocked on a named pipe"
    assert isinstance(value, ReadRefused) and value.kind == "special"
    assert str(value) == f"{fifo} is not a regular file (a pipe, device or socket)"


def test_a_file_over_the_cap_is_refused_and_one_at_the_cap_is_read(tmp_path):
    path = tmp_path / "source.txt"
    path.write_bytes(b"x" * 2049)
    with pytest.raises(ReadRefused) as info:
        read_capped(path, 2048)
    assert info.value.kind == "too_large" and info.value.size == 2049
    assert read_capped(path, 2049) == b"x" * 2049
    assert check_regular(path, 2049) == 2049


def test_a_missing_file_and_a_folder_are_refused_by_kind(tmp_path):
    with pytest.raises(ReadRefused) as info:
        read_capped(tmp_path / "nope.txt", 10)
    assert info.value.kind == "missing"
    with pytest.raises(ReadRefused) as info:
        read_capped(tmp_path, 10)
    assert info.value.kind == "folder"


def test_validate_refuses_a_pipe_named_as_the_brief_with_one_line(tmp_path):
    fifo = tmp_path / "brief.yaml"
    os.mkfifo(fifo)
    finished, result = _in_thread(lambda: CliRunner().invoke(main, ["validate", str(fifo)]))
    assert finished, "briefgen validate blocked on a named pipe"
    assert result.exit_code == 1, result.output
    assert f"{fifo}:1:1: error: is not a regular file (a pipe, device or socket)" in result.output
    assert "Traceback" not in result.output


def test_a_source_that_is_a_pipe_is_reported_not_waited_for(tmp_path):
    from briefgen.sources.readers import SourceReadError, read_source

    fifo = tmp_path / "speech.txt"
    os.mkfifo(fifo)
    finished, value = _in_thread(lambda: read_source(fifo))
    assert finished, "read_source blocked on a named pipe"
    assert isinstance(value, SourceReadError) and "not a regular file" in str(value)


def test_a_config_file_that_is_a_pipe_is_refused(tmp_path):
    from briefgen.config import load_config
    from briefgen.errors import InputError

    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    finished, value = _in_thread(lambda: load_config(fifo))
    assert finished, "load_config blocked on a named pipe"
    assert isinstance(value, InputError) and f"cannot read config file {fifo}" in str(value)
