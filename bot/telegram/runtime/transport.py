"""How the bot talks HTTP to the Bot API: python-telegram-bot's request interface over aiohttp.

Why not PTB's default (HTTPXRequest): measured on this machine (bench/RESULTS.md, "end to
end"), httpx + httpcore spend 1.0 ms of CPU on each Bot API call made one at a time and 1.6 ms
with eight in flight — more than everything else the bot does for a question. Two costs of
httpcore 1.0 grow with what makes this bot fair: every request scans every open connection
(one readiness syscall per idle one, twice), and, without the optional sniffio, every request
fails `import sniffio` several times over (a search of sys.path each time). aiohttp, a client
made for asyncio, spends 0.1-0.3 ms on the same call. The price is aiohttp's import: about
10 MB of resident memory and 0.2 s at start-up (`run` only; `ask` and `check` never load it).

PTB documents BaseRequest as the place for another HTTP library; what stays PTB's is everything
above do_request(): the status codes turned into TelegramError subclasses, RetryAfter, the
rate limiter. What this class adds:

* requests go as JSON (Telegram's `application/json`), files as multipart form data;
* PTB's four timeouts, mapped onto aiohttp's: pool + connect bound getting a connection,
  connect alone bounds opening one, read bounds the wait for the answer, and the sum of all
  four bounds the whole call (aiohttp has no separate write timeout);
* certificates are checked against the system's authorities, as aiohttp does by default (an
  operator's own CA added there is honoured), or against certifi's — the ones PTB's default
  client uses — when the system has none (a slim container);
* a timeout raises TimedOut, any other failure NetworkError, as PTB's own request does — with
  one difference: the error text never holds the request's URL, since the URL holds the bot
  token (the original exception is not chained for the same reason);
* a failure says whether the request may have reached Telegram: RequestNotSent (a NetworkError)
  when no connection was made, so sending again is safe, RequestMaybeSent when it failed after
  the request was written (the connection cut, the answer unreadable). sendMessage is not
  idempotent: bot.telegram.replies retries only the first kind, or it answered twice.
"""

from __future__ import annotations

import json
import os
import ssl
from typing import Any

import aiohttp
import certifi
from telegram.error import TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.telegram.runtime.delivery_errors import RequestMaybeSent, RequestNotSent
from bot.telegram.runtime.logging_setup import redact_tokens

_JSON_HEADERS = {"Content-Type": "application/json"}


def _chosen(value: object, default: float | None) -> float | None:
    """A per-call timeout, or this request object's default when the caller did not set one.

    "Not set" is PTB's DefaultValue sentinel, which lives in a private module: anything that is
    neither a number nor None is taken to be it.
    """
    if value is None:
        return None
    return float(value) if isinstance(value, int | float) else default


def _sum_or_none(*seconds: float | None) -> float | None:
    """The whole call's bound: the sum of its parts, or none if any part is unbounded."""
    return None if any(part is None for part in seconds) else sum(part or 0.0 for part in seconds)


def _body(request_data: RequestData | None) -> tuple[bytes | aiohttp.FormData | None, dict[str, str]]:
    """The request body and its headers: JSON, or multipart form data when files are sent."""
    if request_data is None:
        return None, {}
    if not request_data.contains_files:
        # ASCII with escapes: a lone surrogate in a user's text cannot fail the encoding.
        return json.dumps(request_data.parameters, separators=(",", ":")).encode("ascii"), _JSON_HEADERS
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, {}


def system_has_authorities(paths: ssl.DefaultVerifyPaths | None = None) -> bool:
    """Whether OpenSSL's default CA file or directory exists and holds something."""
    paths = paths or ssl.get_default_verify_paths()
    if paths.cafile and os.path.isfile(paths.cafile) and os.path.getsize(paths.cafile) > 0:
        return True
    return bool(paths.capath and os.path.isdir(paths.capath) and any(os.scandir(paths.capath)))


def certificate_check(paths: ssl.DefaultVerifyPaths | None = None) -> bool | ssl.SSLContext:
    """What the connector verifies certificates with: True (aiohttp's context over the system's
    authorities, made when aiohttp is imported: no second copy of a CA store in memory), or a
    context over certifi's when the system has none."""
    if system_has_authorities(paths):
        return True
    return ssl.create_default_context(cafile=certifi.where())


class AiohttpRequest(BaseRequest):
    """PTB's BaseRequest over one aiohttp ClientSession (see the module docstring).

    `connections` caps the connections open at once (a request beyond it waits for one, up to
    the pool timeout). The session is opened by initialize() — aiohttp wants a running event
    loop — and closed by shutdown(); both may be called more than once, as PTB does.
    """

    def __init__(
        self,
        *,
        connections: int,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The read timeout of calls that do not set their own (PTB adds a long poll's wait to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections, ssl=certificate_check()),
                headers={"User-Agent": self.USER_AGENT},
                # PTB reads the answer itself; a session-wide timeout would cut long polls.
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """PTB's, except that an answer that is not JSON is RequestMaybeSent: the request reached
        Telegram and may have taken effect (PTB's plain "Invalid server response" was retried)."""
        try:
            return BaseRequest.parse_json_payload(payload)
        except TelegramError:
            raise RequestMaybeSent("the Bot API's answer could not be read (not JSON)") from None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One call: (HTTP status, body). TimedOut or NetworkError when no answer came."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        sending_files = request_data is not None and request_data.contains_files
        read = _chosen(read_timeout, self._read_timeout)
        write = _chosen(write_timeout, self._media_write_timeout if sending_files else self._write_timeout)
        connect = _chosen(connect_timeout, self._connect_timeout)
        pool = _chosen(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            total=_sum_or_none(pool, connect, write, read),
            connect=_sum_or_none(pool, connect),
            sock_connect=connect,
            sock_read=read,
        )
        body, headers = _body(request_data)
        try:
            async with session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as error:
            # Before a byte was sent: no connection (ConnectionTimeoutError is also a TimeoutError).
            raise RequestNotSent(redact_tokens(f"aiohttp.{type(error).__name__}: {error}")) from None
        except TimeoutError as error:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut(redact_tokens(f"no answer in time ({type(error).__name__})")) from None
        except aiohttp.ClientError as error:
            raise RequestMaybeSent(redact_tokens(f"aiohttp.{type(error).__name__}: {error}")) from None
