"""A brief's outputs as a MIME message (.eml): attachments, the plain and HTML body, the message itself."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import re
import textwrap
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, MIMEPart
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from briefgen.brief import models as m
from briefgen.errors import MailError
from briefgen.fileio import ReadRefused, read_capped
from briefgen.limits import MAX_ATTACHMENT_BYTES
from briefgen.mail.headers import (Mailbox, address_header, check_header_text, header_safe, parse_mailbox,
                                   parse_mailboxes, unstructured_header)
from briefgen.textsafe import clean
from briefgen.writers import tlp_colour

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TOP_RISKS = 3

# Saved and sent as RFC 5322 text with CRLF line ends. Headers are encoded and folded here (lines of
# at most 78 characters where a break is allowed), so the library must not fold them again.
EML_POLICY = policy.SMTP.clone(refold_source="none")

MIME_TYPES: dict[str, tuple[str, str, str]] = {
    # suffix -> (maintype, subtype, what a reader calls it)
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
    ".pdf": ("application", "pdf", "PDF document"),
    ".md": ("text", "markdown", "Markdown text"),
    ".html": ("text", "html", "web page"),
    ".json": ("application", "json", "JSON data"),
}

# What each TLP 2.0 label allows a recipient to do, in one line (shown in the message body).
TLP_MEANING: dict[m.TLP, str] = {
    m.TLP.clear: "disclosure is not limited.",
    m.TLP.green: "recipients may share it within their community, not through public channels.",
    m.TLP.amber: "recipients may share it on a need-to-know basis within their organisation and its clients.",
    m.TLP.amber_strict: "recipients may share it on a need-to-know basis within their own organisation only.",
    m.TLP.red: "for the named recipients only; no further disclosure.",
}
# Markings that must not leave by email without the sender saying so explicitly.
RESTRICTED_TLP = frozenset({m.TLP.red, m.TLP.amber_strict})


# --------------------------------------------------------------------------- attachments


@dataclass(frozen=True)
class Attachment:
    """A file to attach: its name in the message, its bytes and its MIME type."""

    filename: str
    data: bytes
    maintype: str
    subtype: str

    @classmethod
    def from_path(cls, path: Path | str, filename: str | None = None) -> Attachment:
        """Read a file and pick its MIME type from its suffix."""
        path = Path(path)
        try:
            data = read_capped(path, MAX_ATTACHMENT_BYTES)
        except ReadRefused as exc:
            raise MailError(f"cannot read attachment {path}: {exc.detail}") from None
        maintype, subtype, _ = MIME_TYPES.get(path.suffix.lower(), ("application", "octet-stream", "file"))
        return cls(filename or path.name, data, maintype, subtype)

    @property
    def content_type(self) -> str:
        """``maintype/subtype``."""
        return f"{self.maintype}/{self.subtype}"

    @property
    def kind(self) -> str:
        """What a reader calls this kind of file, e.g. 'PDF document'."""
        for maintype, subtype, label in MIME_TYPES.values():
            if (maintype, subtype) == (self.maintype, self.subtype):
                return label
        return "file"


def human_size(n: int) -> str:
    """A byte count for people: '812 bytes', '38.2 KB', '4.1 MB' (1 KB = 1024 bytes)."""
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def check_size(attachments: Sequence[Attachment], max_bytes: int) -> None:
    """Refuse attachments whose total size is over ``max_bytes``, listing each size."""
    total = sum(len(a.data) for a in attachments)
    if total > max_bytes:
        sizes = ", ".join(f"{a.filename} {human_size(len(a.data))}" for a in attachments)
        raise MailError(
            f"attachments total {human_size(total)} ({sizes}), over the limit of {human_size(max_bytes)}; "
            "raise it with --max-size (in MB) if the receiving servers accept larger messages"
        )


_ATTR_CHAR = "!#$&+-.^_`|~"
# File names written as a plain quoted string; anything else uses RFC 2231 percent-encoding.
_PLAIN_FILENAME = re.compile(r"^[A-Za-z0-9 ._()\[\]+,&'!#$%^@=~{}-]+$")


def rfc2231_param(key: str, value: str) -> list[str]:
    """``key="value"``, or ``key*=utf-8''…`` split into ``key*0*``, ``key*1*``… lines when needed."""
    check_header_text(value, f"the file name {value!r}")
    if _PLAIN_FILENAME.match(value) and value == value.strip() and len(value) < 60 and "=?" not in value:
        return [f'{key}="{value}"']
    encoded = quote(value.encode("utf-8"), safe=_ATTR_CHAR)
    if len(encoded) + len(key) + 12 <= 70:
        return [f"{key}*=utf-8''{encoded}"]
    units = re.findall(r"%[0-9A-F]{2}|.", encoded)  # never split a %XX escape
    pieces: list[str] = [""]
    for unit in units:
        if len(pieces[-1]) + len(unit) > 50:
            pieces.append("")
        pieces[-1] += unit
    return [
        f"{key}*{n}*=" + ("utf-8''" if n == 0 else "") + piece for n, piece in enumerate(pieces)
    ]


def _attachment_part(att: Attachment) -> MIMEPart:
    part = MIMEPart(policy=EML_POLICY)
    part.set_content(att.data, maintype=att.maintype, subtype=att.subtype, cte="base64")
    del part["Content-Type"]
    del part["Content-Disposition"]
    params = "".join(f";\n {p}" for p in rfc2231_param("name", att.filename))
    charset = '; charset="utf-8"' if att.maintype == "text" else ""  # the writers' text is UTF-8
    part.set_raw("Content-Type", att.content_type + charset + params)
    params = "".join(f";\n {p}" for p in rfc2231_param("filename", att.filename))
    part.set_raw("Content-Disposition", "attachment" + params)
    del part["Content-Transfer-Encoding"]  # conventional order: type, disposition, encoding
    part.set_raw("Content-Transfer-Encoding", "base64")
    return part


# --------------------------------------------------------------------------- body


def default_subject(brief: m.Brief) -> str:
    """``[TLP:AMBER] <title> — <date>``; the banner stands in when there is no TLP label."""
    meta = brief.meta
    mark = meta.marking.tlp or meta.marking.banner
    prefix = f"[{mark.value}] " if mark is not None else ""
    title = " ".join(meta.title.split())  # a title typed over several lines is one line here
    return f"{prefix}{title} — {meta.date.isoformat()}"


def top_risks(brief: m.Brief, n: int = TOP_RISKS) -> list[m.Risk]:
    """The ``n`` highest-scoring risks, ties kept in file order."""
    return sorted(brief.risks, key=lambda r: -r.score)[:n]


def _judgment_note(kj: m.KeyJudgment) -> str:
    parts = []
    if kj.likelihood is not None:
        parts.append(f"Likelihood: {kj.likelihood.value} ({kj.likelihood.probability}).")
    parts.append(f"Confidence: {kj.confidence.value}.")
    return " ".join(parts)


def _risk_line(r: m.Risk) -> str:
    return (f"{r.title} — {r.likelihood.value}, impact {r.impact}/5, "
            f"score {r.score} ({m.risk_band(r.score)})")


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    """Wrap one paragraph at 76 columns (plain-text mail readers do not all wrap)."""
    return textwrap.wrap(" ".join(text.split()), 76, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]


def body_text(brief: m.Brief, attachments: Sequence[Attachment]) -> str:
    """The plain-text body: marking, title, key judgments, top risks and one line per attachment."""
    meta = brief.meta
    lines: list[str] = []
    label = meta.marking.label()
    if label:
        lines += [label, ""]
    lines += [*_wrap(meta.title), "", *_wrap(meta.question, "Key question: ", "  ")]
    info = [f"Date: {meta.date.isoformat()}", f"version {meta.version}", meta.status.value]
    if meta.authors:
        info.insert(1, "by " + ", ".join(meta.authors))
    lines += [*_wrap(" · ".join(info)), ""]
    if brief.key_judgments:
        lines += ["KEY JUDGMENTS", ""]
        for i, kj in enumerate(brief.key_judgments, 1):
            lines += [*_wrap(kj.text, f"{i}. ", "   "), *_wrap(_judgment_note(kj), "   ", "   "), ""]
    risks = top_risks(brief)
    if risks:
        lines += ["TOP RISKS", ""]
        for r in risks:
            lines += _wrap(_risk_line(r), "- ", "  ")
        lines.append("")
    if attachments:
        lines += ["ATTACHED", ""]
        for a in attachments:
            lines += _wrap(f"{a.filename} ({a.kind}, {human_size(len(a.data))})", "- ", "  ")
        lines.append("")
    if meta.marking.tlp is not None:
        lines += [*_wrap(f"Handling: {meta.marking.tlp.value} — {TLP_MEANING[meta.marking.tlp]}"), ""]
    return "\n".join(lines)


def body_html(brief: m.Brief, attachments: Sequence[Attachment]) -> str:
    """The HTML body: the same content as the text body, with the marking in its TLP colours."""
    e = html.escape
    meta = brief.meta
    out = ['<!DOCTYPE html>', f'<html lang="{e(meta.language)}">', "<head>",
           '<meta charset="utf-8">', f"<title>{e(meta.title)}</title>", "</head>",
           '<body style="font-family: Calibri, Arial, sans-serif; font-size: 11pt; color: #1a1a1a;">']
    if meta.marking.banner is not None:
        out.append(f'<p style="text-align: center; font-weight: bold; margin: 0 0 8px;">'
                   f"{e(meta.marking.banner.value)}</p>")
    if meta.marking.tlp is not None:
        colour = tlp_colour(meta.marking.tlp.value)
        out.append(f'<p style="text-align: right; margin: 0 0 8px;"><span style="background: #000000; '
                   f'color: {colour}; font-weight: bold; font-size: 12pt; padding: 2px 6px;">'
                   f"{e(meta.marking.tlp.value)}</span></p>")
    out.append(f'<h1 style="font-size: 16pt; margin: 0 0 6px;">{e(meta.title)}</h1>')
    out.append(f"<p><strong>Key question:</strong> {e(meta.question)}</p>")
    info = [f"Date: {meta.date.isoformat()}", f"version {meta.version}", meta.status.value]
    if meta.authors:
        info.insert(1, "by " + ", ".join(meta.authors))
    out.append(f'<p style="color: #555555;">{e(" · ".join(info))}</p>')
    if brief.key_judgments:
        out.append('<h2 style="font-size: 13pt;">Key judgments</h2>')
        out.append("<ol>")
        for kj in brief.key_judgments:
            out.append(f"<li><p>{e(kj.text)}<br>"
                       f'<span style="color: #555555;">{e(_judgment_note(kj))}</span></p></li>')
        out.append("</ol>")
    risks = top_risks(brief)
    if risks:
        out.append('<h2 style="font-size: 13pt;">Top risks</h2>')
        out.append('<table style="border-collapse: collapse;">')
        out.append("<tr>" + "".join(
            f'<th style="text-align: left; border-bottom: 1px solid #999999; padding: 2px 8px;">{h}</th>'
            for h in ("Risk", "Likelihood", "Impact", "Score")) + "</tr>")
        for r in risks:
            cells = (r.title, r.likelihood.value, f"{r.impact}/5", f"{r.score} ({m.risk_band(r.score)})")
            out.append("<tr>" + "".join(f'<td style="padding: 2px 8px;">{e(c)}</td>' for c in cells) + "</tr>")
        out.append("</table>")
    if attachments:
        out.append('<h2 style="font-size: 13pt;">Attached</h2>')
        out.append("<ul>")
        for a in attachments:
            out.append(f"<li>{e(a.filename)} ({e(a.kind)}, {e(human_size(len(a.data)))})</li>")
        out.append("</ul>")
    if meta.marking.tlp is not None:
        out.append(f'<p style="color: #555555;"><strong>Handling:</strong> {e(meta.marking.tlp.value)} — '
                   f"{e(TLP_MEANING[meta.marking.tlp])}</p>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- the message


def format_date(when: dt.datetime) -> str:
    """An RFC 5322 date; a naive datetime is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return email.utils.format_datetime(when)


def _boundary(kind: str, seed: bytes) -> str:
    return f"=_briefgen_{kind}_{hashlib.sha256(kind.encode() + seed).hexdigest()[:24]}"


def package(
    brief: m.Brief,
    attachments: Sequence[Attachment],
    *,
    sender: str | Mailbox,
    to: Sequence[str | Mailbox],
    cc: Sequence[str | Mailbox] = (),
    reply_to: Sequence[str | Mailbox] = (),
    subject: str | None = None,
    date: dt.datetime | None = None,
    message_id: str | None = None,
    reproducible: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> EmailMessage:
    """Build the message: text and HTML summary of ``brief`` with the attachments (Bcc never included).

    ``reproducible`` makes the Message-ID a digest of the content, so the same
    inputs and ``date`` give byte-identical output; otherwise it is random.
    """
    # 1. Addresses and header text: refuse line breaks and bad addresses, naming them.
    from_box = sender if isinstance(sender, Mailbox) else parse_mailbox(sender, "From address")
    to_boxes = _boxes(to, "To address")
    if not to_boxes:
        raise MailError("no recipient: give at least one --to address")
    cc_boxes = _boxes(cc, "Cc address")
    reply_boxes = _boxes(reply_to, "Reply-To address")
    # a subject made from the brief's title drops what a header cannot carry; one given is refused instead
    subject = header_safe(default_subject(brief)) if subject is None else subject
    check_header_text(subject, "the subject")
    for att in attachments:
        check_header_text(att.filename, "an attachment file name")
        if not att.filename.strip() or att.filename != att.filename.strip():
            raise MailError(f"attachment file name {att.filename!r} is empty or starts or ends with a space")
    check_size(attachments, max_bytes)

    # 2. Headers, written pre-encoded so every client decodes exactly what was given.
    msg = EmailMessage(policy=EML_POLICY)
    msg.set_raw("From", address_header("From", [from_box]))
    msg.set_raw("To", address_header("To", to_boxes))
    if cc_boxes:
        msg.set_raw("Cc", address_header("Cc", cc_boxes))
    if reply_boxes:
        msg.set_raw("Reply-To", address_header("Reply-To", reply_boxes))
    msg.set_raw("Subject", unstructured_header("Subject", subject))
    msg.set_raw("Date", format_date(date or dt.datetime.now().astimezone()))
    if brief.meta.language:
        msg.set_raw("Content-Language", brief.meta.language)

    # 3. Body: text and HTML alternatives, then the files.
    # characters no text can hold (NUL, ESC, U+FFFE…) are removed with a warning, as in the documents
    msg.set_content(clean(body_text(brief, attachments), "the message's text body"), subtype="plain",
                    cte="quoted-printable")
    msg.add_alternative(clean(body_html(brief, attachments), "the message's HTML body"), subtype="html",
                        cte="quoted-printable")
    msg.make_mixed()
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]
    for att in attachments:
        msg.attach(_attachment_part(att))

    # 4. Boundaries and Message-ID from the content, so reproducible output is byte-identical.
    digest = hashlib.sha256()
    for part in msg.walk():
        for key, value in part.raw_items():
            digest.update(f"{key}: {value}\n".encode("utf-8", "surrogateescape"))
        if not part.is_multipart():
            digest.update(str(part.get_payload()).encode("utf-8", "surrogateescape"))
    seed = digest.digest()
    msg.set_boundary(_boundary("mixed", seed))
    for part in msg.iter_parts():
        if part.is_multipart():
            part.set_boundary(_boundary("alt", seed))
    if message_id is None:
        token = hashlib.sha256(msg.as_bytes(policy=EML_POLICY)).hexdigest()[:32] if reproducible \
            else uuid.uuid4().hex
        message_id = f"<{token}.briefgen@{from_box.domain or 'localhost'}>"
    check_header_text(message_id, "the Message-ID")
    msg.set_raw("Message-ID", message_id)
    # Keep the conventional order: Message-ID beside Date, before the MIME headers.
    _move_before(msg, "Message-ID", "MIME-Version")
    return msg


def _boxes(values: Sequence[str | Mailbox], what: str) -> list[Mailbox]:
    out: list[Mailbox] = []
    for value in values:
        for box in [value] if isinstance(value, Mailbox) else parse_mailboxes([value], what):
            if box.addr.lower() not in {b.addr.lower() for b in out}:
                out.append(box)
    return out


def _move_before(msg: EmailMessage, name: str, before: str) -> None:
    items = msg.raw_items()
    headers = list(items)
    moving = [h for h in headers if h[0].lower() == name.lower()]
    rest = [h for h in headers if h[0].lower() != name.lower()]
    idx = next((i for i, h in enumerate(rest) if h[0].lower() == before.lower()), len(rest))
    for key in {h[0] for h in headers}:
        del msg[key]
    for key, value in rest[:idx] + moving + rest[idx:]:
        msg.set_raw(key, value)


def as_bytes(msg: EmailMessage) -> bytes:
    """The message as the bytes of an .eml file (CRLF line ends)."""
    return msg.as_bytes(policy=EML_POLICY)


def envelope(msg: EmailMessage, bcc: Sequence[str | Mailbox] = ()) -> tuple[str, list[str]]:
    """The SMTP envelope: sender and every recipient (To, Cc and Bcc), without duplicates."""
    parsed = policy.default.header_factory("From", str(msg["From"]))
    sender = parsed.addresses[0].addr_spec if parsed.addresses else ""
    seen: dict[str, str] = {}
    for header in ("To", "Cc"):
        if msg[header] is None:
            continue
        h = policy.default.header_factory(header, str(msg[header]))
        for a in h.addresses:
            seen.setdefault(a.addr_spec.lower(), a.addr_spec)
    for box in _boxes(bcc, "Bcc address"):
        seen.setdefault(box.addr.lower(), box.addr)
    return sender, list(seen.values())
