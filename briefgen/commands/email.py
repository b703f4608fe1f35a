"""``briefgen email``: package a brief's outputs as an .eml message and optionally send it over SMTP."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from briefgen.errors import InputError, MailError, ValidationFailed

DEFAULT_ATTACH = "docx,pdf"


def _default_outputs(brief: Path) -> Path:
    """The build command's default output folder for this brief (decided in one place, briefgen.build)."""
    from briefgen.build import default_output_dir

    return default_output_dir(brief)


def _brief_name(brief: Path) -> str:
    """The name the build gives this brief's output files."""
    from briefgen.build import brief_name

    return brief_name(brief)


def _formats(attach: str) -> list[str]:
    from briefgen.writers import REGISTRY

    formats = [f.strip().lower().lstrip(".") for f in attach.split(",") if f.strip()]
    if not formats:
        raise click.BadParameter("name at least one format, e.g. docx,pdf", param_hint="--attach")
    for f in formats:
        if f not in REGISTRY:
            raise click.BadParameter(f"unknown format '{f}' (choose from {', '.join(REGISTRY)})",
                                     param_hint="--attach")
    return list(dict.fromkeys(formats))


def _ensure_outputs(brief: Path, out_dir: Path, formats: list[str], echo) -> list[Path]:
    """The output files of ``brief`` in ``out_dir``; build those missing or older than the brief."""
    from briefgen.writers import suffix_for

    paths = {f: out_dir / f"{_brief_name(brief)}{suffix_for(f)}" for f in formats}
    brief_mtime = brief.stat().st_mtime
    stale = [f for f, p in paths.items() if not p.is_file() or p.stat().st_mtime < brief_mtime]
    if stale:
        from briefgen.build import build_brief

        echo(f"Building {', '.join(stale)} from {brief} …")
        built = build_brief(brief, out_dir, formats=stale)
        for f in stale:
            if f in built:
                paths[f] = Path(built[f])
    return [paths[f] for f in formats]


def _reproducible_date() -> dt.datetime | None:
    from briefgen.config import source_date_epoch

    epoch = source_date_epoch()
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc)


@click.command("email")
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--to", "to", multiple=True, required=True, metavar="ADDR",
              help="Recipient; repeat the option or separate addresses with commas.")
@click.option("--cc", multiple=True, metavar="ADDR", help="Copy recipient (repeatable).")
@click.option("--bcc", multiple=True, metavar="ADDR",
              help="Blind-copy recipient (repeatable); used only when sending, never saved in the .eml.")
@click.option("--from", "sender", metavar="ADDR",
              help="Sender, e.g. 'Jane Analyst <jane@example.org>' (default: `from` in the config file).")
@click.option("--reply-to", multiple=True, metavar="ADDR", help="Reply-To address (repeatable).")
@click.option("--subject", help="Subject line (default: '[TLP:…] <title> — <date>').")
@click.option("--attach", default=DEFAULT_ATTACH, show_default=True, metavar="FORMATS",
              help="Outputs to attach, comma-separated: docx, pdf, md.")
@click.option("--outputs", "outputs", type=click.Path(path_type=Path, file_okay=False),
              help="Folder with the built outputs (default: the build command's, out/<brief name>/).")
@click.option("-o", "--output", "eml", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to save the message (default: <outputs>/<brief name>.eml).")
@click.option("--max-size", type=click.FloatRange(min=0, min_open=True), metavar="MB",
              help="Refuse attachments larger than this in total (default 20 MB).")
@click.option("--send", is_flag=True, help="Send the message over SMTP after saving it.")
@click.option("--dry-run", is_flag=True,
              help="Do everything --send does (build, save the .eml) but connect to no server; "
                   "show what would be sent.")
@click.option("--yes", is_flag=True, help="Confirm sending a brief marked TLP:RED or TLP:AMBER+STRICT.")
@click.option("--smtp-host", metavar="HOST", help="SMTP server (default: [smtp] host in the config file).")
@click.option("--smtp-port", type=click.IntRange(1, 65535), metavar="PORT",
              help="SMTP port (default 587 with STARTTLS, 465 with --ssl, 25 with --no-tls).")
@click.option("--starttls", is_flag=True, help="Upgrade the connection with STARTTLS (the default).")
@click.option("--ssl", "use_ssl", is_flag=True, help="Use TLS from the start (SMTPS, usually port 465).")
@click.option("--no-tls", is_flag=True,
              help="No encryption (only for a relay on your own machine; no login allowed).")
@click.option("--smtp-user", metavar="USER", help="Log in as USER; the password comes from "
              "$BRIEFGEN_SMTP_PASSWORD (or the config's password_env) or is asked for.")
@click.option("--smtp-cafile", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Also trust the certificates in this PEM file (a private mail server's CA).")
@click.option("--smtp-timeout", type=click.FloatRange(min=0, min_open=True, max=600), metavar="SECONDS",
              help="Give up on an unresponsive server after this long (default 30).")
def email(brief: Path, to: tuple[str, ...], cc: tuple[str, ...], bcc: tuple[str, ...], sender: str | None,
          reply_to: tuple[str, ...], subject: str | None, attach: str, outputs: Path | None,
          eml: Path | None, max_size: float | None, send: bool, dry_run: bool, yes: bool,
          smtp_host: str | None, smtp_port: int | None, starttls: bool, use_ssl: bool, no_tls: bool,
          smtp_user: str | None, smtp_cafile: Path | None, smtp_timeout: float | None) -> None:
    """Package BRIEF's outputs as an email message (.eml) and optionally send it.

    The message has a short summary in the body (marking, title, key
    judgments, top risks, one line per attachment) as plain text and HTML, with
    the .docx and .pdf attached. Outputs missing or older than the brief are
    built first. The .eml opens in Outlook, Thunderbird and Apple Mail.

    With --send it goes out through your SMTP server. Server, port, login and
    sender can be set once in ~/.config/briefgen/config.toml (or the file named
    by $BRIEFGEN_CONFIG). The password is never an option: it is read from
    $BRIEFGEN_SMTP_PASSWORD or asked for. A brief marked TLP:RED or
    TLP:AMBER+STRICT is sent only with --yes. If sending fails, the .eml stays
    on disk. Set SOURCE_DATE_EPOCH for a reproducible Date and Message-ID.

    \b
    Examples:
      briefgen email brief.yaml --to colleague@example.org -o brief.eml
      briefgen email brief.yaml --to a@example.org --cc b@example.org \\
          --from "Jane Analyst <jane@example.org>" \\
          --send --smtp-host smtp.example.org --smtp-user jane --starttls
    """
    from briefgen.config import load_config

    # 1. Settings: options first, then the config file; header values are checked before any work.
    chosen = [name for name, on in (("starttls", starttls), ("ssl", use_ssl), ("none", no_tls)) if on]
    if len(chosen) > 1:
        raise click.UsageError("--starttls, --ssl and --no-tls exclude each other; give one")
    config = load_config()
    send = send or dry_run
    formats = _formats(attach)
    addresses = _addresses(config, sender, to, cc, bcc, reply_to, subject)
    # 2. The brief: it must check cleanly before it goes to anyone.
    model = _checked_brief(brief)
    tlp = model.meta.marking.tlp
    _refuse_restricted(brief, tlp, send and not yes and not dry_run)
    # 3. Outputs (built when missing or stale) and the message, saved as .eml.
    out_dir = outputs or _default_outputs(brief)
    message, data, eml = _write_message(brief, model, out_dir, formats, addresses, subject, eml,
                                        _max_bytes(max_size, config))
    if not send:
        if addresses.bcc:
            click.echo("Note: Bcc recipients are not stored in the .eml; they are used only with --send.")
        return
    # 4. Sending (or saying what would be sent).
    server = _server(config, eml, smtp_host, smtp_port, chosen[0] if chosen else None, smtp_user, smtp_cafile,
                     smtp_timeout)
    if dry_run:
        _report_dry_run(config, server, message, data, addresses, tlp, restricted=_restricted(tlp) and not yes)
        return
    _send(config, server, message, data, addresses, eml)


@dataclass
class _Addresses:
    """The message's addresses, parsed and checked."""

    sender: Any
    to: list
    cc: list
    bcc: list
    reply_to: list


def _addresses(config: Any, sender: str | None, to: tuple[str, ...], cc: tuple[str, ...], bcc: tuple[str, ...],
               reply_to: tuple[str, ...], subject: str | None) -> _Addresses:
    """The addresses from options and the config file; MailError for a missing sender or a bad address."""
    from briefgen import mail
    from briefgen.config import config_path

    sender = sender or config.email.sender
    if not sender:
        raise MailError(f"no sender: pass --from, or set `from` under [email] in {config_path()}")
    addresses = _Addresses(
        sender=mail.parse_mailbox(sender, "From address"),
        to=mail.parse_mailboxes(to, "To address"),
        cc=mail.parse_mailboxes([*config.email.cc, *cc], "Cc address"),
        bcc=mail.parse_mailboxes([*config.email.bcc, *bcc], "Bcc address"),
        reply_to=mail.parse_mailboxes(list(reply_to) or config.email.reply_to, "Reply-To address"),
    )
    if subject is not None:
        mail.check_header_text(subject, "the subject")
    return addresses


def _max_bytes(max_size: float | None, config: Any) -> int:
    """The largest message allowed, in bytes (option, then config file, then the default)."""
    from briefgen import mail

    return int((max_size or config.email.max_size_mb or mail.DEFAULT_MAX_BYTES / 2**20) * 2**20)


def _checked_brief(brief: Path) -> Any:
    """The brief's model when it checks without errors; else its errors on stderr and ValidationFailed."""
    from briefgen.brief.check import check_file

    report = check_file(brief)
    if report.brief is None or report.errors:
        for problem in report.problems:
            if problem.severity == "error":
                click.echo(problem.format(), err=True)
        raise ValidationFailed(f"{brief}: {len(report.errors)} errors; fix them (see `briefgen validate "
                               f"{brief}`) before emailing the brief")
    return report.brief


def _restricted(tlp: Any) -> bool:
    from briefgen import mail

    return tlp in mail.RESTRICTED_TLP


def _refuse_restricted(brief: Path, tlp: Any, sending_without_yes: bool) -> None:
    """A brief marked TLP:RED or TLP:AMBER+STRICT is sent only with --yes."""
    from briefgen import mail

    if sending_without_yes and _restricted(tlp):
        raise MailError(f"{brief} is marked {tlp.value} ({mail.TLP_MEANING[tlp]}); it is not sent "
                        "without --yes. Check the recipients, then add --yes")


def _write_message(brief: Path, model: Any, out_dir: Path, formats: list[str], addresses: _Addresses,
                   subject: str | None, eml: Path | None, max_bytes: int) -> tuple[Any, bytes, Path]:
    """Build the outputs if needed, package them as a message and save it; (message, its bytes, .eml path)."""
    from briefgen import mail
    from briefgen.fileio import write_bytes_atomic

    files = _ensure_outputs(brief, out_dir, formats, lambda text: click.echo(text, err=True))
    attachments = [mail.Attachment.from_path(p) for p in files]
    date = _reproducible_date()
    message = mail.package(
        model, attachments, sender=addresses.sender, to=addresses.to, cc=addresses.cc,
        reply_to=addresses.reply_to, subject=subject, date=date, reproducible=date is not None, max_bytes=max_bytes,
    )
    data = mail.as_bytes(message)
    eml = eml or out_dir / f"{_brief_name(brief)}.eml"
    write_bytes_atomic(eml, data)
    try:
        eml.chmod(0o644)  # readable like the built outputs it carries
    except OSError:
        pass
    sizes = ", ".join(f"{a.filename} {mail.human_size(len(a.data))}" for a in attachments)
    click.echo(f"Wrote {eml} ({mail.human_size(len(data))}; attached: {sizes})")
    return message, data, eml


def _server(config: Any, eml: Path, host: str | None, port: int | None, security: str | None, user: str | None,
            cafile: Path | None, timeout: float | None) -> Any:
    """The SMTP server from options, then the config file; MailError when no host is known."""
    from briefgen import mail
    from briefgen.config import config_path

    smtp = config.smtp
    host = host or smtp.host
    if not host:
        raise MailError(f"no SMTP server: pass --smtp-host, or set `host` under [smtp] in {config_path()}; "
                        f"the message is saved in {eml}")
    return mail.SmtpServer(
        host=host, port=port or smtp.port, security=security or smtp.security or "starttls",
        user=user or smtp.user, cafile=cafile or smtp.cafile,
        timeout=timeout or smtp.timeout or mail.DEFAULT_TIMEOUT, helo=smtp.helo,
    )


def _report_dry_run(config: Any, server: Any, message: Any, data: bytes, addresses: _Addresses, tlp: Any,
                    restricted: bool) -> None:
    """What --send would do, and nothing sent."""
    from briefgen import mail
    from briefgen.config import PASSWORD_ENV

    env_name = config.smtp.password_env or PASSWORD_ENV
    sender_addr, recipients = mail.envelope(message, addresses.bcc)
    click.echo(f"Dry run: would send through {server.describe()}"
               + (f" as user '{server.user}'" if server.user else " without login"))
    if server.user:
        source = f"${env_name}" if os.environ.get(env_name) else "a prompt"
        click.echo(f"  password:  from {source}")
    click.echo(f"  from:      {sender_addr}")
    click.echo(f"  to:        {', '.join(str(b) for b in addresses.to)}")
    if addresses.cc:
        click.echo(f"  cc:        {', '.join(str(b) for b in addresses.cc)}")
    if addresses.bcc:
        click.echo(f"  bcc:       {', '.join(str(b) for b in addresses.bcc)}")
    click.echo(f"  envelope:  {len(recipients)} recipients: {', '.join(recipients)}")
    click.echo(f"  subject:   {message['Subject']}")
    click.echo(f"  size:      {mail.human_size(len(data))}")
    if restricted:
        click.echo(f"  note:      marked {tlp.value}; sending would be refused without --yes")
    if server.user and server.security == "none":
        click.echo("  note:      a login over an unencrypted connection would be refused")
    click.echo("Nothing was sent.")


def _send(config: Any, server: Any, message: Any, data: bytes, addresses: _Addresses, eml: Path) -> None:
    """Send the message (asking for the password when none is in the environment) and report the outcome."""
    from briefgen import mail
    from briefgen.config import PASSWORD_ENV

    env_name = config.smtp.password_env or PASSWORD_ENV
    sender_addr, recipients = mail.envelope(message, addresses.bcc)
    password = None
    if server.user:
        password = os.environ.get(env_name)
        if password is None:
            password = click.prompt(f"SMTP password for {server.user}@{server.host}", hide_input=True,
                                    default="", show_default=False, err=True)
    try:
        result = mail.send(data, sender_addr, recipients, server, password=password)
    except MailError as exc:
        raise MailError(f"{exc.message}\nThe message was NOT sent; it is saved in {eml}") from None
    click.echo(f"Sent to {len(result.accepted)} recipients through {server.describe()}.")
    for rcpt, reason in result.refused.items():
        click.echo(f"Warning: the server refused {rcpt}: {reason}", err=True)
