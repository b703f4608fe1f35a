"""``briefgen email`` without a mail server: outputs, building, the .eml, config and the refusals."""

from __future__ import annotations

import os
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefgen.build import brief_name, default_output_dir
from briefgen.cli import main
from conftest import MINIMAL_BRIEF, SOURCE_TEXT

FROM = "Jane Analyst <jane@example.org>"


@pytest.fixture(autouse=True)
def _no_user_config(no_user_config):
    """Never read the real user's config file or password (see conftest)."""


def run(*args: str, input: str | None = None):
    """Run the command line in-process."""
    return CliRunner().invoke(main, ["email", *args], input=input)


def with_marking(brief_dir: Path, tlp: str) -> Path:
    """Give the fixture brief a TLP marking."""
    brief = brief_dir / "brief.yaml"
    brief.write_text(MINIMAL_BRIEF.replace("  date: 2025-02-15\n", f"  date: 2025-02-15\n  marking: {{tlp: '{tlp}'}}\n"),
                     encoding="utf-8")
    return brief


def record_as_built(brief: Path, out: Path) -> None:
    """Write the manifest a default build of ``brief`` into ``out`` would write for the files there now."""
    import hashlib

    from briefgen import outputs as outs
    from briefgen.brief.check import check_file
    from briefgen.build import settings_for

    report = check_file(brief)
    tlp = report.brief.meta.marking.tlp
    manifest = outs.Manifest(folder=out, brief=outs.brief_reference(out, brief),
                             inputs=outs.inputs_digest(brief.read_bytes(), report.texts),
                             settings=outs.settings_digest(*settings_for(None)), tlp=tlp.value if tlp else None)
    name = brief_name(brief)
    for path in out.iterdir():
        if path.name.startswith(name + ".") and path.suffix in (".docx", ".pdf", ".md"):
            manifest.outputs[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    outs.manifest_path(out, name).write_bytes(manifest.to_bytes())


def fake_outputs(brief: Path, out: Path) -> dict[str, bytes]:
    """Put stand-in outputs in ``out``, recorded in a manifest as this brief's current outputs."""
    out.mkdir(parents=True, exist_ok=True)
    files = {"docx": b"PK\x03\x04 fake docx \x00\xff", "pdf": b"%PDF-1.7 fake pdf \x00\xff"}
    for fmt, data in files.items():
        path = out / f"{brief_name(brief)}.{fmt}"
        path.write_bytes(data)
    record_as_built(brief, out)
    return files


def parse(path: Path):
    """Parse a saved .eml."""
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def attached(msg) -> dict[str, bytes]:
    """File name -> bytes of every attachment."""
    return {part.get_filename(): part.get_payload(decode=True) for part in msg.iter_attachments()}


# --------------------------------------------------------------------------- the .eml


def test_email_packages_existing_outputs_without_building(brief_dir):
    brief = brief_dir / "brief.yaml"
    out = brief_dir / "out"
    files = fake_outputs(brief, out)
    eml = brief_dir / "message.eml"
    result = run(str(brief), "--to", "colleague@example.org", "--from", FROM, "--outputs", str(out), "-o", str(eml))
    assert result.exit_code == 0, result.output
    assert "Building" not in result.output
    assert f"Wrote {eml}" in result.output
    name = brief_name(brief)
    assert attached(parse(eml)) == {f"{name}.docx": files["docx"], f"{name}.pdf": files["pdf"]}


def test_email_builds_missing_outputs_and_attaches_them_byte_for_byte(brief_dir):
    brief = brief_dir / "brief.yaml"
    out = brief_dir / "out"
    eml = brief_dir / "message.eml"
    result = run(str(brief), "--to", "colleague@example.org", "--from", FROM, "--outputs", str(out),
                 "-o", str(eml), "--attach", "docx,pdf,md")
    assert result.exit_code == 0, result.output
    assert "Building docx, pdf, md" in result.output
    name = brief_name(brief)
    built = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.endswith(".build.json")}
    assert set(built) == {f"{name}.docx", f"{name}.pdf", f"{name}.md"}
    assert (out / f".{name}.build.json").is_file()
    msg = parse(eml)
    assert attached(msg) == built
    types = {part.get_filename(): part.get_content_type() for part in msg.iter_attachments()}
    assert types == {f"{name}.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     f"{name}.pdf": "application/pdf", f"{name}.md": "text/markdown"}
    assert built[f"{name}.pdf"].startswith(b"%PDF") and built[f"{name}.docx"].startswith(b"PK")


def test_email_rebuilds_outputs_changed_since_their_build_and_ignores_file_times(brief_dir):
    brief = brief_dir / "brief.yaml"
    out = brief_dir / "out"
    fake_outputs(brief, out)
    name = brief_name(brief)
    stale = out / f"{name}.docx"
    stale.write_bytes(b"PK\x03\x04 fake docx, edited after the build")
    pdf = out / f"{name}.pdf"
    earlier = brief.stat().st_mtime - 60  # older than the brief, but what the build wrote: still fresh
    os.utime(pdf, (earlier, earlier))
    result = run(str(brief), "--to", "colleague@example.org", "--from", FROM, "--outputs", str(out))
    assert result.exit_code == 0, result.output
    assert "Building docx from" in result.output
    assert stale.read_bytes().startswith(b"PK") and b"fake" not in stale.read_bytes()
    assert pdf.read_bytes().startswith(b"%PDF-1.7 fake")  # fresh: left alone
    assert attached(parse(out / f"{name}.eml"))[f"{name}.docx"] == stale.read_bytes()


def test_email_rebuilds_every_output_when_a_source_changed_though_the_files_are_newer(brief_dir):
    brief = brief_dir / "brief.yaml"
    out = brief_dir / "out"
    fake_outputs(brief, out)
    name = brief_name(brief)
    article = brief_dir / "article.txt"
    article.write_text(article.read_text(encoding="utf-8") + "A later paragraph.\n", encoding="utf-8")
    later = article.stat().st_mtime + 60
    for fmt in ("docx", "pdf"):
        os.utime(out / f"{name}.{fmt}", (later, later))
    result = run(str(brief), "--to", "colleague@example.org", "--from", FROM, "--outputs", str(out))
    assert result.exit_code == 0, result.output
    assert "Building docx, pdf from" in result.output
    assert b"fake" not in (out / f"{name}.docx").read_bytes() and b"fake" not in (out / f"{name}.pdf").read_bytes()


def test_default_outputs_folder_is_the_build_commands(brief_dir, monkeypatch):
    monkeypatch.chdir(brief_dir)
    result = run("brief.yaml", "--to", "colleague@example.org", "--from", FROM, "--attach", "docx")
    assert result.exit_code == 0, result.output
    folder = default_output_dir(Path("brief.yaml"))
    name = brief_name(Path("brief.yaml"))
    assert (brief_dir / folder / f"{name}.docx").is_file()
    assert (brief_dir / folder / f"{name}.eml").is_file()


def test_source_date_epoch_makes_the_message_reproducible(brief_dir, monkeypatch):
    brief = brief_dir / "brief.yaml"
    out = brief_dir / "out"
    fake_outputs(brief, out)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1739606400")
    args = [str(brief), "--to", "colleague@example.org", "--from", FROM, "--outputs", str(out)]
    assert run(*args, "-o", str(brief_dir / "a.eml")).exit_code == 0
    time.sleep(1.1)
    assert run(*args, "-o", str(brief_dir / "b.eml")).exit_code == 0
    assert (brief_dir / "a.eml").read_bytes() == (brief_dir / "b.eml").read_bytes()
    assert parse(brief_dir / "a.eml")["Date"] == "Sat, 15 Feb 2025 08:00:00 +0000"


def test_subject_recipients_and_reply_to_are_written(brief_dir):
    brief = brief_dir / "brief.yaml"
    out = brief_dir / "out"
    fake_outputs(brief, out)
    eml = brief_dir / "m.eml"
    result = run(str(brief), "--to", "a@example.org, Zoë Ŝmith <zoe@example.org>", "--to", "c@example.org",
                 "--cc", "cc@example.org", "--bcc", "secret@example.org", "--reply-to", "desk@example.org",
                 "--from", FROM, "--subject", "Брифінг: гарантії", "--outputs", str(out), "-o", str(eml))
    assert result.exit_code == 0, result.output
    assert "Bcc recipients are not stored" in result.output
    msg = parse(eml)
    assert str(msg["Subject"]) == "Брифінг: гарантії"
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [
        ("", "a@example.org"), ("Zoë Ŝmith", "zoe@example.org"), ("", "c@example.org")]
    assert msg["Cc"].addresses[0].addr_spec == "cc@example.org"
    assert msg["Reply-To"].addresses[0].addr_spec == "desk@example.org"
    assert "Bcc" not in msg and b"secret@example.org" not in eml.read_bytes()


def test_default_subject_carries_the_tlp_label(brief_dir):
    brief = with_marking(brief_dir, "amber")
    out = brief_dir / "out"
    fake_outputs(brief, out)
    eml = brief_dir / "m.eml"
    assert run(str(brief), "--to", "a@example.org", "--from", FROM, "--outputs", str(out), "-o", str(eml)).exit_code == 0
    assert str(parse(eml)["Subject"]) == "[TLP:AMBER] A test brief — 2025-02-15"


# --------------------------------------------------------------------------- refusals


def test_invalid_address_is_refused_and_named(brief_dir):
    result = run(str(brief_dir / "brief.yaml"), "--to", "good@example.org, bad@@example", "--from", FROM,
                 "--outputs", str(brief_dir / "out"))
    assert result.exit_code == 1
    assert "Error: invalid To address 'bad@@example'" in result.output
    assert not (brief_dir / "out").exists()


def test_line_break_in_subject_is_refused(brief_dir):
    brief = brief_dir / "brief.yaml"
    fake_outputs(brief, brief_dir / "out")
    result = run(str(brief), "--to", "a@example.org", "--from", FROM, "--outputs", str(brief_dir / "out"),
                 "--subject", "Hello\r\nBcc: victim@example.org")
    assert result.exit_code == 1
    assert "the subject must not contain a line break" in result.output
    assert not list((brief_dir / "out").glob("*.eml"))


def test_attachments_over_the_limit_are_refused_with_their_sizes(brief_dir):
    brief = brief_dir / "brief.yaml"
    files = fake_outputs(brief, brief_dir / "out")
    result = run(str(brief), "--to", "a@example.org", "--from", FROM, "--outputs", str(brief_dir / "out"),
                 "--max-size", "0.00001")
    assert result.exit_code == 1
    name = brief_name(brief)
    assert f"{name}.docx {len(files['docx'])} bytes" in result.output
    assert f"{name}.pdf {len(files['pdf'])} bytes" in result.output
    assert "over the limit of 10 bytes" in result.output and "--max-size" in result.output


def test_unknown_attachment_format_is_a_usage_error(brief_dir):
    result = run(str(brief_dir / "brief.yaml"), "--to", "a@example.org", "--from", FROM, "--attach", "docx,odt")
    assert result.exit_code == 2
    assert "unknown format 'odt'" in result.output


def test_missing_sender_is_explained(brief_dir):
    result = run(str(brief_dir / "brief.yaml"), "--to", "a@example.org")
    assert result.exit_code == 1
    assert "no sender: pass --from" in result.output


def test_a_brief_with_errors_is_not_emailed(brief_dir):
    brief = brief_dir / "brief.yaml"
    brief.write_text(MINIMAL_BRIEF.replace("only truly reliable", "only really reliable"), encoding="utf-8")
    result = run(str(brief), "--to", "a@example.org", "--from", FROM, "--outputs", str(brief_dir / "out"))
    assert result.exit_code == 1
    assert "quote not found" in result.output and "before emailing" in result.output
    assert not (brief_dir / "out").exists()
    assert "Traceback" not in result.output


def test_starttls_and_ssl_exclude_each_other(brief_dir):
    result = run(str(brief_dir / "brief.yaml"), "--to", "a@example.org", "--from", FROM, "--send",
                 "--starttls", "--ssl")
    assert result.exit_code == 2
    assert "exclude each other" in result.output


def test_password_is_never_a_command_line_option(brief_dir):
    result = run(str(brief_dir / "brief.yaml"), "--to", "a@example.org", "--from", FROM, "--smtp-password", "x")
    assert result.exit_code == 2
    assert "No such option" in result.output


@pytest.mark.parametrize("tlp", ["red", "amber+strict"])
def test_restricted_marking_is_not_sent_without_yes(brief_dir, tlp):
    brief = with_marking(brief_dir, tlp)
    result = run(str(brief), "--to", "a@example.org", "--from", FROM, "--send", "--smtp-host", "127.0.0.1",
                 "--smtp-port", "9", "--outputs", str(brief_dir / "out"))
    assert result.exit_code == 1
    assert f"is marked TLP:{tlp.upper()}" in result.output and "--yes" in result.output
    assert "connect" not in result.output


def test_send_without_a_server_says_so_and_keeps_the_message(brief_dir):
    brief = brief_dir / "brief.yaml"
    fake_outputs(brief, brief_dir / "out")
    eml = brief_dir / "m.eml"
    result = run(str(brief), "--to", "a@example.org", "--from", FROM, "--send", "--outputs", str(brief_dir / "out"),
                 "-o", str(eml))
    assert result.exit_code == 1
    assert "no SMTP server: pass --smtp-host" in result.output and f"saved in {eml}" in result.output
    assert eml.is_file()


def test_dry_run_shows_what_would_be_sent_and_connects_nowhere(brief_dir, monkeypatch):
    brief = with_marking(brief_dir, "red")
    fake_outputs(brief, brief_dir / "out")
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", "not shown")
    result = run(str(brief), "--to", "a@example.org", "--cc", "c@example.org", "--bcc", "b@example.org",
                 "--from", FROM, "--dry-run", "--smtp-host", "smtp.invalid", "--smtp-user", "jane", "--ssl",
                 "--outputs", str(brief_dir / "out"))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "would send through smtp.invalid:465 (SSL/TLS) as user 'jane'" in out
    assert "password:  from $BRIEFGEN_SMTP_PASSWORD" in out and "not shown" not in out
    assert "3 recipients: a@example.org, c@example.org, b@example.org" in out
    assert "sending would be refused without --yes" in out
    assert "Nothing was sent." in out


# --------------------------------------------------------------------------- config file


def test_config_file_supplies_sender_and_smtp_defaults(brief_dir, tmp_path, monkeypatch):
    cfg = tmp_path / "conf.toml"
    cfg.write_text('[email]\nfrom = "Desk <desk@example.org>"\ncc = ["archive@example.org"]\n'
                   '[smtp]\nhost = "mail.example.org"\nport = 2525\nsecurity = "ssl"\nuser = "desk"\n'
                   'password_env = "DESK_PW"\n', encoding="utf-8")
    monkeypatch.setenv("BRIEFGEN_CONFIG", str(cfg))
    brief = brief_dir / "brief.yaml"
    fake_outputs(brief, brief_dir / "out")
    result = run(str(brief), "--to", "a@example.org", "--dry-run", "--outputs", str(brief_dir / "out"))
    assert result.exit_code == 0, result.output
    assert "mail.example.org:2525 (SSL/TLS) as user 'desk'" in result.output
    assert "from:      desk@example.org" in result.output
    assert "password:  from a prompt" in result.output
    assert "a@example.org, archive@example.org" in result.output


@pytest.mark.parametrize("text, expected", [
    ("[smtp]\npassword = 'hunter2'\n", "password is not allowed"),
    ("[smtp]\nhots = 'x'\n", "smtp.hots: Extra inputs are not permitted"),
    ("[smtp]\nport = 99999\n", "smtp.port"),
    ("[smtp\n", "config file"),
])
def test_bad_config_file_is_reported_with_its_path(brief_dir, tmp_path, monkeypatch, text, expected):
    cfg = tmp_path / "conf.toml"
    cfg.write_text(text, encoding="utf-8")
    monkeypatch.setenv("BRIEFGEN_CONFIG", str(cfg))
    result = run(str(brief_dir / "brief.yaml"), "--to", "a@example.org", "--from", FROM)
    assert result.exit_code == 1
    assert str(cfg) in result.output and expected in result.output
    assert "hunter2" not in result.output
    assert "Traceback" not in result.output


def test_config_named_by_env_var_must_exist(brief_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFGEN_CONFIG", str(tmp_path / "missing.toml"))
    result = run(str(brief_dir / "brief.yaml"), "--to", "a@example.org", "--from", FROM)
    assert result.exit_code == 1
    assert "config file not found" in result.output


def test_default_config_location_follows_xdg(monkeypatch, tmp_path):
    from briefgen.config import config_path, load_config

    monkeypatch.delenv("BRIEFGEN_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == tmp_path / "briefgen" / "config.toml"
    assert load_config().smtp.host is None  # a missing default file means defaults
    (tmp_path / "briefgen").mkdir()
    (tmp_path / "briefgen" / "config.toml").write_text('[smtp]\nhost = "h.example.org"\ncafile = "ca.pem"\n')
    config = load_config()
    assert config.smtp.host == "h.example.org"
    assert config.smtp.cafile == tmp_path / "briefgen" / "ca.pem"


def test_help_shows_an_example():
    result = CliRunner().invoke(main, ["email", "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "briefgen email brief.yaml --to" in result.output


# --------------------------------------------------------------------------- the example message

EXAMPLE_BRIEF = Path(__file__).resolve().parent.parent / "inputs" / "ukraine-security-guarantees" / "brief.yaml"
EXAMPLE_EML = EXAMPLE_BRIEF.parent.parent.parent / "examples" / "ukraine-security-guarantees" / \
    "ukraine-security-guarantees.eml"
EXAMPLE_EPOCH = "1739610000"  # 2025-02-15 09:00 UTC, the brief's date
EXAMPLE_ARGS = ["--to", "Policy Planning Staff <policy-planning@example.org>",
                "--cc", "Europe Desk <europe-desk@example.org>",
                "--from", "Jane Analyst <jane.analyst@example.org>",
                "--reply-to", "Briefs desk <briefs@example.org>"]
REGENERATE = "BRIEFGEN_REGENERATE_EXAMPLES"


def test_example_message_is_regenerated_only_on_purpose():
    assert not os.environ.get(REGENERATE), f"{REGENERATE} is set: example files were rewritten, not checked"


@pytest.mark.skipif(not EXAMPLE_BRIEF.is_file(), reason="the example brief is not in this checkout")
def test_example_message_parses_renders_the_key_judgments_and_is_reproducible(tmp_path, monkeypatch):
    from briefgen.brief.check import check_file

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EXAMPLE_EPOCH)
    if os.environ.get(REGENERATE):
        # Attach the example outputs beside the message when they are there (copies, so nothing
        # in examples/ is rebuilt); otherwise build them.
        out = tmp_path / "out"
        out.mkdir()
        for suffix in (".docx", ".pdf"):
            shipped = EXAMPLE_EML.with_suffix(suffix)
            if shipped.is_file():
                (out / shipped.name).write_bytes(shipped.read_bytes())
        record_as_built(EXAMPLE_BRIEF, out)
        result = run(str(EXAMPLE_BRIEF), *EXAMPLE_ARGS, "--outputs", str(out), "-o", str(EXAMPLE_EML))
        assert result.exit_code == 0, result.output
    msg = parse(EXAMPLE_EML)
    assert not msg.defects
    assert msg["Date"] == "Sat, 15 Feb 2025 09:00:00 +0000"
    brief = check_file(EXAMPLE_BRIEF).brief
    assert str(msg["Subject"]) == f"[TLP:CLEAR] {brief.meta.title} — {brief.meta.date.isoformat()}"
    html_text = msg.get_body(preferencelist=("html",)).get_content()
    import html

    for kj in brief.key_judgments:
        assert html.escape(kj.text) in html_text
    files = {p.get_filename(): (p.get_content_type(), p.get_payload(decode=True)) for p in msg.iter_attachments()}
    assert sorted(files) == ["ukraine-security-guarantees.docx", "ukraine-security-guarantees.pdf"]
    assert files["ukraine-security-guarantees.pdf"][0] == "application/pdf"
    # Rebuilding the message from the same attachments gives the same bytes.
    out = tmp_path / "outputs"
    out.mkdir()
    for name, (_, data) in files.items():
        (out / name).write_bytes(data)
    record_as_built(EXAMPLE_BRIEF, out)  # the example's outputs are what the current code builds
    again = tmp_path / "again.eml"
    result = run(str(EXAMPLE_BRIEF), *EXAMPLE_ARGS, "--outputs", str(out), "-o", str(again))
    assert result.exit_code == 0, result.output
    assert "Building" not in result.output
    assert again.read_bytes() == EXAMPLE_EML.read_bytes(), \
        f"the example message is out of date; regenerate it with {REGENERATE}=1 pytest {__file__} -k example"


def test_the_readme_dry_run_runs_as_written_with_no_server_and_no_sender(tmp_path, monkeypatch):
    """`briefgen email brief.yaml --to colleague@example.org --dry-run` in the example brief's folder."""
    import shutil

    from conftest import EXAMPLE_DIR

    folder = tmp_path / "ukraine-security-guarantees"
    shutil.copytree(EXAMPLE_DIR, folder)
    monkeypatch.chdir(folder)
    result = run("brief.yaml", "--to", "colleague@example.org", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "no sender is configured; the .eml says From: Sender not configured <sender@example.invalid>" \
        in result.output
    assert "Dry run: no SMTP server is configured" in result.output
    assert result.output.rstrip().endswith("Nothing was sent.")
    eml = folder / "out" / "ukraine-security-guarantees" / "ukraine-security-guarantees.eml"
    assert parse(eml)["From"].addresses[0].addr_spec == "sender@example.invalid"


def test_a_brief_reading_sources_outside_its_folder_is_emailed_only_with_allow_outside(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "article.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    folder = tmp_path / "brief"
    folder.mkdir()
    (folder / "brief.yaml").write_text(MINIMAL_BRIEF.replace("path: article.txt", "path: ../shared/article.txt"),
                                       encoding="utf-8")
    args = [str(folder / "brief.yaml"), "--to", "b@example.org", "--from", FROM, "--outputs", str(tmp_path / "out"),
            "-o", str(tmp_path / "m.eml")]
    refused = run(*args)
    assert refused.exit_code == 1, refused.output
    assert "leads outside the brief's folder" in refused.output and "--allow-outside" in refused.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "m.eml").exists()
    allowed = run(*args, "--allow-outside", str(shared))
    assert allowed.exit_code == 0, allowed.output
    message = BytesParser(policy=policy.default).parsebytes((tmp_path / "m.eml").read_bytes())
    assert sorted(part.get_filename() for part in message.iter_attachments()) == ["brief.docx", "brief.pdf"]
