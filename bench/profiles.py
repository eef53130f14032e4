"""Summaries of cProfile stats: the functions with the most own time, and, for a bot process,
where each message's time goes.

A built-in function (a regex's sub, sum) is named with the caller that spends most of its time
in it, so that "re.Pattern.sub 47%" says whose regex it is. cProfile slows everything down
(2-3×): compare shares and profiles with each other, not with unprofiled timings. In a bot
process, time blocked in epoll/select is idle, not busy, and is left out.
"""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path

from bench.results import BotProfile, ProfileLine

# Functions whose cumulative time per message is compared between the bots: name → the file
# that defines it (PTB's and ours), so that another function of the same name is not counted.
ENTRY_POINTS = {
    "process_update": "_application.py",  # PTB: dispatching one update, handler included
    "on_text": "handlers.py",  # ours: the question handler
    "echo": "e2e_bot.py",  # the echo bot's handler
    "take_turn": "turns.py",  # ours: the person's state in, the conversation service, state out, replies
    "handle": "service.py",  # ours: the conversation service (decide and render)
    "deliver": "replies.py",  # ours: sending the rendered reply (keyboard included)
    "reply_text": "_message.py",  # PTB: build the sendMessage request, send it, parse the answer
    "record": "unanswered.py",  # ours: the unanswered-questions log (SQLite)
    "get_updates": "_bot.py",  # PTB: long polling, parsing updates
    "update_persistence": "_application.py",  # PTB (+ ours): a persistence run
}
_IDLE = ("poll", "select")
TOP = 8
Key = tuple[str, int, str]
Row = tuple[int, int, float, float, object]


def _label(key: Key) -> str:
    filename, line, name = key
    return name if filename == "~" else f"{Path(filename).name}:{line}({name})"


def _named(key: Key, row: Row) -> str:
    """A function's label; a built-in's with its main caller ("<method 'sub'…> [92% via synonyms.py:37…]")."""
    callers = row[4]
    if key[0] != "~" or not isinstance(callers, dict) or not callers:
        return _label(key)
    caller, (_, _, own, _) = max(callers.items(), key=lambda item: item[1][2])
    share = own / row[2] if row[2] else 0.0
    return f"{_label(key)} [{share:.0%} via {_label(caller)}]"


def top_functions(entries: dict[Key, Row], top: int = TOP) -> list[ProfileLine]:
    """The `top` functions by own time, with their shares of the total own time of `entries`."""
    total = max(sum(row[2] for row in entries.values()), 1e-9)
    ranked = sorted(entries.items(), key=lambda item: -item[1][2])[:top]
    return [
        ProfileLine(
            function=_named(key, row), calls=row[1], own_share=row[2] / total, cumulative_share=row[3] / total
        )
        for key, row in ranked
    ]


def profile_lines(profiler: cProfile.Profile, top: int = TOP) -> list[ProfileLine]:
    """The `top` functions of an in-process profile by own time."""
    return top_functions(pstats.Stats(profiler).stats, top)  # type: ignore[attr-defined]


def _entry_points(entries: dict[Key, Row]) -> dict[str, float]:
    """Cumulative seconds of each entry point found."""
    found: dict[str, float] = {}
    for (filename, _, name), row in entries.items():
        if ENTRY_POINTS.get(name) == Path(filename).name:
            found[name] = max(found.get(name, 0.0), row[3])
    return found


def bot_profile(path: Path, messages: int) -> BotProfile:
    """Entry points' cumulative time per message, and the functions with the most own time."""
    stats = pstats.Stats(str(path))
    entries: dict[Key, Row] = stats.stats  # type: ignore[attr-defined]
    busy_entries = {key: row for key, row in entries.items() if not any(w in key[2] for w in _IDLE)}
    busy = max(sum(row[2] for row in busy_entries.values()), 1e-9)
    own = sorted(busy_entries.items(), key=lambda item: -item[1][2])[:TOP]
    return BotProfile(
        messages=messages,
        busy_per_message_ms=busy / messages * 1000,
        per_message_ms={name: s / messages * 1000 for name, s in _entry_points(entries).items()},
        top_own=[
            ProfileLine(
                function=_label(key), calls=row[1], own_share=row[2] / busy, cumulative_share=row[3] / busy
            )
            for key, row in own
        ],
    )
