"""Logging that cannot leak the bot token.

HTTP libraries put the request URL (which contains the token) into log lines and error
messages. So their loggers (aiohttp's, which the bot uses, and httpx's, which PTB imports) stay
at WARNING, and a filter on every handler rewrites
anything shaped like a bot token, in the message, its arguments and exception texts.
"""

from __future__ import annotations

import datetime
import json
import logging
import sys

from bot.text.patterns import BOT_TOKEN

REDACTED = "<redacted-token>"
_NOISY_LOGGERS = ("aiohttp.client", "aiohttp.internal", "aiohttp.access", "httpx", "httpcore", "hpack")
# At DEBUG, python-telegram-bot logs whole updates and API results, users' texts included:
# its loggers stay at INFO whatever LOG_LEVEL says. Our own loggers follow LOG_LEVEL.
_PAYLOAD_LOGGERS = ("telegram", "apscheduler")


def redact_tokens(text: str) -> str:
    """`text` with every token-shaped substring replaced."""
    return BOT_TOKEN.sub(REDACTED, text)


class TokenRedactingFilter(logging.Filter):
    """Rewrites a record so that its message and exception text carry no token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact_tokens(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_tokens(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (BOT_LOG_FORMAT=json): time, level, logger, message, and the
    traceback when there is one — for log collectors that parse rather than grep."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON (already redacted by TokenRedactingFilter)."""
        entry: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, stream: object = None, log_format: str = "text") -> logging.Handler:
    """Root logging at `level` through one redacting handler (plain text, or JSON lines);
    returns that handler."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(TokenRedactingFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    protect_handlers()
    return handler


def protect_handlers() -> None:
    """Quiet the URL-logging libraries and put the redacting filter on every handler there is."""
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.INFO, logging.getLogger().level))
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in logging.root.manager.loggerDict)]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if not any(isinstance(f, TokenRedactingFilter) for f in handler.filters):
                handler.addFilter(TokenRedactingFilter())
