"""The HTTP side: a server on 127.0.0.1 that answers ``/bot<token>/<method>`` like api.telegram.org.

The port is reserved for the server's whole life (a bound socket that does not listen), so the
server can drop off the network and come back at the same address: while it is unreachable,
connections are refused, as when the network is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from fake_telegram.faults import MALFORMED_BODY, Fault, FaultPlan
from fake_telegram.methods import Handler
from fake_telegram.wire import JSON, ApiError, Call, decode_param, dumps


def _bound_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # shares the port with the reservation
    sock.bind((host, port))
    return sock


def _error(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.code, dumps=dumps)


class BotApiServer:
    """Decodes each request, checks the token, applies a scripted fault or runs the method,
    and hands the record of the call to `record`."""

    def __init__(
        self,
        methods: dict[str, tuple[str, Handler]],
        faults: FaultPlan,
        record: Callable[[Call], None],
        token_accepted: Callable[[str], bool],
        host: str = "127.0.0.1",
        notify: Callable[[], None] = lambda: None,
        port: int = 0,
    ) -> None:
        self._methods, self._faults, self._record, self._token_accepted = (
            methods,
            faults,
            record,
            token_accepted,
        )
        self._host = host
        self._wanted_port = port  # 0: any free port (tests); a fixed one for `python -m fake_telegram`
        self._notify = notify  # wakes the test's waiters when something changes without a call
        self._runner: web.AppRunner | None = None
        self._reservation: socket.socket | None = None
        self._site: web.SockSite | None = None
        self._late: set[asyncio.Future[web.StreamResponse]] = set()  # delayed answers
        self.stalled = 0  # requests held by a stall fault right now

    @property
    def port(self) -> int:
        if self._reservation is None:
            raise RuntimeError("the fake Bot API is not started")
        return int(self._reservation.getsockname()[1])

    async def start(self, *, reachable: bool) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # handler_cancellation: an abandoned long poll ends at once, as on Telegram.
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        self._reservation = _bound_socket(self._host, self._wanted_port)
        await self.set_reachable(reachable)

    async def set_reachable(self, reachable: bool) -> None:
        """Listen on the reserved port, or refuse connections and cut the open ones."""
        if self._runner is None:
            raise RuntimeError("the fake Bot API is not started")
        if reachable and self._site is None:
            self._site = web.SockSite(self._runner, _bound_socket(self._host, self.port))
            await self._site.start()
        elif not reachable and self._site is not None:
            site, self._site = self._site, None
            await site.stop()
            for connection in self._runner.server.connections if self._runner.server else []:
                connection.force_close()

    async def stop(self) -> None:
        """Close everything; answers still being delayed are abandoned."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        for late in list(self._late):
            late.cancel()
        self._site = None
        await runner.cleanup()
        if self._reservation is not None:
            self._reservation.close()

    async def _not_found(self, request: web.Request) -> web.Response:
        return _error(ApiError(404, "Not Found"))

    async def _read_params(self, request: web.Request) -> JSON:
        params: JSON = {key: decode_param(key, value) for key, value in request.query.items()}
        if request.content_type == "application/json" and request.can_read_body:
            body = await request.json()
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: request body must be a JSON object")
            params.update(body)
        elif request.can_read_body:
            for key, value in (await request.post()).items():
                params[key] = decode_param(key, value) if isinstance(value, str) else "<file>"
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        at = time.time()
        method = request.match_info["method"]
        name, handler = self._methods.get(method.lower(), (method, None))

        def record(params: JSON, **outcome: Any) -> None:
            self._record(Call(name, params, at, request.method, **outcome))

        try:
            params = await self._read_params(request)
        except (ValueError, ApiError) as exc:
            error = exc if isinstance(exc, ApiError) else ApiError(400, "Bad Request: invalid request")
            record({}, status=400, error=error.description)
            return _error(error)
        if not self._token_accepted(request.match_info["token"]):
            record(params, status=401, error="Unauthorized")
            return _error(ApiError(401, "Unauthorized"))
        fault = self._faults.take(name)
        if fault is not None and fault.kind == "pass":
            fault = None
        if fault is not None and fault.kind == "stall":
            return await self._stall(params, record)
        if fault is None or fault.kind != "delay":
            return await self._respond(request, handler, params, record, fault)

        async def late() -> web.StreamResponse:
            await asyncio.sleep(fault.seconds)
            return await self._respond(request, handler, params, record, None)

        # Shielded: a client that gives up meanwhile does not undo the call (a timed-out
        # sendMessage may still have been delivered, as on Telegram).
        answer = asyncio.ensure_future(late())
        self._late.add(answer)
        answer.add_done_callback(self._late.discard)
        return await asyncio.shield(answer)

    async def _stall(self, params: JSON, record: Callable[..., None]) -> web.StreamResponse:
        """Never answer, never act: until the client gives up (or the server stops)."""
        self.stalled += 1
        self._notify()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            record(params, status=499, error="client closed request", fault="stall")
            raise
        finally:
            self.stalled -= 1
            self._notify()
        raise AssertionError("unreachable")

    async def _respond(
        self,
        request: web.Request,
        handler: Handler | None,
        params: JSON,
        record: Callable[..., None],
        fault: Fault | None,
    ) -> web.StreamResponse:
        if fault is not None and fault.kind == "error":
            error = ApiError(fault.status, fault.error_description(), fault.retry_after)
            record(params, status=fault.status, error=error.description, fault=f"error {fault.status}")
            return _error(error)
        if fault is not None:  # drop / malformed
            if fault.processed and handler is not None:
                with contextlib.suppress(ApiError):
                    await _run(handler, params)
            record(params, fault=fault.kind)
            if fault.kind == "drop" and request.transport is not None:
                request.transport.close()
            return web.Response(body=MALFORMED_BODY, content_type="application/json")
        if handler is None:
            record(params, status=404, error="Not Found")
            return _error(ApiError(404, "Not Found"))
        try:
            result = await _run(handler, params)
        except ApiError as error:
            if request.transport is None or request.transport.is_closing():  # e.g. a superseded long poll
                record(params, status=499, error="client closed request")
                return web.Response(status=499)
            record(params, status=error.code, error=error.description)
            return _error(error)
        except asyncio.CancelledError:  # the client went away (PTB cancels its long poll on stop)
            record(params, status=499, error="client closed request")
            raise
        record(params, result=result)
        return web.json_response({"ok": True, "result": result}, dumps=dumps)


async def _run(handler: Handler, params: JSON) -> Any:
    result = handler(params)
    return await result if inspect.isawaitable(result) else result
