"""The real Application, built by the same code as `python -m bot run`, against the fake Bot API."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.telegram.runtime.app import AnyApplication, build_application, running_application
from bot.telegram.runtime.logging_setup import configure_logging
from bot.understanding.answer import Responder
from fake_telegram import FakeBotApi

TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"
BOT_USERNAME = "SimHelpBot"
ADMIN_ID = 9001
JSON = dict[str, Any]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "privacy_mode: the fake Bot API applies Telegram's group privacy mode")


@pytest.fixture
async def api(request: pytest.FixtureRequest) -> AsyncIterator[FakeBotApi]:
    """The fake Bot API; a test (or module) marked ``privacy_mode`` gets Telegram's privacy mode."""
    privacy_mode = request.node.get_closest_marker("privacy_mode") is not None
    async with FakeBotApi(token=TOKEN, username=BOT_USERNAME, privacy_mode=privacy_mode) as fake:
        yield fake


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def bot_settings(api: FakeBotApi, data_dir: Path, **extra: str) -> Settings:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.root_url,
        "BOT_DATA_DIR": str(data_dir),
        "BOT_ADMIN_IDS": str(ADMIN_ID),
        **extra,
    }
    return load_settings(env)


StartBot = Callable[..., AbstractAsyncContextManager[AnyApplication]]


# The applications started by this test, so that assert_silent can wait for their updates.
_STARTED: list[AnyApplication] = []


@pytest.fixture(autouse=True)
def _forget_started_bots() -> Iterator[None]:
    yield
    _STARTED.clear()


@pytest.fixture
def start_bot(api: FakeBotApi, data_dir: Path, responder: Responder) -> StartBot:
    """An async context manager factory: `async with start_bot(**env) as app:` runs the bot.

    `rate_limit=False` leaves PTB's rate limiter out (30 messages a second over all chats), for a
    test that sends thousands of updates and is not about pacing.
    """

    def start(
        responder_override: Responder | None = None, *, rate_limit: bool = True, **extra: str
    ) -> AbstractAsyncContextManager[AnyApplication]:
        application = build_application(
            bot_settings(api, data_dir, **extra), responder_override or responder, rate_limit=rate_limit
        )
        _STARTED.append(application)
        return running_application(application, poll_timeout=1)

    return start


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[AnyApplication]:
    async with start_bot() as application:
        yield application


@pytest.fixture
def log_stream() -> io.StringIO:
    """Everything logged at DEBUG, through the production logging set-up."""
    stream = io.StringIO()
    configure_logging("DEBUG", stream)
    return stream


async def reply_to(
    api: FakeBotApi, text: str, *, chat_id: int, count: int = 1, timeout: float = 5.0, **kwargs: Any
) -> list[JSON]:
    """Inject a message and wait for `count` messages sent to that chat in response."""
    mark = api.mark()
    api.inject_message(text, chat_id=chat_id, **kwargs)
    return await api.wait_for_sent(chat_id, count=count, since=mark, timeout=timeout)


async def assert_silent(api: FakeBotApi, chat_id: int, since: int) -> None:
    """Prove the bot sent nothing to `chat_id` since `since`.

    Once a later private message is answered, everything injected before it has been fetched;
    chats are handled side by side, so then wait until every fetched update has been handled.
    """
    sentinel_chat = 777_000_777
    await reply_to(api, "/help", chat_id=sentinel_chat, user_id=sentinel_chat, chat_type="private")
    for application in _STARTED:
        if application.running:
            await asyncio.wait_for(application.update_queue.join(), timeout=10)
    assert api.sent(chat_id, since=since) == []


def buttons(message: JSON) -> list[JSON]:
    """All inline buttons of a sent message, row by row."""
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]
