"""The bot process of the end-to-end benchmark: ours, or a bare python-telegram-bot echo bot.

`python -m bench.e2e_bot ours|echo|echo-same-client`, configured like `python -m bot run` through the
environment (TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL pointing at the benchmark's fake Bot
API, BOT_DATA_DIR ...). Runs until SIGTERM.

Why not `python -m bot run` itself: it always installs AIORateLimiter, which holds the bot
to Telegram's ~30 messages a second — the benchmark would measure the limiter. Everything
else is what `run` does: the same settings, logging, knowledge base, responder and
build_application(), run by running_application() (run_polling's sequence minus signals).
The echo bot gets the same builder options (timeouts, sequential updates, no rate limiter) and
PTB's default HTTP client (httpx); `echo-same-client` is the same echo bot on the client our bot
uses (bot/telegram/runtime/transport.py, aiohttp), so that our own overhead can be told apart from the
difference between the two clients.

If BENCH_STATUS_FILE is set, the process appends its VmRSS (kB) after each start-up phase
there as `phase kB` lines, so the benchmark can say where the memory goes. If
BENCH_PROFILE_FILE is set, the process runs under cProfile from the moment it polls (start-up
is measured by bench/startup.py, not here) until SIGTERM, and dumps its stats there.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import signal
import sys
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.config import Settings, load_settings
from bot.telegram.runtime.app import AnyApplication, bot_requests, connection_options, running_application

STATUS_FILE = os.environ.get("BENCH_STATUS_FILE")
KINDS = ("ours", "echo", "echo-same-client")


def note(phase: str) -> None:
    """Record this process's resident memory after a start-up phase (when asked to)."""
    if not STATUS_FILE:
        return
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            with open(STATUS_FILE, "a", encoding="utf-8") as status:
                status.write(f"{phase} {line.split()[1]}\n")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the message's own text: the least work a bot can do per message."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def echo_application(settings: Settings, *, same_client: bool = False) -> AnyApplication:
    """A bare Application with one text handler, built with our builder options; with
    `same_client`, on our bot's HTTP client instead of PTB's default."""
    requests = bot_requests(settings) if same_client else None
    builder = connection_options(Application.builder(), settings, requests)
    application: AnyApplication = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    return application


def ours_application(settings: Settings) -> AnyApplication:
    """Our Application exactly as `run` builds it, minus the rate limiter."""
    from bot.telegram.runtime.app import build_application
    from bot.telegram.runtime.logging_setup import configure_logging
    from bot.telegram.runtime.runner import load_responder

    configure_logging(settings.log_level)
    note("imports")
    responder = load_responder(settings)
    note("knowledge-base")
    return build_application(settings, responder, rate_limit=False)


async def serve(kind: str, profiler: cProfile.Profile | None) -> None:
    """Build the application, poll until SIGTERM, then stop cleanly (persistence flushed)."""
    settings = load_settings(os.environ)
    if kind == "ours":
        application = ours_application(settings)
    else:
        application = echo_application(settings, same_client=kind == "echo-same-client")
    note("application")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with running_application(application, poll_timeout=10):
        note("polling")
        if profiler is not None:
            profiler.enable()
        await stop.wait()
        if profiler is not None:
            profiler.disable()


def main() -> None:
    """Entry point: `python -m bench.e2e_bot ours|echo`."""
    if len(sys.argv) != 2 or sys.argv[1] not in KINDS:
        sys.exit(f"usage: python -m bench.e2e_bot {'|'.join(KINDS)}")
    note("imports")
    profile_to = os.environ.get("BENCH_PROFILE_FILE")
    profiler = cProfile.Profile() if profile_to else None
    try:
        asyncio.run(serve(sys.argv[1], profiler))
    finally:
        if profiler is not None and profile_to:
            profiler.dump_stats(profile_to)


if __name__ == "__main__":
    main()
