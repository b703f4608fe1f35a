"""``briefgen email --send`` against a real SMTP server on 127.0.0.1 (aiosmtpd) with STARTTLS and AUTH."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefgen.build import brief_name
from briefgen.cli import main
from conftest import MINIMAL_BRIEF

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")

USER, PASSWORD = "jane", "s3cret pässword"
FROM = "Jane Analyst <jane@example.org>"
TIMEOUT = "5"  # seconds: every client step is bounded, so no test can hang


# --------------------------------------------------------------------------- certificates


def _make_cert_with_cryptography(cert: Path, key: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(private.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(private.public_key()), critical=False)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))


def _make_cert_with_openssl(cert: Path, key: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, made at test time: (cert.pem, key.pem)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        _make_cert_with_cryptography(cert, key)
    except ImportError:
        if shutil.which("openssl") is None:
            pytest.skip("neither the 'cryptography' package nor the openssl program is available "
                        "to make a test certificate")
        _make_cert_with_openssl(cert, key)
    return cert, key


# --------------------------------------------------------------------------- the server


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool
    login: str | None


class Recorder:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Received] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Refuse mailboxes called 'nobody', accept the rest."""
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Keep the message and accept it."""
        login = session.auth_data.login.decode() if session.auth_data is not None else None
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content, session.ssl is not None, login))
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    """Accept only USER with PASSWORD."""
    ok = (isinstance(auth_data, aiosmtpd_smtp.LoginPassword)
          and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode())
    return aiosmtpd_smtp.AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


@pytest.fixture
def smtp_server(certificate):
    """A STARTTLS server on 127.0.0.1 that requires TLS and then a login."""
    cert, key = certificate
    recorder = Recorder()
    controller = aiosmtpd_controller.Controller(
        recorder, hostname="127.0.0.1", port=free_port(), ready_timeout=10,
        tls_context=_server_context(cert, key), require_starttls=True,
        auth_require_tls=True, auth_required=True, authenticator=authenticator, timeout=10,
    )
    controller.start()
    try:
        yield controller, recorder
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _no_user_config(no_user_config):
    """Never read the real user's config file or password (see conftest)."""


@pytest.fixture
def built(brief_dir) -> tuple[Path, Path]:
    """The fixture brief with its .docx and .pdf really built: (brief path, outputs folder)."""
    from briefgen.build import build_brief

    brief = brief_dir / "brief.yaml"
    out = brief_dir / "out"
    build_brief(brief, out, formats=("docx", "pdf"))
    return brief, out


def send_args(brief: Path, out: Path, port: int, *extra: str) -> list[str]:
    """Command-line arguments for sending through the test server."""
    return ["email", str(brief), "--to", "Colleague <colleague@example.org>", "--cc", "cc@example.org",
            "--bcc", "hidden@example.org", "--from", FROM, "--outputs", str(out),
            "--send", "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-timeout", TIMEOUT, *extra]


def parse(data: bytes):
    """Parse message bytes."""
    return BytesParser(policy=policy.default).parsebytes(data)


# --------------------------------------------------------------------------- delivery


def test_send_over_starttls_with_login_delivers_the_message_and_attachments(smtp_server, built, certificate,
                                                                          monkeypatch):
    controller, recorder = smtp_server
    brief, out = built
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    result = CliRunner().invoke(main, send_args(brief, out, controller.port, "--starttls",
                                                "--smtp-user", USER, "--smtp-cafile", str(certificate[0])))
    assert result.exit_code == 0, result.output
    assert "Sent to 3 recipients through 127.0.0.1" in result.output
    assert len(recorder.messages) == 1
    got = recorder.messages[0]
    assert got.tls and got.login == USER
    assert got.mail_from == "jane@example.org"
    assert sorted(got.rcpt_tos) == ["cc@example.org", "colleague@example.org", "hidden@example.org"]
    name = brief_name(brief)
    saved = (out / f"{name}.eml").read_bytes()
    assert got.content.rstrip(b"\r\n") == saved.rstrip(b"\r\n")  # what was sent is what was saved
    msg = parse(got.content)
    assert "Bcc" not in msg and b"hidden@example.org" not in got.content
    assert msg["To"].addresses[0].addr_spec == "colleague@example.org"
    attachments = {part.get_filename(): part.get_payload(decode=True) for part in msg.iter_attachments()}
    assert attachments == {f"{name}.docx": (out / f"{name}.docx").read_bytes(),
                           f"{name}.pdf": (out / f"{name}.pdf").read_bytes()}
    assert "A test brief" in msg.get_body(preferencelist=("html",)).get_content()


def test_password_can_be_typed_at_the_prompt(smtp_server, built, certificate):
    controller, recorder = smtp_server
    brief, out = built
    result = CliRunner().invoke(main, send_args(brief, out, controller.port, "--smtp-user", USER,
                                                "--smtp-cafile", str(certificate[0])), input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert f"SMTP password for {USER}@127.0.0.1" in result.output
    assert PASSWORD not in result.output
    assert len(recorder.messages) == 1 and recorder.messages[0].login == USER


def test_smtp_settings_can_come_from_the_config_file(smtp_server, built, certificate, tmp_path, monkeypatch):
    controller, recorder = smtp_server
    brief, out = built
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[email]\nfrom = "Desk <desk@example.org>"\n[smtp]\nhost = "127.0.0.1"\n'
                   f'port = {controller.port}\nsecurity = "starttls"\nuser = "{USER}"\n'
                   f'password_env = "MY_MAIL_PW"\ncafile = "{certificate[0]}"\ntimeout = 5\n', encoding="utf-8")
    monkeypatch.setenv("BRIEFGEN_CONFIG", str(cfg))
    monkeypatch.setenv("MY_MAIL_PW", PASSWORD)
    result = CliRunner().invoke(main, ["email", str(brief), "--to", "colleague@example.org",
                                       "--outputs", str(out), "--send"])
    assert result.exit_code == 0, result.output
    assert recorder.messages[0].mail_from == "desk@example.org"


def test_a_restricted_brief_is_sent_with_yes(smtp_server, built, certificate, monkeypatch):
    controller, recorder = smtp_server
    brief, out = built
    brief.write_text(MINIMAL_BRIEF.replace("  date: 2025-02-15\n", "  date: 2025-02-15\n  marking: {tlp: RED}\n"),
                     encoding="utf-8")
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    args = send_args(brief, out, controller.port, "--smtp-user", USER, "--smtp-cafile", str(certificate[0]))
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1 and "TLP:RED" in refused.output and recorder.messages == []
    result = CliRunner().invoke(main, [*args, "--yes"])
    assert result.exit_code == 0, result.output
    assert str(parse(recorder.messages[0].content)["Subject"]).startswith("[TLP:RED] ")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_ssl_from_the_start_works_too(certificate, built, monkeypatch):
    cert, key = certificate
    recorder = Recorder()
    controller = aiosmtpd_controller.Controller(
        recorder, hostname="127.0.0.1", port=free_port(), ready_timeout=10, ssl_context=_server_context(cert, key),
        auth_required=True, auth_require_tls=False,  # the whole connection is TLS; aiosmtpd only tracks STARTTLS
        authenticator=authenticator, timeout=10)
    controller.start()
    try:
        brief, out = built
        monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
        result = CliRunner().invoke(main, send_args(brief, out, controller.port, "--ssl", "--smtp-user", USER,
                                                    "--smtp-cafile", str(cert)))
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert "(SSL/TLS)" in result.output
    assert len(recorder.messages) == 1 and recorder.messages[0].login == USER


# --------------------------------------------------------------------------- failures


def _assert_failed_but_saved(result, brief: Path, out: Path, *phrases: str) -> None:
    assert result.exit_code != 0
    assert result.output.startswith("Wrote ") or "Wrote " in result.output
    assert "Traceback" not in result.output
    eml = out / f"{brief_name(brief)}.eml"
    assert eml.is_file()
    assert f"The message was NOT sent; it is saved in {eml}" in result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


def test_refused_login_is_a_clear_error_and_the_message_stays_on_disk(smtp_server, built, certificate, monkeypatch):
    controller, recorder = smtp_server
    brief, out = built
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", "wrong")
    result = CliRunner().invoke(main, send_args(brief, out, controller.port, "--smtp-user", USER,
                                                "--smtp-cafile", str(certificate[0])))
    _assert_failed_but_saved(result, brief, out, f"refused the login for user '{USER}'", "535")
    assert recorder.messages == []


def test_closed_port_is_a_clear_error(built):
    brief, out = built
    port = free_port()
    result = CliRunner().invoke(main, send_args(brief, out, port))
    _assert_failed_but_saved(result, brief, out, f"cannot connect to 127.0.0.1:{port}: connection refused")


def test_untrusted_certificate_is_a_tls_failure_with_a_hint(smtp_server, built, monkeypatch):
    controller, recorder = smtp_server
    brief, out = built
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    result = CliRunner().invoke(main, send_args(brief, out, controller.port, "--smtp-user", USER))
    _assert_failed_but_saved(result, brief, out, "TLS failed with 127.0.0.1", "could not be verified",
                             "--smtp-cafile")
    assert recorder.messages == []


def test_ssl_against_a_starttls_port_is_a_tls_failure(smtp_server, built, certificate):
    controller, _ = smtp_server
    brief, out = built
    result = CliRunner().invoke(main, send_args(brief, out, controller.port, "--ssl",
                                                "--smtp-cafile", str(certificate[0])))
    _assert_failed_but_saved(result, brief, out, "TLS failed with 127.0.0.1")


def test_server_without_starttls_is_refused_clearly(built):
    recorder = Recorder()
    controller = aiosmtpd_controller.Controller(recorder, hostname="127.0.0.1", port=free_port(),
                                                ready_timeout=10, timeout=10)
    controller.start()
    try:
        brief, out = built
        result = CliRunner().invoke(main, send_args(brief, out, controller.port, "--starttls"))
    finally:
        controller.stop()
    _assert_failed_but_saved(result, brief, out, "does not offer STARTTLS")
    assert recorder.messages == []


def test_a_local_relay_without_tls_or_login_works_with_no_tls(built):
    recorder = Recorder()
    controller = aiosmtpd_controller.Controller(recorder, hostname="127.0.0.1", port=free_port(),
                                                ready_timeout=10, timeout=10)
    controller.start()
    try:
        brief, out = built
        result = CliRunner().invoke(main, send_args(brief, out, controller.port, "--no-tls"))
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert "(no encryption)" in result.output
    assert len(recorder.messages) == 1 and not recorder.messages[0].tls


def test_a_refused_recipient_is_named_and_the_rest_still_get_it(smtp_server, built, certificate, monkeypatch):
    controller, recorder = smtp_server
    brief, out = built
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    args = send_args(brief, out, controller.port, "--smtp-user", USER, "--smtp-cafile", str(certificate[0]))
    result = CliRunner().invoke(main, [*args, "--cc", "nobody@example.org"])
    assert result.exit_code == 0, result.output
    assert "Sent to 3 recipients" in result.output
    assert "Warning: the server refused nobody@example.org: 550 5.1.1 No such mailbox" in result.output
    assert "nobody@example.org" not in recorder.messages[0].rcpt_tos


def test_every_recipient_refused_is_an_error(smtp_server, built, certificate, monkeypatch):
    controller, recorder = smtp_server
    brief, out = built
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    result = CliRunner().invoke(main, ["email", str(brief), "--to", "nobody@example.org", "--from", FROM,
                                       "--outputs", str(out), "--send", "--smtp-host", "127.0.0.1",
                                       "--smtp-port", str(controller.port), "--smtp-timeout", TIMEOUT,
                                       "--smtp-user", USER, "--smtp-cafile", str(certificate[0])])
    _assert_failed_but_saved(result, brief, out, "refused every recipient: nobody@example.org (550")
    assert recorder.messages == []


def test_a_silent_server_times_out(built):
    with socket.socket() as listener:  # accepts connections (kernel backlog) but never says anything
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        brief, out = built
        result = CliRunner().invoke(main, send_args(brief, out, port)[:-2] + ["--smtp-timeout", "1"])
    _assert_failed_but_saved(result, brief, out, f"timed out connecting to 127.0.0.1:{port} after 1 s")


def test_login_over_an_unencrypted_connection_is_refused_before_asking_for_a_password(built):
    brief, out = built
    before = sorted(p.name for p in out.iterdir())
    # no password in the environment: a prompt would read this input; the refusal comes first
    result = CliRunner().invoke(main, send_args(brief, out, free_port(), "--no-tls", "--smtp-user", USER),
                                input="typed-password\n")
    assert result.exit_code == 1, result.output
    assert f"refusing to log in as '{USER}' over an unencrypted connection" in result.output
    assert "password for" not in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == before  # nothing written: no .eml, no build


def test_login_over_an_unencrypted_connection_from_the_config_is_refused_too(built, tmp_path, monkeypatch):
    brief, out = built
    config = tmp_path / "config.toml"
    config.write_text('[smtp]\nhost = "127.0.0.1"\nsecurity = "none"\nuser = "jane"\n', encoding="utf-8")
    monkeypatch.setenv("BRIEFGEN_CONFIG", str(config))
    result = CliRunner().invoke(main, ["email", str(brief), "--to", "a@example.org", "--from", FROM,
                                       "--outputs", str(out), "--send"], input="pw\n")
    assert result.exit_code == 1 and "refusing to log in as 'jane' over an unencrypted connection" in result.output
    assert not (out / f"{brief_name(brief)}.eml").exists()


class SlowToConfirm(Recorder):
    """Keeps the message, then stays silent for longer than the client waits."""

    async def handle_DATA(self, server, session, envelope):
        """Record the message, then stall before answering."""
        import asyncio

        await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(3)
        return "250 Message accepted (too late)"


def test_a_server_silent_after_the_final_dot_may_have_sent_the_message(built):
    recorder = SlowToConfirm()
    controller = aiosmtpd_controller.Controller(recorder, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    controller.start()
    try:
        brief, out = built
        args = send_args(brief, out, controller.port, "--no-tls")
        args[args.index("--smtp-timeout") + 1] = "1"
        result = CliRunner().invoke(main, args)
    finally:
        controller.stop()
    eml = out / f"{brief_name(brief)}.eml"
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "MAY HAVE BEEN SENT" in result.output
    assert f"The message may have been sent; it is saved in {eml}" in result.output
    assert "NOT sent" not in result.output
    assert eml.is_file() and len(recorder.messages) == 1  # it did arrive


def test_a_crlf_in_the_configs_helo_is_refused_before_connecting(built, tmp_path, monkeypatch):
    brief, out = built
    config = tmp_path / "config.toml"
    config.write_text('[smtp]\nhelo = "me.example.org\\r\\nRCPT TO:<x@example.org>"\n', encoding="utf-8")
    monkeypatch.setenv("BRIEFGEN_CONFIG", str(config))
    result = CliRunner().invoke(main, send_args(brief, out, free_port(), "--no-tls"))
    assert result.exit_code == 1, result.output
    assert "helo name must not contain a line break" in result.output
    assert not (out / f"{brief_name(brief)}.eml").exists()


def test_environment_has_no_stray_password():
    assert "BRIEFGEN_SMTP_PASSWORD" not in os.environ
