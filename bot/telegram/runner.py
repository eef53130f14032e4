"""`python -m bot run`: settings, logging, knowledge base, then polling (or webhook)."""

from __future__ import annotations

import gc
import logging
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.answer import Responder, build_responder
from bot.config import ConfigError, Settings, load_settings, merged_environment
from bot.kb import load_knowledge_base
from bot.problems import KnowledgeBaseError
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.logging_setup import configure_logging

EXIT_OK, EXIT_KB, EXIT_CONFIG = 0, 1, 2
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
logger = logging.getLogger("bot")


def check_webhook_settings(settings: Settings) -> None:
    """Webhook mode needs a public URL and a secret token; ConfigError says which is missing."""
    if not settings.webhook_secret.value:
        raise ConfigError(
            "webhook mode needs BOT_WEBHOOK_SECRET (1-256 of A-Z a-z 0-9 _ -):"
            " requests without it are refused"
        )
    if not SECRET_SHAPE.match(settings.webhook_secret.value):
        raise ConfigError("BOT_WEBHOOK_SECRET may only use A-Z a-z 0-9 _ - (at most 256 characters)")
    if not settings.webhook_url:
        raise ConfigError(
            "webhook mode needs BOT_WEBHOOK_URL, the public https URL Telegram posts updates to"
        )


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Arguments for PTB's run_webhook / start_webhook: requests must carry the secret token."""
    check_webhook_settings(settings)
    assert settings.webhook_url is not None
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlsplit(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret.value,
        "allowed_updates": ALLOWED_UPDATES,
    }


def load_responder(settings: Settings) -> Responder:
    """The knowledge base and its index, built once at start-up.

    gc.freeze() then moves everything built so far out of the garbage collector's sight:
    the index is hundreds of thousands of long-lived objects, and scanning them again and
    again is what made the slowest answers slow (a full collection pass in a 99th percentile).
    """
    responder = build_responder(load_knowledge_base(settings.kb_dir))
    gc.collect()
    gc.freeze()
    return responder


def run_bot(kb_dir: Path | None, *, webhook: bool = False) -> int:
    """Start the bot and block until it stops; returns the process exit code."""
    try:
        settings = load_settings(merged_environment(), kb_dir)
        if webhook:
            check_webhook_settings(settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level)
    try:
        responder = load_responder(settings)
    except KnowledgeBaseError as exc:
        print(f"error: {exc.report()}", file=sys.stderr)
        return EXIT_KB
    application = build_application(settings, responder)
    logger.info("starting: %d sections, data in %s", len(responder.kb.sections), settings.data_dir)
    if webhook:
        application.run_webhook(**webhook_options(settings))
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return EXIT_OK
