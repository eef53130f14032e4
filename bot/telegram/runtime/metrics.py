"""What /metrics reports, in Prometheus' text format (prometheus-client).

Imported only when BOT_HEALTH_PORT is set: prometheus-client and these objects cost nothing
otherwise. One registry per application (not the library's global one), so two bots in one
test process do not share counters.

* bot_turns_total{outcome}: answered, clarify ("did you mean"), declined, small_talk, shown;
* bot_declines_total{reason}: why a question was declined (off_topic, unknown_step, …);
* bot_update_seconds: how long handling an update took (a histogram);
* bot_update_queue_depth: updates received and not yet being handled;
* bot_log_errors_total{level}: WARNING and ERROR lines logged (errors, whatever raised them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.conversation.service import Turn
from bot.understanding.outcomes import Declined

# Handling an update is a few milliseconds, a Bot API call tens to hundreds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class BotMetrics:
    """The bot's counters, gauges and histogram (see the module docstring)."""

    def __init__(self, queue_depth: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter("bot_turns", "Turns by outcome", ["outcome"], registry=self.registry)
        self.declines = Counter(
            "bot_declines", "Declined questions by reason", ["reason"], registry=self.registry
        )
        self.latency = Histogram(
            "bot_update_seconds",
            "Seconds spent handling an update",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "bot_log_errors", "WARNING and ERROR log lines", ["level"], registry=self.registry
        )
        depth = Gauge("bot_update_queue_depth", "Updates received, not yet handled", registry=self.registry)
        depth.set_function(lambda: float(queue_depth()))

    def count_turn(self, turn: Turn) -> None:
        """One turn: its outcome ("plan" for the personal plan), and for a decline its reason."""
        self.turns.labels(turn.decision).inc()
        if isinstance(turn.outcome, Declined):
            self.declines.labels(turn.outcome.reason.name.lower()).inc()

    def observe_seconds(self, seconds: float) -> None:
        """How long one update's handling took."""
        self.latency.observe(seconds)

    def exposition(self) -> bytes:
        """Everything, in Prometheus' text format."""
        return generate_latest(self.registry)


class ErrorCounter(logging.Handler):
    """Counts WARNING and ERROR records into BotMetrics (installed on the root logger)."""

    def __init__(self, metrics: BotMetrics) -> None:
        super().__init__(logging.WARNING)
        self._metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        """Count, never format: the record's text may quote a user."""
        self._metrics.errors.labels(record.levelname.lower()).inc()
