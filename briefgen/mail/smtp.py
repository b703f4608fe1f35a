"""Sending a message over SMTP: STARTTLS or SSL with certificate checks, login, plain reasons on failure."""

from __future__ import annotations

import base64
import math
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from briefgen.errors import MailError
from briefgen.mail.headers import check_header_text

DEFAULT_TIMEOUT = 30.0
_HOST_NAME = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
                        r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")


class UnconfirmedSend(MailError):
    """The whole message reached the server but it never confirmed it: it may have been delivered."""

# --------------------------------------------------------------------------- sending


@dataclass
class SmtpServer:
    """Where and how to send: host, port, transport security, login and trusted certificates."""

    host: str
    port: int | None = None
    security: str = "starttls"  # 'starttls' | 'ssl' | 'none'
    user: str | None = None
    cafile: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    helo: str | None = None

    def __post_init__(self) -> None:
        if self.security not in ("starttls", "ssl", "none"):
            raise MailError(f"unknown SMTP security '{self.security}' (use starttls, ssl or none)")
        check_header_text(self.host, "the SMTP host")
        if self.user is not None:
            check_header_text(self.user, "the SMTP user name")
        if self.helo is not None:
            check_header_text(self.helo, "the config's [smtp] helo name")
            if not _HOST_NAME.match(self.helo) or len(self.helo) > 255:
                raise MailError(f"the config's [smtp] helo name {self.helo!r} is not a host name "
                                "(letters, digits, hyphens and dots, or an address in brackets)")
        if not (isinstance(self.timeout, (int, float)) and math.isfinite(self.timeout) and self.timeout > 0):
            raise MailError(f"the SMTP timeout must be a number of seconds above 0, not {self.timeout!r}")

    @property
    def effective_port(self) -> int:
        """The port, defaulting to 465 for SSL, 587 for STARTTLS and 25 for plain SMTP."""
        return self.port or {"ssl": 465, "starttls": 587, "none": 25}[self.security]

    def describe(self) -> str:
        """``host:port (STARTTLS)`` for reports."""
        sec = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "no encryption"}[self.security]
        return f"{self.host}:{self.effective_port} ({sec})"


@dataclass
class SendResult:
    """What the server accepted."""

    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def tls_context(cafile: Path | None = None) -> ssl.SSLContext:
    """A verifying TLS context; ``cafile`` adds certificates to trust (a private mail server's CA)."""
    if cafile:
        from briefgen.fileio import ReadRefused, check_regular
        from briefgen.limits import MAX_CONFIG_BYTES

        try:  # a pipe or device would block the certificate loader
            check_regular(cafile, MAX_CONFIG_BYTES * 10)
        except ReadRefused as exc:
            raise MailError(f"cannot load certificates: {cafile} {exc.reason}") from None
    try:
        return ssl.create_default_context(cafile=str(cafile) if cafile else None)
    except (OSError, ssl.SSLError) as exc:
        raise MailError(f"cannot load the certificates in {cafile}: {exc}") from None


def send(
    data: bytes,
    sender: str,
    recipients: Sequence[str],
    server: SmtpServer,
    password: str | None = None,
) -> SendResult:
    """Send the message bytes to ``recipients``; raise MailError with a plain reason on any failure."""
    if not recipients:
        raise MailError("no recipients to send to")
    if server.user and server.security == "none":
        raise MailError("refusing to send a password over an unencrypted connection; use --starttls or --ssl")
    where = f"{server.host}:{server.effective_port}"
    context = tls_context(server.cafile) if server.security != "none" else None
    helo = server.helo or socket.gethostname() or "localhost"
    stage = "connecting to"
    client: smtplib.SMTP | None = None
    try:
        if server.security == "ssl":
            client = smtplib.SMTP_SSL(server.host, server.effective_port, local_hostname=helo,
                                      timeout=server.timeout, context=context)
        else:
            client = smtplib.SMTP(server.host, server.effective_port, local_hostname=helo,
                                  timeout=server.timeout)
        client.ehlo()
        if server.security == "starttls":
            stage = "starting TLS with"
            if not client.has_extn("starttls"):
                raise MailError(f"the server {where} does not offer STARTTLS; try --ssl, or "
                                "--no-tls for a relay on your own machine")
            client.starttls(context=context)
            client.ehlo()
        if server.user:
            stage = "logging in to"
            if not client.has_extn("auth"):
                raise MailError(f"the server {where} does not offer login (AUTH)")
            _login(client, server.user, password or "")
        stage = "sending through"
        refused = _transfer(client, sender, list(recipients), data)
        stage = "waiting for"
        try:  # the message is accepted; a server that hangs up instead of saying goodbye is no failure
            client.quit()
        except (smtplib.SMTPException, OSError):
            pass
    except MailError:
        raise
    except _NoConfirmation as exc:
        raise UnconfirmedSend(
            f"the server {where} received the whole message but did not confirm it ({exc.reason}); it MAY "
            "HAVE BEEN SENT: ask a recipient or check your sent mail before sending it again") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"the server {where} refused the login for user '{server.user}': "
                        f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        names = ", ".join(f"{r} ({c} {_text(t)})" for r, (c, t) in exc.recipients.items())
        raise MailError(f"the server {where} refused every recipient: {names}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(f"the server {where} refused the sender {exc.sender}: "
                        f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"error {stage} {where}: {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except smtplib.SMTPServerDisconnected as exc:
        if "timed out" in str(exc):
            raise MailError(f"timed out {stage} {where} after {server.timeout:g} s") from None
        raise MailError(f"the server {where} closed the connection while {stage.split()[0]} "
                        f"({exc or 'no reason given'})") from None
    except ssl.SSLCertVerificationError as exc:
        raise MailError(f"TLS failed with {where}: the server's certificate could not be verified "
                        f"({exc.verify_message or exc.reason}); if the server uses a private certificate "
                        "authority, pass its certificate with --smtp-cafile") from None
    except ssl.SSLError as exc:
        raise MailError(f"TLS failed with {where}: {exc.reason or exc}; check --ssl/--starttls "
                        "and the port") from None
    except (socket.timeout, TimeoutError):
        raise MailError(f"timed out {stage} {where} after {server.timeout:g} s") from None
    except socket.gaierror as exc:
        raise MailError(f"cannot find the SMTP host '{server.host}': {exc.strerror or exc}") from None
    except ConnectionRefusedError:
        raise MailError(f"cannot connect to {where}: connection refused (is the host and port right?)") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"error {stage} {where}: {getattr(exc, 'strerror', None) or exc}") from None
    finally:
        if client is not None:
            client.close()
    result = SendResult()
    result.refused = {r: f"{c} {_text(t)}" for r, (c, t) in refused.items()}
    result.accepted = [r for r in recipients if r not in result.refused]
    return result


class _NoConfirmation(Exception):
    """No reply (or a broken connection) after the message's final '.'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _transfer(client: smtplib.SMTP, sender: str, recipients: list[str], data: bytes) -> dict:
    """MAIL, RCPT and DATA, told apart so that a silence after the final '.' is not called a failure.

    Returns the refused recipients like ``smtplib.SMTP.sendmail``; raises _NoConfirmation when the
    server goes quiet or away once it has the whole message.
    """
    code, resp = client.mail(sender)
    if code != 250:
        client.rset()
        raise smtplib.SMTPSenderRefused(code, resp, sender)
    refused = {}
    for rcpt in recipients:
        code, resp = client.rcpt(rcpt)
        if code not in (250, 251):
            refused[rcpt] = (code, resp)
    if len(refused) == len(recipients):
        client.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    client.putcmd("data")
    code, resp = client.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, resp)
    body = re.sub(rb"(?m)^\.", b"..", data)  # dot-stuffing (RFC 5321 section 4.5.2)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    client.send(body + b".\r\n")
    try:
        code, resp = client.getreply()
    except smtplib.SMTPServerDisconnected as exc:
        raise _NoConfirmation("timed out" if "timed out" in str(exc) else "the connection was closed") from None
    except (socket.timeout, TimeoutError):
        raise _NoConfirmation(f"no reply within {client.timeout:g} s") from None
    except OSError as exc:
        raise _NoConfirmation(exc.strerror or str(exc)) from None
    if code != 250:
        raise smtplib.SMTPDataError(code, resp)
    return refused


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """Log in with AUTH PLAIN or LOGIN, sending user name and password as UTF-8 (RFC 4616).

    smtplib encodes credentials as ASCII, which fails for a password such as 'pässword';
    other mechanisms fall back to smtplib's own login.
    """
    advertised = (client.esmtp_features.get("auth") or "").upper().split()
    b64 = lambda text: base64.b64encode(text.encode("utf-8")).decode("ascii")  # noqa: E731
    if "PLAIN" in advertised:
        code, resp = client.docmd("AUTH", "PLAIN " + b64(f"\0{user}\0{password}"))
    elif "LOGIN" in advertised:
        code, resp = client.docmd("AUTH", "LOGIN " + b64(user))
        if code == 334:
            code, resp = client.docmd(b64(password))
    else:
        client.login(user, password)
        return
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, resp)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
