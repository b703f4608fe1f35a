"""Email: header encoding (headers), the MIME message and its body (message), and sending over SMTP (smtp).

The public names of the three modules are gathered here: ``from briefgen import mail``.
"""

from briefgen.mail.headers import (Mailbox, address_header, check_header_text, encode_words, header_safe, parse_mailbox,
                                   parse_mailboxes, unstructured_header)
from briefgen.mail.message import (DEFAULT_MAX_BYTES, EML_POLICY, MIME_TYPES, RESTRICTED_TLP, TLP_MEANING, TOP_RISKS,
                                   Attachment, as_bytes, body_html, body_text, check_size, default_subject, envelope,
                                   format_date, human_size, package, rfc2231_param, top_risks)
from briefgen.mail.smtp import DEFAULT_TIMEOUT, SendResult, SmtpServer, UnconfirmedSend, send, tls_context

__all__ = [
    "Mailbox", "address_header", "check_header_text", "encode_words", "header_safe", "parse_mailbox", "parse_mailboxes",
    "unstructured_header", "DEFAULT_MAX_BYTES", "EML_POLICY", "MIME_TYPES", "RESTRICTED_TLP", "TLP_MEANING",
    "TOP_RISKS", "Attachment", "as_bytes", "body_html", "body_text", "check_size", "default_subject", "envelope",
    "format_date", "human_size", "package", "rfc2231_param", "top_risks", "DEFAULT_TIMEOUT", "SendResult",
    "SmtpServer", "UnconfirmedSend", "send", "tls_context",
]
