"""A per-user flood guard: a burst over the limit is dropped after one notice."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum

PRUNE_EVERY = 1_000  # checks between sweeps of users gone quiet, so memory stays flat


class Verdict(Enum):
    """What to do with one message."""

    ALLOW = "allow"
    NOTIFY = "notify"  # the first message over the limit: tell the user once
    DROP = "drop"


@dataclass
class FloodGuard:
    """At most `limit` messages per user in any `window` seconds."""

    limit: int = 8
    window: float = 10.0
    _times: dict[int, deque[float]] = field(default_factory=dict)
    _notified: set[int] = field(default_factory=set)
    _checks: int = 0

    def check(self, user_id: int, now: float) -> Verdict:
        """Record a message from `user_id` at `now` and judge it."""
        self._checks += 1
        if self._checks % PRUNE_EVERY == 0:
            self.forget_idle(now)
        times = self._times.setdefault(user_id, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            if len(times) == 1:
                self._notified.discard(user_id)
            return Verdict.ALLOW
        if user_id in self._notified:
            return Verdict.DROP
        self._notified.add(user_id)
        return Verdict.NOTIFY

    def forget_idle(self, now: float) -> None:
        """Drop users with no message in the window (keeps memory flat)."""
        for user_id in [
            uid for uid, times in self._times.items() if not times or now - times[-1] > self.window
        ]:
            del self._times[user_id]
            self._notified.discard(user_id)
