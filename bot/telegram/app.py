"""Build the Application: the same code for `run`, the tests and the benchmarks."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, PersistenceInput, PicklePersistence

from bot.answer import Responder
from bot.config import Settings
from bot.language import Lang
from bot.telegram import commands, inline, navigation, questions
from bot.telegram.desk import DESK_KEY, Desk
from bot.telegram.errors import on_error

STATE_FILE = "bot-state.pickle"
COMMANDS = ("start", "help", "steps", "step", "lang")
# The menu in each client language Telegram lets us target; "" is everyone else.
MENU_LANGUAGES: dict[str, Lang] = {"": "zh-Hans", "zh": "zh-Hans", "en": "en"}

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(settings: Settings, responder: Responder, *, rate_limit: bool = True) -> AnyApplication:
    """The bot's Application with every handler, persistence under BOT_DATA_DIR and rate limiting."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    persistence = PicklePersistence(
        filepath=settings.data_dir / STATE_FILE,
        store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=True, callback_data=False),
        update_interval=10,
    )
    builder = (
        ApplicationBuilder()
        .token(settings.token.value)
        .persistence(persistence)
        .post_init(_post_init)
        .concurrent_updates(False)
    )
    if settings.api_base_url:
        base = settings.api_base_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    if rate_limit:
        # PTB's builder types cannot express swapping in a rate limiter's argument type.
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    application: AnyApplication = builder.build()
    application.bot_data[DESK_KEY] = Desk(responder=responder, settings=settings)
    for module in (commands, questions, navigation, inline):
        application.add_handlers(module.handlers())
    application.add_error_handler(on_error)
    return application


async def _post_init(application: AnyApplication) -> None:
    """Publish the command menu in Chinese and English."""
    desk: Desk = application.bot_data[DESK_KEY]
    messages = desk.responder.kb.messages
    for language_code, lang in MENU_LANGUAGES.items():
        menu = [BotCommand(name, messages.get(f"cmd_{name}", lang)) for name in COMMANDS]
        await application.bot.set_my_commands(menu, language_code=language_code or None)


ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
