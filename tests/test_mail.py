"""MIME packaging of a brief: structure, body, attachments, header encoding and the safety refusals."""

from __future__ import annotations

import datetime as dt
import email.header
import email.utils
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from briefgen import mail
from briefgen.brief import models as m
from briefgen.errors import MailError

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CITE = [{"source": "a", "quote": "x"}]


def make_brief(tlp: str | None = "amber", banner: str | None = None, title: str = "Security guarantees") -> m.Brief:
    """A brief with three key judgments and four risks of different scores."""
    marking = {k: v for k, v in (("tlp", tlp), ("banner", banner)) if v}
    return m.Brief.model_validate({
        "meta": {"title": title, "question": "Will Europe send troops?", "date": "2025-02-15",
                 "authors": ["Jane Analyst"], "marking": marking},
        "key_judgments": [
            {"id": "k1", "text": "Europe will discuss a reassurance force <seriously> & at length.",
             "likelihood": "likely", "confidence": "moderate", "citations": CITE},
            {"id": "k2", "text": "Russia is very unlikely to accept NATO troops.",
             "likelihood": "very unlikely", "confidence": "high", "citations": CITE},
            {"id": "k3", "text": "Україна наполягає на гарантіях.", "confidence": "low", "citations": CITE},
        ],
        "risks": [
            {"id": "r1", "title": "Low risk", "event": "e", "likelihood": "unlikely", "impact": 1, "citations": CITE},
            {"id": "r2", "title": "Top risk", "event": "e", "likelihood": "very likely", "impact": 5, "citations": CITE},
            {"id": "r3", "title": "Middle risk", "event": "e", "likelihood": "likely", "impact": 2, "citations": CITE},
            {"id": "r4", "title": "Second risk", "event": "e", "likelihood": "likely", "impact": 4, "citations": CITE},
        ],
        "sources": [{"id": "a", "title": "An article", "path": "a.txt"}],
    })


DOCX_BYTES = b"PK\x03\x04" + bytes(range(256)) * 40 + b"\r\n.\r\n\x00end"
PDF_BYTES = b"%PDF-1.7\n" + bytes(reversed(range(256))) * 33 + b"\n%%EOF\n"


def attachments() -> list[mail.Attachment]:
    """A .docx and a .pdf with awkward bytes (NUL, CRLF, a lone dot line)."""
    return [mail.Attachment("brief.docx", DOCX_BYTES, "application", DOCX_TYPE.split("/")[1]),
            mail.Attachment("brief.pdf", PDF_BYTES, "application", "pdf")]


def build(brief: m.Brief | None = None, atts=None, **kw) -> EmailMessage:
    """Package with sensible defaults."""
    kw.setdefault("sender", "Jane Analyst <jane@example.org>")
    kw.setdefault("to", ["colleague@example.org"])
    kw.setdefault("date", dt.datetime(2025, 2, 16, 9, 30, tzinfo=dt.timezone.utc))
    return mail.package(brief or make_brief(), attachments() if atts is None else atts, **kw)


def parse(data: bytes) -> EmailMessage:
    """Parse .eml bytes with the standard library's modern parser."""
    return BytesParser(policy=policy.default).parsebytes(data)


class _Text(HTMLParser):
    """Collect the text of an HTML document, and the text inside each <li>."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.items: list[str] = []
        self._in_li = 0

    def handle_starttag(self, tag, attrs):
        """Open a list item."""
        if tag == "li":
            self._in_li += 1
            self.items.append("")

    def handle_endtag(self, tag):
        """Close a list item."""
        if tag == "li":
            self._in_li -= 1

    def handle_data(self, data):
        """Keep text, and the text of the open list item."""
        self.text.append(data)
        if self._in_li:
            self.items[-1] += data


# --------------------------------------------------------------------------- structure and body


def test_saved_message_parses_and_every_attachment_round_trips_byte_for_byte(tmp_path):
    (tmp_path / "brief.docx").write_bytes(DOCX_BYTES)
    (tmp_path / "brief.pdf").write_bytes(PDF_BYTES)
    atts = [mail.Attachment.from_path(tmp_path / "brief.docx"), mail.Attachment.from_path(tmp_path / "brief.pdf")]
    eml = tmp_path / "brief.eml"
    eml.write_bytes(mail.as_bytes(build(atts=atts)))
    msg = parse(eml.read_bytes())
    assert not msg.defects
    got = {part.get_filename(): (part.get_content_type(), part.get_content()) for part in msg.iter_attachments()}
    assert got == {"brief.docx": (DOCX_TYPE, DOCX_BYTES), "brief.pdf": ("application/pdf", PDF_BYTES)}


def test_message_is_mixed_with_a_text_and_html_alternative_first():
    msg = parse(mail.as_bytes(build()))
    assert msg.get_content_type() == "multipart/mixed"
    parts = list(msg.iter_parts())
    assert parts[0].get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parts[0].iter_parts()] == ["text/plain", "text/html"]
    assert [p.get_content_disposition() for p in parts[1:]] == ["attachment", "attachment"]
    assert msg["MIME-Version"] == "1.0"


def test_html_body_renders_the_key_judgments_escaped():
    msg = parse(mail.as_bytes(build()))
    html_part = msg.get_body(preferencelist=("html",))
    source = html_part.get_content()
    assert "&lt;seriously&gt; &amp;" in source
    parser = _Text()
    parser.feed(source)
    judgments = [kj.text for kj in make_brief().key_judgments]
    assert [item.split("Likelihood:")[0].split("Confidence:")[0].strip() for item in parser.items[:3]] == judgments
    text = "".join(parser.text)
    assert "Security guarantees" in text and "TLP:AMBER" in text
    assert "Likelihood: likely (55–80 %). Confidence: moderate." in text


def test_text_body_has_marking_title_judgments_top_risks_and_a_line_per_attachment():
    body = parse(mail.as_bytes(build())).get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("TLP:AMBER\n")
    for kj in make_brief().key_judgments:
        assert kj.text in " ".join(body.split())
    risks = body.split("TOP RISKS")[1].split("ATTACHED")[0]
    assert [line.split(" — ")[0] for line in risks.strip().splitlines()] == ["- Top risk", "- Second risk", "- Middle risk"]
    assert "Low risk" not in body
    assert f"- brief.docx (Word document, {mail.human_size(len(DOCX_BYTES))})" in body
    assert f"- brief.pdf (PDF document, {mail.human_size(len(PDF_BYTES))})" in body
    flat = " ".join(body.split())
    assert "need-to-know basis within their organisation" in flat
    assert max(len(line) for line in body.splitlines()) <= 76


def test_headers_date_message_id_from_to_cc_reply_to_and_no_bcc_in_the_saved_message():
    msg = build(cc=["Cc Person <cc@example.org>"], reply_to=["briefs@example.org"])
    data = mail.as_bytes(msg)
    parsed = parse(data)
    assert parsed["From"].addresses[0].addr_spec == "jane@example.org"
    assert [a.addr_spec for a in parsed["To"].addresses] == ["colleague@example.org"]
    assert [a.addr_spec for a in parsed["Cc"].addresses] == ["cc@example.org"]
    assert [a.addr_spec for a in parsed["Reply-To"].addresses] == ["briefs@example.org"]
    assert parsed["Date"].datetime == dt.datetime(2025, 2, 16, 9, 30, tzinfo=dt.timezone.utc)
    assert parsed["Message-ID"].endswith("@example.org>")
    assert "bcc" not in [key.lower() for key in parsed.keys()]
    assert b"hidden@example.org" not in data
    sender, rcpts = mail.envelope(msg, ["Secret <hidden@example.org>", "colleague@example.org"])
    assert sender == "jane@example.org"
    assert rcpts == ["colleague@example.org", "cc@example.org", "hidden@example.org"]


def test_default_subject_is_tlp_title_and_date():
    assert str(parse(mail.as_bytes(build()))["Subject"]) == "[TLP:AMBER] Security guarantees — 2025-02-15"
    assert mail.default_subject(make_brief(tlp=None, banner="UNCLASSIFIED")) == \
        "[UNCLASSIFIED] Security guarantees — 2025-02-15"
    assert mail.default_subject(make_brief(tlp=None)) == "Security guarantees — 2025-02-15"


def test_a_title_typed_over_several_lines_gives_a_one_line_subject():
    brief = make_brief(title="Security guarantees\nfor Ukraine")
    assert brief.meta.title == "Security guarantees\nfor Ukraine"
    assert str(parse(mail.as_bytes(build(brief)))["Subject"]) == \
        "[TLP:AMBER] Security guarantees for Ukraine — 2025-02-15"


def test_lines_are_ascii_crlf_and_header_lines_fit_78_columns():
    brief = make_brief(title="Гарантії безпеки для України після припинення вогню: позиції європейських держав")
    data = mail.as_bytes(build(brief, cc=[f"Ім'я Прізвище {i} <p{i}@example.org>" for i in range(6)]))
    assert data.isascii()
    assert b"\n" not in data.replace(b"\r\n", b"")
    head = data.split(b"\r\n\r\n")[0]
    too_long = [line for line in head.split(b"\r\n") if len(line) > 78 and not line.startswith(b"Content-Type")]
    assert too_long == []


def test_subject_keeps_ascii_words_readable_and_encodes_only_the_rest():
    data = mail.as_bytes(build(subject="[TLP:CLEAR] Foreign troops — 2025-02-15 Київ"))
    assert b"Subject: [TLP:CLEAR] Foreign troops =?utf-8?" in data
    assert b"?= 2025-02-15" in data
    assert str(parse(data)["Subject"]) == "[TLP:CLEAR] Foreign troops — 2025-02-15 Київ"


def test_same_inputs_give_byte_identical_reproducible_messages():
    one = mail.as_bytes(build(reproducible=True))
    two = mail.as_bytes(build(reproducible=True))
    assert one == two
    other = mail.as_bytes(build(reproducible=True, subject="Something else"))
    assert parse(other)["Message-ID"] != parse(one)["Message-ID"]


def test_message_ids_are_unique_unless_reproducible():
    assert parse(mail.as_bytes(build()))["Message-ID"] != parse(mail.as_bytes(build()))["Message-ID"]


def test_attachment_types_follow_the_suffix(tmp_path):
    for name in ("a.docx", "a.pdf", "a.md", "a.bin"):
        (tmp_path / name).write_bytes(b"x")
    types = [mail.Attachment.from_path(tmp_path / n).content_type for n in ("a.docx", "a.pdf", "a.md", "a.bin")]
    assert types == [DOCX_TYPE, "application/pdf", "text/markdown", "application/octet-stream"]


def test_non_ascii_file_name_uses_rfc_2231_and_round_trips():
    name = "Гарантії безпеки — brief with a rather long name that needs continuation lines.pdf"
    data = mail.as_bytes(build(atts=[mail.Attachment(name, PDF_BYTES, "application", "pdf")]))
    assert b"filename*0*=utf-8''" in data
    part = next(parse(data).iter_attachments())
    assert part.get_filename() == name
    assert part.get_content() == PDF_BYTES


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("field", ["subject", "sender", "to", "cc", "reply_to"])
@pytest.mark.parametrize("brk", ["\r", "\n", "\r\n"])
def test_line_break_in_any_header_value_is_refused(field, brk):
    values = {"subject": f"Hello{brk}Bcc: victim@example.org",
              "sender": f"Jane{brk}X: y <jane@example.org>",
              "to": [f"a@example.org{brk}Bcc: victim@example.org"],
              "cc": [f"Name{brk}Bcc: v@example.org <cc@example.org>"],
              "reply_to": [f"r@example.org{brk}"]}
    with pytest.raises(MailError, match="line break"):
        build(**{field: values[field]})


def test_line_break_in_attachment_name_is_refused():
    with pytest.raises(MailError, match="line break"):
        build(atts=[mail.Attachment("a\r\nContent-Type: text/html.pdf", b"x", "application", "pdf")])


@pytest.mark.parametrize("bad", ["jane", "jane@", "@example.org", "jane@@example.org", "jane@example",
                                 "jane doe@example.org", "Jane <jane@exa mple.org>", "jäne@example.org"])
def test_invalid_address_is_refused_and_named(bad):
    with pytest.raises(MailError) as info:
        build(to=["ok@example.org", bad])
    assert f"'{bad}'" in info.value.message
    assert "To address" in info.value.message


def test_addresses_accept_display_names_commas_and_international_domains():
    boxes = mail.parse_mailboxes(['"Doe, Jane" <jane@example.org>, bob@example.org', "Zoë <z@bücher.example>"], "To")
    assert [(b.name, b.addr) for b in boxes] == [("Doe, Jane", "jane@example.org"), ("", "bob@example.org"),
                                                  ("Zoë", "z@xn--bcher-kva.example")]


def test_no_recipient_is_refused():
    with pytest.raises(MailError, match="no recipient"):
        build(to=[])


def test_attachments_over_the_limit_are_refused_with_their_sizes():
    atts = [mail.Attachment("big.pdf", b"x" * 700_000, "application", "pdf"),
            mail.Attachment("big.docx", b"y" * 500_000, "application", "octet-stream")]
    with pytest.raises(MailError) as info:
        build(atts=atts, max_bytes=1024 * 1024)
    text = info.value.message
    assert "1.1 MB" in text and "big.pdf 683.6 KB" in text and "big.docx 488.3 KB" in text and "1.0 MB" in text


def test_default_limit_is_twenty_megabytes_in_total():
    assert mail.DEFAULT_MAX_BYTES == 20 * 1024 * 1024
    mail.check_size([mail.Attachment("a.pdf", b"x" * (10 * 2**20), "application", "pdf")] * 2, mail.DEFAULT_MAX_BYTES)
    with pytest.raises(MailError, match="over the limit of 20.0 MB"):
        mail.check_size([mail.Attachment("a.pdf", b"x" * (10 * 2**20 + 1), "application", "pdf")] * 2,
                        mail.DEFAULT_MAX_BYTES)


# --------------------------------------------------------------------------- property tests

# what a header refuses (besides CR and LF): C0/C1 controls, DEL, line separators, bidi overrides, U+FFFE/U+FFFF,
# lone surrogates; a tab is allowed
REFUSED_IN_HEADERS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff"
                                "\ud800-\udfff]")
header_text = st.text(max_size=300).filter(lambda s: not REFUSED_IN_HEADERS.search(s))
file_names = st.text(min_size=1, max_size=200).filter(
    lambda s: not REFUSED_IN_HEADERS.search(s) and s == s.strip() and s != "")
BRIEF = make_brief()


def _rfc2047(raw: str) -> str:
    """Decode RFC 2047 words the way the RFC says (whitespace between adjacent words is dropped)."""
    return str(email.header.make_header(email.header.decode_header(raw)))


@settings(max_examples=300, deadline=None)
@given(subject=header_text, name=header_text, filename=file_names)
def test_any_unicode_without_line_breaks_round_trips_through_the_eml(subject, name, filename):
    msg = build(BRIEF, atts=[mail.Attachment(filename, b"data", "application", "pdf")],
                sender=mail.Mailbox("jane@example.org", name), to=[mail.Mailbox("to@example.org", name)],
                subject=subject)
    data = mail.as_bytes(msg)
    assert data.isascii()
    parsed = parse(data)
    assert str(parsed["Subject"]) == subject
    legacy = BytesParser(policy=policy.compat32).parsebytes(data)
    for header in ("From", "To"):
        ((display, addr),) = email.utils.getaddresses([legacy[header]])
        assert _rfc2047(display) == name
    part = next(parsed.iter_attachments())
    assert part["Content-Disposition"].params["filename"] == filename
    assert part["Content-Type"].params["name"] == filename
    assert part.get_content() == b"data"


@settings(max_examples=200, deadline=None)
@given(before=header_text, bad=st.sampled_from(["\x00", "\x1b", "\x7f", "\x85", "\ufffe", "\u202e", "\u2066",
                                                  "\u2028", "\udc80"]), after=header_text)
def test_control_characters_in_header_text_are_refused_with_a_message(before, bad, after):
    value = before + bad + after
    with pytest.raises(MailError, match="(control characters|not valid UTF-8)"):
        build(BRIEF, subject=value)
    with pytest.raises(MailError, match="(control characters|not valid UTF-8)"):
        mail.parse_mailbox(f"{value} <a@example.org>", "From address")
    with pytest.raises(MailError, match="(control characters|not valid UTF-8)"):
        build(BRIEF, atts=[mail.Attachment("x" + value + "x", b"data", "application", "pdf")])


@settings(max_examples=300, deadline=None)
@given(subject=st.text(alphabet="ab é—=?\t_()\"\\x", max_size=300))
def test_subjects_mixing_plain_and_encoded_words_round_trip(subject):
    assert str(parse(mail.as_bytes(build(BRIEF, subject=subject)))["Subject"]) == subject


@settings(max_examples=200, deadline=None)
@given(before=st.text(max_size=40), brk=st.sampled_from(["\r", "\n", "\r\n"]), after=st.text(max_size=40))
def test_any_cr_or_lf_in_user_text_is_refused(before, brk, after):
    value = before + brk + after
    with pytest.raises(MailError, match="line break"):
        build(BRIEF, subject=value)
    with pytest.raises(MailError, match="line break"):
        build(BRIEF, sender=mail.Mailbox("jane@example.org", value))
    with pytest.raises(MailError, match="line break"):
        build(BRIEF, atts=[mail.Attachment(value, b"x", "application", "pdf")])


@settings(max_examples=200, deadline=None)
@given(name=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=20))
def test_short_display_names_also_round_trip_through_the_modern_parser(name):
    # Python's modern parser keeps the folding space between two encoded words of a
    # display name (RFC 2047 drops it), so only names that fit one word are compared here.
    assume(len(mail.encode_words(name, 75)) == 1)
    msg = build(BRIEF, sender=mail.Mailbox("jane@example.org", name))
    assert parse(mail.as_bytes(msg))["From"].addresses[0].display_name == name
