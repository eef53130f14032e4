"""What long polling has been through: when it last got an answer and an update, and the warnings
that a supervisor or an operator needs — each said once a while, never as a traceback per poll.

PTB's Updater retries a failing getUpdates forever and logs each failure with its traceback (a
409 for 30 s was 189 tracebacks, none saying what was wrong), and it ends polling silently on a
401, leaving a process that looks alive and answers no one. JournalBot reports to this object
instead; /healthz (bot.telegram.runtime.health) reads it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

WARN_EVERY_SECONDS = 60.0
logger = logging.getLogger("bot.polling")


class PollingHealth:
    """The state of long polling (see the module docstring); `clock` is monotonic seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.started_at = clock()
        self.last_answer_at: float | None = None  # any getUpdates answered
        self.last_update_at: float | None = None  # a getUpdates that brought updates
        self.ended: str | None = None  # why polling ended for good (the token refused)
        self._warned_at: dict[str, float] = {}
        self._on_end: Callable[[], None] = lambda: None

    def when_ended(self, callback: Callable[[], None]) -> None:
        """Call `callback` once polling ends for good (run_bot stops the process)."""
        self._on_end = callback

    def answered(self, updates: int) -> None:
        """A getUpdates was answered, with `updates` updates."""
        now = self._clock()
        self.last_answer_at = now
        if updates:
            self.last_update_at = now

    def end(self, reason: str) -> None:
        """Polling cannot go on (a restart with the same settings will not help either)."""
        if self.ended is None:
            self.ended = reason
            self._on_end()

    def warn(self, kind: str, message: str, *args: object) -> None:
        """Log a WARNING of this kind at most once every WARN_EVERY_SECONDS."""
        now = self._clock()
        last = self._warned_at.get(kind)
        if last is None or now - last >= WARN_EVERY_SECONDS:
            self._warned_at[kind] = now
            logger.warning(message, *args)

    def seconds_since_answer(self) -> float:
        """Seconds since getUpdates was last answered (since the start if never)."""
        return self._clock() - (self.last_answer_at if self.last_answer_at is not None else self.started_at)

    def seconds_since_update(self) -> float | None:
        """Seconds since the last update arrived; None if none has yet."""
        return None if self.last_update_at is None else self._clock() - self.last_update_at
