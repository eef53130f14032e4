"""`python -m bot run`: settings, logging, knowledge base, data directory, then polling (or webhook).

Everything that can stop the start — a setting, the knowledge base, the data directory, the
token, the network — ends in one line on stderr and a meaningful exit code (bot.exit_codes),
never in a traceback, and never with the token in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError

from bot.config import ConfigError, Settings, load_settings, merged_environment
from bot.exit_codes import ExitCode
from bot.kb.problems import KnowledgeBaseError
from bot.memory import return_free_memory
from bot.storage.data_dir import DataDirError, DataDirFull, check_data_dir
from bot.storage.run_lock import DataDirInUse, data_dir_lock
from bot.storage.sqlite_file import DataFileError
from bot.telegram.runtime.app import ALLOWED_UPDATES, AnyApplication, bot_api_base, build_application
from bot.telegram.runtime.intake import JournalBot
from bot.telegram.runtime.logging_setup import configure_logging, redact_tokens
from bot.understanding.answer import Responder, load_serving_responder

if TYPE_CHECKING:  # imported when a webhook is served: aiohttp's server is 2.7 MB a polling bot never uses
    from bot.telegram.runtime.webhook import WebhookEndpoint

logger = logging.getLogger("bot")


def load_responder(settings: Settings) -> Responder:
    """The knowledge base and its index, built once at start-up.

    The build's short-lived objects are then handed back to the system (about 3 MB less for
    the process's life), and gc.freeze() moves everything built so far out of the garbage
    collector's sight: the index is hundreds of thousands of long-lived objects, and scanning
    them again and again is what made the slowest answers slow (a full collection pass in a
    99th percentile).
    """
    responder = load_serving_responder(settings.kb_dir, settings.cache_dir)
    return_free_memory()
    gc.freeze()
    return responder


def run_bot(kb_dir: Path | None, *, webhook: bool = False) -> int:
    """Start the bot and block until it stops; returns the process exit code."""
    endpoint: WebhookEndpoint | None = None
    try:
        settings = load_settings(merged_environment(), kb_dir)
        if webhook:
            from bot.telegram.runtime.webhook import webhook_endpoint

            endpoint = webhook_endpoint(settings)
    except ConfigError as exc:
        return _fail(str(exc))
    configure_logging(settings.log_level, log_format=settings.log_format)
    try:
        responder = load_responder(settings)
    except KnowledgeBaseError as exc:
        print(f"error: {exc.report()}", file=sys.stderr)
        return ExitCode.FINDINGS
    with contextlib.ExitStack() as held:
        try:
            _check_data_dir(settings.data_dir)
            held.enter_context(data_dir_lock(settings.data_dir))
            application = build_application(settings, responder)
        except (DataDirError, DataFileError, DataDirInUse) as exc:
            return _fail(str(exc))
        return _serve(application, settings, endpoint, len(responder.kb.sections))


def _check_data_dir(data_dir: Path) -> None:
    """check_data_dir, except that a full disk is a warning: the bot starts degraded (it answers,
    and confirms updates to Telegram only once they can be journalled) rather than not at all."""
    try:
        check_data_dir(data_dir)
    except DataDirFull as exc:
        logger.warning("%s: starting anyway; nothing is confirmed to Telegram until there is room", exc)


def _serve(
    application: AnyApplication, settings: Settings, endpoint: WebhookEndpoint | None, sections: int
) -> int:
    """Poll (or serve the webhook) until stopped: by a signal (0), or because polling ended (2)."""
    # DEBUG: a start that fails must print one line only; the state's INFO line follows the connection.
    logger.debug("starting: %d sections, data in %s", sections, settings.data_dir)
    logging.getLogger("telegram.ext").addFilter(StartupFailureFilter())
    health = application.bot.health if isinstance(application.bot, JournalBot) else None
    if health is not None:
        health.when_ended(application.stop_running)
    try:
        if endpoint is not None:
            from bot.telegram.runtime.webhook import serve_webhook_until_stopped

            asyncio.run(serve_webhook_until_stopped(application, endpoint))
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except TelegramError as exc:
        return _fail(describe_telegram_failure(exc, bot_api_base(settings)), start_failure_code(exc))
    except OSError as exc:  # the webhook's address: in use, not ours to bind
        return _fail(f"cannot listen for the webhook: {exc.strerror or exc}")
    if health is not None and health.ended is not None:
        return _fail(health.ended)
    return ExitCode.OK


class StartupFailureFilter(logging.Filter):
    """Drops PTB's traceback for a failed start: run_bot reports it itself, in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "(Bootstrap Initialize Application)" not in record.getMessage()


def describe_telegram_failure(error: TelegramError, api: str) -> str:
    """One line for an error that stopped the bot; never the token (PTB puts it in InvalidToken)."""
    if isinstance(error, InvalidToken):
        return "Telegram rejected the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN"
    if isinstance(error, BadRequest):
        return f"the Bot API at {api} refused a start-up request: {redact_tokens(error.message)}"
    if isinstance(error, NetworkError):
        return (
            f"cannot reach the Bot API at {api} ({type(error).__name__}: {redact_tokens(error.message)}):"
            " check the network and TELEGRAM_API_BASE_URL"
        )
    return f"the Bot API at {api} failed: {type(error).__name__}: {redact_tokens(error.message)}"


def start_failure_code(error: TelegramError) -> ExitCode:
    """UNAVAILABLE for what a later restart can fix (no connection, a timeout, a 5xx: PTB raises
    NetworkError for those), USAGE for what it cannot (a refused token or request)."""
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return ExitCode.UNAVAILABLE
    return ExitCode.USAGE


def _fail(message: str, code: ExitCode = ExitCode.USAGE) -> int:
    print(f"error: {redact_tokens(message)}", file=sys.stderr)
    return code
