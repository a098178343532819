"""Logging for the running bot: one stderr handler on the root logger that never shows a secret.

PTB's ``telegram.ext.ExtBot`` logger writes request details at DEBUG and httpx logs every
request URL (which holds the bot token) at INFO, so the handler redacts every secret from
the final formatted line, exception text and stack included, whatever the level.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers that are chatty at INFO (httpx: one line per request, with the token in the URL).
QUIET = {"httpx": logging.WARNING, "httpcore": logging.WARNING}


class Redactor:
    """Replaces each secret, and its URL-encoded forms, with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        forms = set()
        for secret in secrets:
            if secret:
                forms.update({secret, quote(secret, safe=""), quote_plus(secret)})
        # Longest first, so a secret that contains another is replaced whole.
        self.forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self.forms:
            text = text.replace(form, REDACTED)
        return text


class RedactingFilter(logging.Filter):
    """Redacts a record in place: its merged message, exception text and stack."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the whole line (exception and stack included)."""

    def __init__(self, redact: Redactor, fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


def configure_logging(level: str, secrets: Iterable[str | None], *,
                      stream: TextIO | None = None) -> logging.Handler:
    """Log at ``level`` to ``stream`` (stderr) through one redacting handler; return it.

    Calling it again replaces the handler it installed before.
    """
    redact = Redactor(secrets)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.addFilter(RedactingFilter(redact))
    handler.setFormatter(RedactingFormatter(redact))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h.formatter, RedactingFormatter)]:
        root.removeHandler(old)
    handler.setLevel(level)
    root.addHandler(handler)
    logging.captureWarnings(True)  # library warnings go through the same redacting handler
    root.setLevel(level)
    numeric = logging.getLevelName(level)
    for name, quiet in QUIET.items():
        # At DEBUG the operator asked for everything; otherwise keep the per-request lines out.
        logging.getLogger(name).setLevel(numeric if numeric <= logging.DEBUG
                                         else max(quiet, numeric))
    return handler
