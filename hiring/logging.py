"""Log lines never carry a bearer token.

A candidate's link (/a/<token>/), an LER sign-in link (/ler/open/<token>) and a share link
(/c/<token>/) each open a page to whoever holds the token, so a token in an access log or a
"Not Found: <path>" line is a password in the logs. The filter here rewrites every such path
segment, wherever it appears in the line (request line, referer, error message).
"""

import logging
import re

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
_TOKEN_IN_PATH = re.compile(r"(/(?:a|c|ler/open)/)[^/?#\s\"']+")


def redact_tokens(text: str) -> str:
    """``text`` with the token of every candidate, LER sign-in and share link replaced."""
    return _TOKEN_IN_PATH.sub(rf"\g<1>{REDACTED}", text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message without its tokens (attach it to the logger that logs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class GunicornLogger(Logger):
    """Gunicorn's logger with tokens redacted from its access and error logs.

    Use with ``--logger-class hiring.logging.GunicornLogger`` (set in gunicorn.conf.py).
    """

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            log.addFilter(RedactTokens())
