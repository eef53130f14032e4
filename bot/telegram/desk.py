"""What every turn needs, kept in bot_data: the current responder, settings, flood guards.

Reloading the knowledge base builds a new responder off the event loop, then swaps
`responder` in one assignment: a handler that already took a reference finishes with the
old one, and no question sees half a reload.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext

from bot.config import Settings
from bot.conversation.service import Conversation, Event, Press, Turn
from bot.kb.problems import KnowledgeBaseError, Problem
from bot.storage.unanswered import UnansweredLog
from bot.telegram.people import BUTTON_PRESSES_PER_WINDOW, FloodGuard
from bot.understanding.answer import Responder, load_serving_responder

if TYPE_CHECKING:  # prometheus-client is imported only when BOT_HEALTH_PORT is set
    from bot.telegram.runtime.metrics import BotMetrics

DESK_KEY = "desk"
# Erases everything kept about one person (/forget), in memory and in BOT_DATA_DIR; raises when a
# file could not be swept. build_application installs bot/telegram/runtime/persistence.py's
# forget_person over the running Application, which a turn reaches only through the Desk.
Forget = Callable[[int], Awaitable[object]]
logger = logging.getLogger("bot.desk")


@dataclass(frozen=True)
class ReloadOutcome:
    """Whether a reload took effect, and the problems that stopped it if not."""

    ok: bool
    sections: int
    problems: tuple[Problem, ...] = ()


@dataclass
class Desk:
    """The bot's shared services (not persisted: rebuilt at every start)."""

    responder: Responder
    settings: Settings
    forget: Forget
    flood: FloodGuard = field(default_factory=FloodGuard)
    presses: FloodGuard = field(default_factory=lambda: FloodGuard(limit=BUTTON_PRESSES_PER_WINDOW))
    unanswered: UnansweredLog | None = None
    metrics: BotMetrics | None = None  # with BOT_HEALTH_PORT (bot/telegram/runtime/health.py)
    _reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def reload(self) -> ReloadOutcome:
        """Load the knowledge base again; on any problem keep answering with the last good one."""
        async with self._reload_lock:
            try:
                fresh = await asyncio.to_thread(
                    lambda: load_serving_responder(self.settings.kb_dir, self.settings.cache_dir)
                )
            except KnowledgeBaseError as exc:
                logger.warning(
                    "knowledge-base reload refused: %d problem(s); keeping the last good one",
                    len(exc.problems),
                )
                return ReloadOutcome(False, len(self.responder.kb.sections), tuple(exc.problems))
            except Exception as exc:  # a defect of ours must not cost the last good knowledge base
                logger.exception("knowledge-base reload failed; keeping the last good one")
                problem = Problem(str(self.settings.kb_dir), 0, "", f"reload failed: {type(exc).__name__}")
                return ReloadOutcome(False, len(self.responder.kb.sections), (problem,))
            self.responder = fresh
            logger.info("knowledge base reloaded: %d sections", len(fresh.kb.sections))
            return ReloadOutcome(True, len(fresh.kb.sections))

    def conversation(self) -> Conversation:
        """The conversation service over the current responder: take it once per turn."""
        return Conversation(self.responder, unanswered_days=self.settings.unanswered_keep_days)

    def flood_guard(self, event: Event) -> FloodGuard:
        """The budget `event` counts against: button presses have their own."""
        return self.presses if isinstance(event, Press) else self.flood

    def count_turn(self, turn: Turn) -> None:
        """Count the turn's outcome for /metrics (nothing when metrics are off)."""
        if self.metrics is not None:
            self.metrics.count_turn(turn)


def get_desk(context: CallbackContext[Any, Any, Any, Any]) -> Desk:
    """The Desk installed by build_application()."""
    return desk_in(context.application.bot_data)


def desk_in(bot_data: Mapping[str, object]) -> Desk:
    """The Desk kept in an application's bot_data."""
    desk = bot_data[DESK_KEY]
    assert isinstance(desk, Desk)
    return desk
