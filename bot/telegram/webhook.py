"""Webhook mode: a small tornado server that takes Telegram's POSTs, in place of PTB's own.

PTB's server reads the whole body before it looks at anything (a 95 MB body was buffered before
the 403), accepts only the exact header `Content-Type: application/json`, logs a traceback for
malformed JSON and queues a repeated POST a second time. This one, per request:

1. the secret header first: without the right X-Telegram-Bot-Api-Secret-Token, 403;
2. then the headers: a type other than application/json (parameters such as charset=utf-8 are
   fine) is 415, a Content-Length over MAX_BODY_BYTES is 413 — before any of the body is read;
3. the body is read up to MAX_BODY_BYTES (a chunked body that grows past it is cut off, 413);
4. JSON that does not parse, or is not an object, is 400 with a one-line debug log;
5. the update goes through the UpdateIntake (journalled, deduplicated, parsed on its own) and
   the answer is 200 — also for a duplicate or an unreadable update, which Telegram must not
   send again.
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

import tornado.web
from tornado.httpserver import HTTPServer

from bot.config import ConfigError, Settings
from bot.telegram.app import ALLOWED_UPDATES, AnyApplication, application_lifecycle, intake_of
from bot.telegram.intake import UpdateIntake

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


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """One POST from Telegram (see the module docstring for the order of the checks)."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, secret: str, intake: UpdateIntake, bot_application: AnyApplication) -> None:
        self._secret = secret.encode()
        self._intake = intake
        self._application = bot_application
        self._chunks: list[bytes] = []
        self._size = 0

    def prepare(self) -> None:
        """Refuse on the headers alone: secret, content type, declared length."""
        given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._secret):
            self._refuse(HTTPStatus.FORBIDDEN, "wrong or missing secret token")
        elif not is_json_type(self.request.headers.get("Content-Type", "")):
            self._refuse(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json")
        elif _declared_length(self.request.headers.get("Content-Length")) > MAX_BODY_BYTES:
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "an update is never this large")

    def data_received(self, chunk: bytes) -> None:
        """Keep the body, up to MAX_BODY_BYTES."""
        if self._finished:
            return
        self._size += len(chunk)
        if self._size > MAX_BODY_BYTES:
            self._chunks.clear()
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "an update is never this large")
            return
        self._chunks.append(chunk)

    async def post(self) -> None:
        """Parse, journal and queue the update; 200 unless the body is not a JSON object."""
        try:
            data = json.loads(b"".join(self._chunks))
        except (ValueError, UnicodeDecodeError):
            self._refuse(HTTPStatus.BAD_REQUEST, "the body is not valid JSON")
            return
        if not isinstance(data, dict):
            self._refuse(HTTPStatus.BAD_REQUEST, "the body is not a JSON object")
            return
        for update in self._intake.admit([data], self._application.bot):
            await self._application.update_queue.put(update)
        self.set_status(HTTPStatus.OK)
        self.finish()

    def _refuse(self, status: HTTPStatus, reason: str) -> None:
        logger.debug("webhook request refused: %d %s", status, reason)
        self.clear_header("Content-Type")
        self.set_status(status)
        self.finish(reason)


def _declared_length(value: str | None) -> int:
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return MAX_BODY_BYTES + 1  # a length we cannot read is not one we accept


class _QuietApplication(tornado.web.Application):
    """Tornado's access log would add a line per update; refusals are logged by the handler."""

    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """Not logged."""


class WebhookServer:
    """The HTTP server around UpdateHandler, on the endpoint's address and path."""

    def __init__(self, endpoint: WebhookEndpoint, intake: UpdateIntake, application: AnyApplication) -> None:
        handler_args = {"secret": endpoint.secret, "intake": intake, "bot_application": application}
        web = _QuietApplication([(rf"{re.escape(endpoint.path)}/?", UpdateHandler, handler_args)])
        # max_body_size backs up the handler's own limit (tornado's default is 100 MB).
        self._server = HTTPServer(web, max_body_size=MAX_BODY_BYTES, idle_connection_timeout=60)
        self._endpoint = endpoint

    def start(self) -> None:
        """Listen (an error such as "address in use" is raised as OSError)."""
        self._server.listen(self._endpoint.port, address=self._endpoint.listen)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        self._server.stop()
        await self._server.close_all_connections()


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
        server.start()

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
