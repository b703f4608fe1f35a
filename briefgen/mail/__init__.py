"""Email: header encoding, the MIME message and its body, and sending over SMTP."""
