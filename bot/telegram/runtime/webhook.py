"""Webhook mode: a small aiohttp server that takes Telegram's POSTs, in place of PTB's own.

PTB's server reads the whole body before it looks at anything (a 95 MB body was buffered before
the 403), accepts only the exact header `Content-Type: application/json`, logs a traceback for
malformed JSON and queues a repeated POST a second time. This one, per request:

1. the secret header first: without the right X-Telegram-Bot-Api-Secret-Token, 403;
2. then the headers: a type other than application/json (parameters such as charset=utf-8 are
   fine) is 415, a Content-Length over MAX_BODY_BYTES is 413 — before any of the body is read;
3. the body is read up to MAX_BODY_BYTES (a chunked body that grows past it is cut off, 413);
4. JSON that does not parse (nested too deep for the parser included: that was a 500 and a
   traceback), or is not an object, is 400 with a one-line debug log;
5. the update goes through the UpdateIntake (journalled, deduplicated, parsed on its own) and
   the answer is 200 — also for a duplicate or an unreadable update, which Telegram must not
   send again — or 503 when the journal cannot be written (a full disk): the update is answered
   but not confirmed, and Telegram sends it again later (intake.UpdateIntake).

A connection that sends no complete request within IDLE_TIMEOUT_SECONDS is closed: half-open
connections (226 of them, last round) were all held open after 30 s.

Why aiohttp: the bot already calls the Bot API with it (bot/telegram/runtime/transport.py). PTB's own
server would need tornado, which PTB imports whenever it is installed — about 1 MB in every
bot process, polling or not; aiohttp.web is imported only here, only in webhook mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

from aiohttp import web

from bot.config import ConfigError, Settings
from bot.telegram.runtime.app import ALLOWED_UPDATES, AnyApplication, application_lifecycle, intake_of
from bot.telegram.runtime.intake import UpdateIntake

IDLE_TIMEOUT_SECONDS = 15.0  # for headers to arrive, and between two requests on one connection
MAX_BODY_BYTES = 1_048_576  # Telegram's updates are a few kilobytes; a message is at most 4,096 chars
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
logger = logging.getLogger("bot.webhook")


@dataclass(frozen=True)
class WebhookEndpoint:
    """Where the bot listens, and what it tells Telegram to call."""

    public_url: str
    listen: str
    port: int
    secret: str

    @property
    def path(self) -> str:
        """The URL path requests must use (the public URL's, behind a reverse proxy)."""
        return "/" + urlsplit(self.public_url).path.strip("/")


def webhook_endpoint(settings: Settings) -> WebhookEndpoint:
    """The endpoint from the settings; ConfigError says what is missing or malformed."""
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
    return WebhookEndpoint(
        settings.webhook_url, settings.webhook_listen, settings.webhook_port, settings.webhook_secret.value
    )


def is_json_type(content_type: str) -> bool:
    """application/json, with or without parameters, in any case; only UTF-8 if a charset is named."""
    media_type, *parameters = (part.strip().lower() for part in content_type.split(";"))
    if media_type != "application/json":
        return False
    charsets = [
        value.strip('"') for name, _, value in (p.partition("=") for p in parameters) if name == "charset"
    ]
    return all(charset in {"utf-8", "utf8"} for charset in charsets)


class UpdateReceiver:
    """The handler of Telegram's POSTs (see the module docstring for the order of the checks)."""

    def __init__(self, secret: str, intake: UpdateIntake, application: AnyApplication) -> None:
        self._secret = secret.encode()
        self._intake = intake
        self._application = application

    async def receive(self, request: web.Request) -> web.Response:
        """One POST: refused on its headers, its size or its JSON, or journalled and queued."""
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        body = await _body_within_limit(request)
        if body is None:
            return _refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "an update is never this large")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _refuse(HTTPStatus.BAD_REQUEST, "the body is not valid JSON")
        if not isinstance(data, dict):
            return _refuse(HTTPStatus.BAD_REQUEST, "the body is not a JSON object")
        for update in await self._intake.admit_off_loop([data], self._application.bot):
            await self._application.update_queue.put(update)
        if self._intake.journal_failing:  # answered, not kept: Telegram must send it again
            return _refuse(HTTPStatus.SERVICE_UNAVAILABLE, "the update could not be journalled")
        return web.Response(status=HTTPStatus.OK)

    def _refusal(self, request: web.Request) -> web.Response | None:
        """Refuse on the headers alone: secret, content type, declared length."""
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._secret):
            return _refuse(HTTPStatus.FORBIDDEN, "wrong or missing secret token")
        if not is_json_type(request.headers.get("Content-Type", "")):
            return _refuse(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json")
        if _declared_length(request.headers.get("Content-Length")) > MAX_BODY_BYTES:
            return _refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "an update is never this large")
        return None


async def _body_within_limit(request: web.Request) -> bytes | None:
    """The body, read as it comes; None as soon as it grows past MAX_BODY_BYTES."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(65_536):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse(status: HTTPStatus, reason: str) -> web.Response:
    logger.debug("webhook request refused: %d %s", status, reason)
    return web.Response(status=status, text=reason)


def _declared_length(value: str | None) -> int:
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return MAX_BODY_BYTES + 1  # a length we cannot read is not one we accept


class WebhookServer:
    """The HTTP server around UpdateReceiver, on the endpoint's address and path.

    No access log: it would add a line per update; refusals are logged by the receiver. No
    lingering: a body left unread (a refusal on the headers) closes the connection instead of
    being read and thrown away for up to 10 s, aiohttp's default.
    """

    def __init__(self, endpoint: WebhookEndpoint, intake: UpdateIntake, application: AnyApplication) -> None:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        receiver = UpdateReceiver(endpoint.secret, intake, application)
        for path in {endpoint.path, endpoint.path.rstrip("/") + "/"}:  # with or without the slash
            app.router.add_post(path, receiver.receive)
        # keepalive_timeout: aiohttp starts it when a connection opens, so it also closes one
        # that never completes its headers (there is no separate header-read timeout).
        self._runner = web.AppRunner(
            app, access_log=None, lingering_time=0, keepalive_timeout=IDLE_TIMEOUT_SECONDS
        )
        self._endpoint = endpoint

    async def start(self) -> None:
        """Listen (an error such as "address in use" is raised as OSError)."""
        await self._runner.setup()
        await web.TCPSite(self._runner, self._endpoint.listen, self._endpoint.port).start()

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        await self._runner.cleanup()


@contextlib.asynccontextmanager
async def serving_webhook(application: AnyApplication, endpoint: WebhookEndpoint) -> AsyncIterator[None]:
    """Run an application in webhook mode: the sequence of run_webhook, with our server.

    initialize, post_init, setWebhook, listen, start; then stop listening, stop (updates in hand
    get their time, the state is flushed), post_stop, shutdown, post_shutdown.
    """
    intake = intake_of(application)
    if intake is None:
        raise TypeError("serving_webhook needs an application built by build_application()")
    server = WebhookServer(endpoint, intake, application)

    async def start_receiving() -> None:
        await application.bot.set_webhook(
            url=endpoint.public_url, secret_token=endpoint.secret, allowed_updates=ALLOWED_UPDATES
        )
        await server.start()

    async with application_lifecycle(application, start_receiving, server.stop):
        yield


async def serve_webhook_until_stopped(application: AnyApplication, endpoint: WebhookEndpoint) -> None:
    """`python -m bot run --webhook`: serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop_signal, stop.set)
    async with serving_webhook(application, endpoint):
        await stop.wait()
