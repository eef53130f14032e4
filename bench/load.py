"""The load of the end-to-end benchmark: questions injected into a fake Bot API, replies matched.

A closed loop: at most `window` questions unanswered at a time, each reply lets the next one in.
Users: a pool of POOL_USERS people asking in turn (least recently asked first). Someone whose
last question is unanswered or under FLOOD_SPACING_S old is skipped for a new user, so the
bot's flood guard (8 messages per user in 10 s) never drops a question, however fast the
machine, and every chat has at most one question in flight (replies are matched by chat).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.common import percentile, proc_cpu_seconds
from bench.results import LoadPhase
from fake_telegram import FakeBotApi

POOL_USERS = 1_000
FLOOD_SPACING_S = 1.5  # the flood guard allows 8 per 10 s: one per 1.25 s is always fine
REPLY_TIMEOUT_S = 30.0
FIRST_USER = 1_000_001
LANGUAGE_CODES = {"zh-Hans": "zh-hans", "zh-Hant": "zh-hant", "en": "en"}


@dataclass
class _Tally:
    """What one phase has seen so far."""

    asked: int = 0
    waiting: dict[int, float] = field(default_factory=dict)  # chat id → when its question was injected
    latencies: list[float] = field(default_factory=list)
    last_reply: float = 0.0


class Driver:
    """Injects questions into a fake Bot API and matches each reply to its question."""

    def __init__(self, api: FakeBotApi, questions: Sequence[tuple[str, str]]) -> None:
        self.api = api
        self.questions = questions  # (text, language)
        self.users: deque[tuple[int, float]] = deque()  # (user id, last asked), oldest first
        self.next_new_user = FIRST_USER
        self.asked_total = 0
        self.extra_replies = 0
        self._scanned = 0

    def _new_replies(self) -> list[tuple[int, float]]:
        """(chat id, arrival time) of sendMessage calls recorded since the last look."""
        calls = self.api.calls
        found = [
            (int(call.params["chat_id"]), call.at)
            for call in calls[self._scanned :]
            if call.method == "sendMessage" and call.ok
        ]
        self._scanned = len(calls)
        return found

    def _pick_user(self, waiting: dict[int, float], now: float) -> int:
        if self.users and len(self.users) >= POOL_USERS:
            user, last = self.users[0]
            if user not in waiting and now - last >= FLOOD_SPACING_S:
                self.users.popleft()
                return user
        user = self.next_new_user
        self.next_new_user += 1
        return user

    def _ask(self, tally: _Tally) -> None:
        now = time.time()
        user = self._pick_user(tally.waiting, now)
        text, lang = self.questions[self.asked_total % len(self.questions)]
        self.asked_total += 1
        tally.asked += 1
        tally.waiting[user] = now
        self.users.append((user, now))
        self.api.inject_message(text, user_id=user, language_code=LANGUAGE_CODES.get(lang))

    async def _collect(self, tally: _Tally, count: int) -> None:
        """Wait for replies; each one answered lets the next question in."""
        while len(tally.latencies) < count:
            await self.api.wait_until(
                lambda: len(self.api.calls) > self._scanned,
                timeout=REPLY_TIMEOUT_S,
                what=f"a reply ({len(tally.latencies)}/{count} answered)",
            )
            for chat_id, at in self._new_replies():
                sent_at = tally.waiting.pop(chat_id, None)
                if sent_at is None:
                    self.extra_replies += 1  # a second reply to one question
                    continue
                tally.latencies.append(at - sent_at)
                tally.last_reply = max(tally.last_reply, at)
                if tally.asked < count:
                    self._ask(tally)

    async def run(self, count: int, window: int, bot_pid: int) -> LoadPhase:
        """Ask `count` questions, at most `window` unanswered at a time; measure."""
        tally = _Tally()
        self._new_replies()  # earlier phases' calls are not this phase's replies
        bot_cpu, fake_cpu = proc_cpu_seconds(bot_pid), time.process_time()
        first = tally.last_reply = time.time()
        for _ in range(min(window, count)):
            self._ask(tally)
        await self._collect(tally, count)
        seconds = tally.last_reply - first
        return LoadPhase(
            questions=count,
            window=window,
            answered=len(tally.latencies),
            seconds=seconds,
            per_second=len(tally.latencies) / seconds if seconds > 0 else 0.0,
            latency_median_ms=statistics.median(tally.latencies) * 1000,
            latency_p99_ms=percentile(tally.latencies, 0.99) * 1000,
            latency_max_ms=max(tally.latencies) * 1000,
            bot_cpu_s=proc_cpu_seconds(bot_pid) - bot_cpu,
            fake_cpu_s=time.process_time() - fake_cpu,
            users=self.next_new_user - FIRST_USER,
        )

    async def settle(self) -> None:
        """Give a late duplicate reply a moment to arrive, then count it."""
        await asyncio.sleep(0.2)
        self.extra_replies += len(self._new_replies())
