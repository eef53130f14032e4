"""What every handler needs, kept in bot_data: the current responder, settings, flood guard.

Reloading the knowledge base swaps `responder` in one assignment, so a handler that
already took a reference finishes with the old one and none sees half a reload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import CallbackContext

from bot.answer import Responder
from bot.config import Settings
from bot.telegram.flood import FloodGuard

DESK_KEY = "desk"


@dataclass
class Desk:
    """The bot's shared services (not persisted: rebuilt at every start)."""

    responder: Responder
    settings: Settings
    flood: FloodGuard = field(default_factory=FloodGuard)


def get_desk(context: CallbackContext[Any, Any, Any, Any]) -> Desk:
    """The Desk installed by build_application()."""
    desk = context.application.bot_data[DESK_KEY]
    assert isinstance(desk, Desk)
    return desk
