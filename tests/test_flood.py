"""The per-user flood guard."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram.people import PRUNE_EVERY, FloodGuard, Verdict


def test_a_burst_gets_one_notice_then_silence_and_recovers_after_the_window() -> None:
    guard = FloodGuard(limit=8, window=10.0)
    verdicts = [guard.check(1, now=0.1 * n) for n in range(12)]
    assert verdicts[:8] == [Verdict.ALLOW] * 8
    assert verdicts[8:] == [Verdict.NOTIFY, Verdict.DROP, Verdict.DROP, Verdict.DROP]
    assert guard.check(2, now=1.0) is Verdict.ALLOW  # others are not affected
    assert guard.check(1, now=20.0) is Verdict.ALLOW
    assert guard.check(1, now=20.1) is Verdict.ALLOW


def test_users_gone_quiet_are_forgotten() -> None:
    guard = FloodGuard()
    for user in range(PRUNE_EVERY - 1):
        guard.check(user, now=0.0)
    guard.check(10**9, now=100.0)  # the sweep runs on this check
    assert guard.check(10**9 + 1, now=100.0) is Verdict.ALLOW
    assert len(guard._times) == 2


@settings(max_examples=200)
@given(st.lists(st.floats(min_value=0.0, max_value=5.0, allow_nan=False), max_size=60), st.integers(1, 8))
def test_a_message_is_allowed_exactly_when_fewer_than_the_limit_were_allowed_in_the_window(
    gaps: list[float], limit: int
) -> None:
    guard = FloodGuard(limit=limit, window=10.0)
    allowed: list[float] = []
    now = 0.0
    for gap in gaps:
        now += gap
        recent = [at for at in allowed if now - at <= 10.0]
        verdict = guard.check(7, now=now)
        assert (verdict is Verdict.ALLOW) == (len(recent) < limit)
        if verdict is Verdict.ALLOW:
            allowed.append(now)
