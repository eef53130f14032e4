"""Build the Application: the same code for `run`, the tests and the benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager as AsyncContextManager
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot.config import Settings
from bot.storage.data_dir import make_private_dir
from bot.storage.reminders import REMINDERS_FILE, ReminderStore
from bot.storage.sqlite_file import DiskFullError
from bot.storage.unanswered import DATABASE_FILE, UnansweredLog
from bot.storage.update_journal import JOURNAL_FILE, open_update_journal
from bot.telegram import admin, handlers
from bot.telegram.desk import DESK_KEY, Desk, ReloadOutcome
from bot.telegram.errors import on_error
from bot.telegram.profile import keep_profile_published
from bot.telegram.runtime.intake import JournalBot, UpdateIntake
from bot.telegram.runtime.persistence import (
    PersistentApplication,
    StatePersistence,
    forget_person,
    open_state_persistence,
)
from bot.telegram.runtime.processing import MAX_CHATS_AT_ONCE, ChatOrderedProcessor
from bot.telegram.runtime.rate_limits import BotRateLimiter
from bot.telegram.runtime.reminder_loop import REMINDERS_KEY, Reminders, reminders_of
from bot.telegram.runtime.transport import AiohttpRequest
from bot.understanding.answer import Responder

PERSISTENCE_INTERVAL_SECONDS = 10
POLL_TIMEOUT_SECONDS = 10  # how long one getUpdates waits for updates (PTB's run_polling default)
# On a stop signal, updates already received are handled for this long; the rest stay in the
# journal for the next start. Docker and systemd kill a process 10 s after asking it to stop.
STOP_WITHIN_SECONDS = 8.0
TELEGRAM_API = "https://api.telegram.org"
# The menu in each client language Telegram lets us target; "" is everyone else.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.MY_CHAT_MEMBER,
]
WATCHER_KEY = "kb-watcher"
PROFILE_KEY = "profile-publisher"
HEALTH_KEY = "health-server"
ERROR_COUNTER_KEY = "error-counter"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyBuilder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]
logger = logging.getLogger("bot.app")


def bot_api_base(settings: Settings) -> str:
    """The Bot API's address: TELEGRAM_API_BASE_URL (a local Bot API server), or Telegram's."""
    return (settings.api_base_url or TELEGRAM_API).rstrip("/")


def connection_options(
    builder: AnyBuilder, settings: Settings, requests: tuple[BaseRequest, BaseRequest] | None = None
) -> AnyBuilder:
    """Token, Bot API address, timeouts, one update at a time: the benchmark's bare echo bot.

    With `requests` ((calls, long polls), e.g. bot_requests()), on those HTTP clients instead of
    PTB's default one with our timeouts. The bot itself is built by build_application() with the
    same token and address (journal_bot), but its own Bot class, HTTP client
    (bot/telegram/runtime/transport.py) and per-chat concurrency.
    """
    base = bot_api_base(settings)
    builder = (
        builder.token(settings.token.value)
        .concurrent_updates(False)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
    )
    if requests is not None:
        return builder.request(requests[0]).get_updates_request(requests[1])
    return (
        builder.read_timeout(settings.http_timeout)
        .write_timeout(settings.http_timeout)
        .connect_timeout(settings.http_timeout)
        .pool_timeout(settings.http_timeout)
    )


def build_application(
    settings: Settings,
    responder: Responder,
    *,
    rate_limit: bool = True,
    save_interval: float = PERSISTENCE_INTERVAL_SECONDS,
    clock: Callable[[], float] = time.time,
    stop_within: float = STOP_WITHIN_SECONDS,
) -> AnyApplication:
    """The bot's Application with every handler, persistence and the journal of updates under
    BOT_DATA_DIR, per-chat concurrency and rate limiting.

    `save_interval` (seconds between saves of the state), `clock` (what "now" is for forgetting
    people after 30 days) and `stop_within` (how long a stop waits for updates in hand) are there
    for tests and benchmarks.
    """
    make_private_dir(settings.data_dir, "BOT_DATA_DIR")
    if settings.cache_dir is not None and settings.cache_dir.exists():
        make_private_dir(settings.cache_dir, "BOT_CACHE_DIR")
    intake = UpdateIntake(open_update_journal(settings.data_dir / JOURNAL_FILE, clock))
    bot = journal_bot(settings, intake, BotRateLimiter(max_retries=3) if rate_limit else None)
    processor = ChatOrderedProcessor(
        on_finished=lambda update: _finished(intake, update), stop_grace=stop_within
    )
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(processor)
        .application_class(JournalledApplication)
        .persistence(open_state_persistence(settings.data_dir, save_interval, clock))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    application: AnyApplication = builder.build()
    bot.accept_while(lambda: application.updater is None or application.updater.running)
    unanswered = _unanswered_log(settings)
    desk = Desk(
        responder=responder,
        settings=settings,
        forget=lambda user_id: forget_person(application, user_id, settings.data_dir),
        unanswered=unanswered,
    )
    application.bot_data[DESK_KEY] = desk
    if settings.health_port is not None:
        _add_metrics(application, desk, processor)
    reminder_store = _reminder_store(settings)
    if reminder_store is not None:
        application.bot_data[REMINDERS_KEY] = Reminders(reminder_store, clock)
    application.add_handlers(handlers.by_group())  # one ordered table (bot/telegram/handlers.py)
    application.add_error_handler(on_error)
    return application


def _add_metrics(application: AnyApplication, desk: Desk, processor: ChatOrderedProcessor) -> None:
    """Counters for /metrics (imported here: an unset BOT_HEALTH_PORT costs no memory)."""
    from bot.telegram.runtime.metrics import BotMetrics, ErrorCounter

    metrics = BotMetrics(queue_depth=application.update_queue.qsize)
    desk.metrics = metrics
    processor.on_timed = metrics.observe_seconds
    application.bot_data[ERROR_COUNTER_KEY] = counter = ErrorCounter(metrics)
    logging.getLogger().addHandler(counter)


def _unanswered_log(settings: Settings) -> UnansweredLog | None:
    """The unanswered-questions log if asked for; on a full disk, none (one warning)."""
    if not settings.log_unanswered:
        return None
    try:
        return UnansweredLog(settings.data_dir / DATABASE_FILE, settings.unanswered_keep_days)
    except DiskFullError as exc:
        logger.warning("%s: unanswered questions are not logged until the next start", exc)
        return None


def _reminder_store(settings: Settings) -> ReminderStore | None:
    """The plan's reminders; on a full disk, none this run (one warning): answering goes first."""
    try:
        return ReminderStore(settings.data_dir / REMINDERS_FILE)
    except DiskFullError as exc:
        logger.warning("%s: reminders can neither be set nor sent until the next start", exc)
        return None


def bot_requests(settings: Settings) -> tuple[AiohttpRequest, AiohttpRequest]:
    """The bot's two HTTP clients, with the configured timeouts: (Bot API calls, long polls).

    Calls: one per chat in hand at most, so MAX_CHATS_AT_ONCE × 2 connections never bind.
    Long polls: one at a time.
    """

    def request(connections: int) -> AiohttpRequest:
        seconds = settings.http_timeout
        return AiohttpRequest(
            connections=connections,
            read_timeout=seconds,
            write_timeout=seconds,
            connect_timeout=seconds,
            pool_timeout=seconds,
        )

    return request(MAX_CHATS_AT_ONCE * 2), request(1)


def journal_bot(settings: Settings, intake: UpdateIntake, rate_limiter: BotRateLimiter | None) -> JournalBot:
    """The bot object: token and Bot API address as connection_options() sets them, on the
    bot's own HTTP clients (bot_requests)."""
    base = bot_api_base(settings)
    general, polling = bot_requests(settings)
    return JournalBot(
        settings.token.value,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=general,
        get_updates_request=polling,
        rate_limiter=rate_limiter,
        intake=intake,
        poll_read_timeout=settings.http_timeout,
    )


class JournalledApplication(PersistentApplication):
    """Stops within STOP_WITHIN_SECONDS: what is not handled by then is left to the next start."""

    async def stop(self) -> None:
        """Give the updates in hand their time, then stop as PTB does (state flushed last)."""
        processor = self.update_processor
        if isinstance(processor, ChatOrderedProcessor):
            processor.stop_within(processor.stop_grace)
        await super().stop()


def intake_of(application: AnyApplication) -> UpdateIntake | None:
    """The UpdateIntake of an application built by build_application()."""
    bot = application.bot
    return bot.intake if isinstance(bot, JournalBot) else None


def _finished(intake: UpdateIntake, update: object) -> None:
    if isinstance(update, Update):
        intake.finish(update.update_id)


@contextlib.asynccontextmanager
async def application_lifecycle(
    application: AnyApplication,
    start_receiving: Callable[[], Awaitable[None]],
    stop_receiving: Callable[[], Awaitable[None]],
) -> AsyncIterator[AnyApplication]:
    """PTB's run_polling/run_webhook sequence inside an existing event loop, minus signals.

    initialize, post_init, start receiving updates, start; then stop receiving, stop (updates in
    hand get their time, the state is flushed), post_stop, shutdown, post_shutdown. Polling and
    the webhook differ only in how updates come in.
    """
    async with application:
        if application.post_init:
            await application.post_init(application)
        await start_receiving()
        await application.start()
        try:
            yield application
        finally:
            await stop_receiving()
            if application.running:
                await application.stop()
            if application.post_stop:
                await application.post_stop(application)
    if application.post_shutdown:
        await application.post_shutdown(application)


def running_application(
    application: AnyApplication, *, poll_timeout: int = 10
) -> AsyncContextManager[AnyApplication]:
    """Run an application by long polling inside an existing event loop (tests, benchmarks)."""
    updater = application.updater
    if updater is None:
        raise TypeError("running_application needs an application with an Updater")

    async def start_polling() -> None:
        await updater.start_polling(poll_interval=0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES)

    async def stop_polling() -> None:
        if updater.running:
            await updater.stop()

    return application_lifecycle(application, start_polling, stop_polling)


def desk_of(application: AnyApplication) -> Desk:
    """The Desk of an application built by build_application()."""
    desk = application.bot_data[DESK_KEY]
    assert isinstance(desk, Desk)
    return desk


async def _post_init(application: AnyApplication) -> None:
    """Queue what the last run left unfinished; publish the menu and descriptions in the
    background (never holding up polling); listen for SIGHUP and, if asked, for knowledge-base
    edits."""
    intake = intake_of(application)
    if intake is not None:  # before polling starts, so these come first
        for update in intake.unfinished(application.bot):
            application.update_queue.put_nowait(update)
    desk = desk_of(application)
    reminders = reminders_of(application.bot_data)
    if reminders is not None:  # what came due while the bot was down is sent first
        reminders.start(application.bot, lambda: desk.responder.kb)
    if desk.metrics is not None:
        await _start_health_server(application, desk)
    loop = asyncio.get_running_loop()
    # A plain asyncio task like the watcher's: post_stop cancels it if it is still waiting.
    application.bot_data[PROFILE_KEY] = loop.create_task(
        keep_profile_published(application.bot, desk.responder.kb), name="publish-profile"
    )
    with contextlib.suppress(
        NotImplementedError, RuntimeError, ValueError
    ):  # not on Windows / not main thread
        loop.add_signal_handler(
            signal.SIGHUP, lambda: application.create_task(reload_and_tell_admins(application))
        )
    if desk.settings.watch_kb:
        from bot.telegram.runtime.watcher import watch_knowledge_base  # watchfiles takes 70 ms to import

        # A plain asyncio task (PTB's create_task warns before the app runs); post_stop cancels it.
        application.bot_data[WATCHER_KEY] = asyncio.get_running_loop().create_task(
            watch_knowledge_base(desk.settings.kb_dir, lambda: reload_and_tell_admins(application))
        )


async def _start_health_server(application: AnyApplication, desk: Desk) -> None:
    """/healthz and /metrics on BOT_HEALTH_PORT (bot/telegram/runtime/health.py)."""
    from bot.telegram.runtime.health import HealthServer

    assert desk.metrics is not None
    assert desk.settings.health_port is not None
    bot = application.bot
    polling = bot.health if isinstance(bot, JournalBot) and desk.settings.webhook_url is None else None
    server = HealthServer(
        desk.settings.health_listen,
        desk.settings.health_port,
        desk.metrics,
        polling,
        poll_window=POLL_TIMEOUT_SECONDS + desk.settings.http_timeout,
        running=lambda: application.running,
    )
    await server.start()
    application.bot_data[HEALTH_KEY] = server


async def reload_and_tell_admins(application: AnyApplication) -> ReloadOutcome:
    """Reload (SIGHUP or a file change); a refused reload is reported to each admin privately."""
    desk = desk_of(application)
    outcome = await desk.reload()
    if not outcome.ok:
        await admin.tell_admins_reload_refused(application, outcome)
    return outcome


def profile_publisher(application: AnyApplication) -> asyncio.Task[int] | None:
    """The background task publishing the bot's profile (tests await it)."""
    task = application.bot_data.get(PROFILE_KEY)
    return task if isinstance(task, asyncio.Task) else None


async def _post_stop(application: AnyApplication) -> None:
    reminders = reminders_of(application.bot_data)
    if reminders is not None:
        await reminders.stop()
    for key in (WATCHER_KEY, PROFILE_KEY):
        task = application.bot_data.pop(key, None)
        if isinstance(task, asyncio.Task):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)


async def _post_shutdown(application: AnyApplication) -> None:
    server = application.bot_data.pop(HEALTH_KEY, None)
    if server is not None:
        await server.stop()
    counter = application.bot_data.pop(ERROR_COUNTER_KEY, None)
    if isinstance(counter, logging.Handler):
        logging.getLogger().removeHandler(counter)
    desk = desk_of(application)
    if desk.unanswered is not None:
        desk.unanswered.close()
    reminders = reminders_of(application.bot_data)
    if reminders is not None:
        reminders.store.close()
    if isinstance(application.persistence, StatePersistence):
        application.persistence.close()
    intake = intake_of(application)
    if intake is not None:
        intake.close()
