"""`python -m bot run`: settings, logging, knowledge base, then polling (or webhook)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from bot.answer import build_responder
from bot.config import ConfigError, load_settings, merged_environment
from bot.kb import load_knowledge_base
from bot.problems import KnowledgeBaseError
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.logging_setup import configure_logging

EXIT_OK, EXIT_KB, EXIT_CONFIG = 0, 1, 2
logger = logging.getLogger("bot")


def run_bot(kb_dir: Path | None, *, webhook: bool = False) -> int:
    """Start the bot and block until it stops; returns the process exit code."""
    try:
        settings = load_settings(merged_environment(), kb_dir)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level)
    try:
        responder = build_responder(load_knowledge_base(settings.kb_dir))
    except KnowledgeBaseError as exc:
        print(f"error: the knowledge base has {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_KB
    application = build_application(settings, responder)
    logger.info("starting: %d sections, data in %s", len(responder.kb.sections), settings.data_dir)
    application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return EXIT_OK
