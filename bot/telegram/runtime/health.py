"""The optional health and metrics endpoint (BOT_HEALTH_PORT): for Docker's HEALTHCHECK, a
load balancer or Prometheus.

* GET /healthz → 200 while the bot works, 503 when it does not, with a small JSON body:
  whether polling is alive (a getUpdates answered within STALE_AFTER of the long-poll window),
  how long ago the last update came, and whether polling ended (a revoked token). In webhook
  mode there is no polling: 200 while the application runs.
* GET /metrics → the counters of bot.telegram.runtime.metrics in Prometheus' text format.

Imported, with aiohttp.web and prometheus-client, only when the port is set: an unset port
costs no memory.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.telegram.runtime.metrics import BotMetrics
from bot.telegram.runtime.polling_health import PollingHealth

# Polling is alive while a getUpdates was answered within this many seconds beyond one long
# poll plus its HTTP timeout (a few missed polls are normal on a bad network).
STALE_AFTER_SECONDS = 60.0


class HealthServer:
    """GET /healthz and /metrics on one port (see the module docstring)."""

    def __init__(
        self,
        listen: str,
        port: int,
        metrics: BotMetrics,
        polling: PollingHealth | None,
        poll_window: float,
        running: Any,
    ) -> None:
        self._listen, self._port = listen, port
        self._metrics = metrics
        self._polling = polling
        self._poll_window = poll_window
        self._running = running  # () -> bool: the application is running
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        self._runner = web.AppRunner(app, access_log=None)

    def status(self) -> tuple[bool, dict[str, object]]:
        """Whether the bot is healthy, and what says so."""
        body: dict[str, object] = {"running": bool(self._running())}
        healthy = bool(body["running"])
        if self._polling is not None:
            since_answer = self._polling.seconds_since_answer()
            since_update = self._polling.seconds_since_update()
            alive = self._polling.ended is None and since_answer <= self._poll_window + STALE_AFTER_SECONDS
            body.update(
                polling_alive=alive,
                seconds_since_poll_answered=round(since_answer, 1),
                seconds_since_last_update=None if since_update is None else round(since_update, 1),
                polling_ended=self._polling.ended,
            )
            healthy = healthy and alive
        body["status"] = "ok" if healthy else "unhealthy"
        return healthy, body

    async def healthz(self, request: web.Request) -> web.Response:
        """200 or 503, with the status as JSON."""
        healthy, body = self.status()
        return web.Response(
            status=200 if healthy else 503, text=json.dumps(body), content_type="application/json"
        )

    async def metrics(self, request: web.Request) -> web.Response:
        """Prometheus' text exposition format."""
        return web.Response(
            body=self._metrics.exposition(), headers={"Content-Type": "text/plain; version=0.0.4"}
        )

    async def start(self) -> None:
        """Listen (OSError if the port is taken)."""
        await self._runner.setup()
        await web.TCPSite(self._runner, self._listen, self._port).start()

    async def stop(self) -> None:
        """Stop listening."""
        await self._runner.cleanup()
