"""Every command in the README's sh and console blocks runs as written against the example, in a
temporary copy of the files it needs (addresses kept; a step that needs a mail server runs with
--dry-run). A command this test cannot run says why in SETUP_ONLY or EXTERNAL; a command that talks to a model
server runs against a scripted one at the address it names."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml

import pytest

from conftest import REPO

README = REPO / "README.md"
BRIEFGEN = [sys.executable, "-m", "briefgen"]

# installing and running the test suite are set-up steps: the suite itself runs this test
SETUP_ONLY = {"pip install -e .": "installs the package (the test runs the installed one)",
              "pip install -e '.[test]'": "installs the package with its test tools",
              "python -m pytest": "runs the test suite (this test is part of it)"}
# starting a model server is the user's own step: the next command runs against a scripted one
EXTERNAL = {"ollama serve & ollama pull qwen2.5:7b-instruct": "starts a model server briefgen does not ship"}


def _commands() -> list[tuple[str, str, bool]]:
    """(command, comment or '', expected to fail) for every command in the README's sh/console blocks."""
    text = README.read_text(encoding="utf-8")
    out: list[tuple[str, str, bool]] = []
    for kind, body in re.findall(r"```(sh|console)\n(.*?)```", text, re.S):
        lines = body.replace("\\\n", " ").splitlines()
        for i, line in enumerate(lines):
            if kind == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
                following = lines[i + 1] if i + 1 < len(lines) else ""
                fails = following.startswith("Error:") or ": error:" in following
            else:
                fails = False
            command, _, comment = line.partition(" #")
            command = " ".join(command.split())
            if command and not command.startswith("#"):
                out.append((command, comment.strip(), fails))
    return out


COMMANDS = _commands()


def _png(path: Path) -> None:
    """A real 1 × 1 PNG (the README's logo placeholder)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\x00\x1f\x3a\x5f")) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A copy of the example (as inputs/ and as brief.yaml with its sources) and a home folder."""
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO / "inputs", root / "inputs")
    shutil.copy(REPO / "inputs" / "ukraine-security-guarantees" / "brief.yaml", root / "brief.yaml")
    shutil.copytree(REPO / "inputs" / "ukraine-security-guarantees" / "sources", root / "sources")
    _png(root / "home" / "Pictures" / "acme-logo.png")
    (root / "home" / ".config").mkdir(parents=True)
    return root


def _prepare(root: Path, command: str, comment: str) -> None:
    """Set up what a console example's comment describes (a broken quote, a bad template setting)."""
    brief = root / "brief.yaml"
    original = (REPO / "inputs" / "ukraine-security-guarantees" / "brief.yaml").read_text(encoding="utf-8")
    brief.write_text(original, encoding="utf-8")
    drafted = re.match(r"briefgen draft .* -o (\S+)", command)
    if drafted:  # each section's example starts without the draft an earlier section wrote
        (root / drafted.group(1)).unlink(missing_ok=True)
    if command == "briefgen validate brief.yaml":  # the example shows a quote that is not in the source
        quote = "We discuss foreign troops' presence on land, in the sky and at sea."
        assert quote in original
        brief.write_text(original.replace(quote, quote.replace("land,", "land"), 1), encoding="utf-8")
    setting = re.search(r'with (\w+) = "([^"]*)"', comment)
    if setting and (root / "acme" / "template.toml").exists():
        toml = root / "acme" / "template.toml"
        text = toml.read_text(encoding="utf-8")
        key, value = setting.groups()
        if key == "size":
            text = text.replace('# size = "letter"', f'size = "{value}"', 1)
        else:
            text = re.sub(rf'(?m)^#?\s*{key} = .*$', f'{key} = "{value}"', text, count=1)
        toml.write_text(text, encoding="utf-8")
        if "-o" not in command:
            shutil.rmtree(root / "out", ignore_errors=True)


def _restore_template(root: Path) -> None:
    toml = root / "acme" / "template.toml"
    if toml.exists():
        fresh = REPO / "briefgen" / "templates" / "policy-brief" / "template.toml"
        toml.write_text(fresh.read_text(encoding="utf-8"), encoding="utf-8")


def _answer_from_example(request: dict) -> dict:
    """What a model that read the example well would answer: the example brief's first positions,
    each citing the document (as the request names it) that holds the quoted words."""
    sent = dict(re.findall(r'<<<DOCUMENT id="([^"]+)"[^>]*>>>\n(.*?)(?=<<<|\Z)',
                           "\n".join(m["content"] for m in request["messages"]), re.S))
    brief = yaml.safe_load((REPO / "inputs" / "ukraine-security-guarantees" / "brief.yaml").read_text("utf-8"))

    def cite(quote: str) -> list[dict]:
        return [{"source": sid, "quote": quote} for sid, text in sent.items() if quote in text][:1]

    actors = {a["id"]: a for a in brief["actors"]}
    options = {o["id"]: o for o in brief["options"]}
    answer: dict = {"actors": [], "positions": [], "options": [], "risks": [], "open_questions": []}
    for position in brief["positions"]:
        quotes = [c for cit in position["citations"] for c in cite(cit["quote"])]
        option = options.get(position["about"])
        if not quotes or option is None or len(answer["positions"]) >= 4:
            continue
        actor = actors[position["actor"]]
        if all(a["id"] != actor["id"] for a in answer["actors"]):
            answer["actors"].append({"id": actor["id"], "name": actor["name"], "kind": actor["kind"],
                                     "affiliation": actor.get("affiliation"), "citations": quotes})
        if all(o["id"] != option["id"] for o in answer["options"]):
            answer["options"].append({"id": option["id"], "title": option["title"],
                                      "description": option["description"], "citations": quotes})
        answer["positions"].append({"actor": actor["id"], "about": option["id"], "stance": position["stance"],
                                    "summary": position["summary"], "citations": quotes})
    return {"id": "readme", "object": "chat.completion", "model": "scripted",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": json.dumps(answer)}}]}


@contextlib.contextmanager
def _scripted_model(url: str):
    """A chat-completions server at the README's address (127.0.0.1) answering from the example."""
    parts = urlsplit(url)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            data = json.dumps(_answer_from_example(body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    assert parts.hostname == "127.0.0.1", "the README's model server is on this machine"
    try:
        server = ThreadingHTTPServer((parts.hostname, parts.port), Handler)
    except OSError as exc:
        pytest.skip(f"port {parts.port} is taken on this machine ({exc.strerror}); the scripted model needs it")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def _run(root: Path, command: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(root / "home"), "XDG_CONFIG_HOME": str(root / "home" / ".config")}
    env.pop("BRIEFGEN_SMTP_PASSWORD", None)
    env["XDG_CACHE_HOME"] = str(root / "home" / ".cache")
    results = None
    for part in command.split(" && "):
        if part in SETUP_ONLY:
            continue
        argv = shlex.split(part)
        if argv[0] == "briefgen":
            argv = BRIEFGEN + argv[1:]
        if "--send" in argv:  # never connect: show what would be sent instead
            argv[argv.index("--send")] = "--dry-run"
        argv = [str(Path(a).expanduser()) if a.startswith("~/") else a for a in argv]
        if argv[0] == "cp":
            argv = [a.replace(str(Path("~").expanduser()), str(root / "home")) for a in argv]
        results = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=300)
        if results.returncode:
            break
    return results


def test_the_readme_has_commands_and_only_named_ones_are_set_up_steps():
    assert len(COMMANDS) >= 10
    skipped = [part for c, _, _ in COMMANDS for part in c.split(" && ") if part in SETUP_ONLY]
    assert sorted(set(skipped)) == sorted(SETUP_ONLY)
    assert all(any(c == external for c, _, _ in COMMANDS) for external in EXTERNAL)


def _param(command: str, comment: str, fails: bool):
    return pytest.param(command, comment, fails, id=command[:70])


@pytest.mark.parametrize("command, comment, fails", [_param(*c) for c in COMMANDS])
def test_readme_command_runs_as_written(command, comment, fails, workdir):
    if all(part in SETUP_ONLY for part in command.split(" && ")):
        pytest.skip(f"set-up step: {SETUP_ONLY[command.split(' && ')[0]]}")
    if command in EXTERNAL:
        pytest.skip(f"the user's own step: {EXTERNAL[command]}")
    _prepare(workdir, command, comment)
    model = re.search(r"--llm-url (\S+)", command)
    try:
        with _scripted_model(model.group(1)) if model else contextlib.nullcontext():
            result = _run(workdir, command)
    finally:
        if re.search(r'with \w+ = "', comment):
            _restore_template(workdir)
    assert result is not None
    if fails:
        assert result.returncode != 0 and "Error:" in result.stderr + result.stdout, (command, result.stdout)
        assert "Traceback" not in result.stderr
    else:
        assert result.returncode == 0, (command, result.stdout, result.stderr)
