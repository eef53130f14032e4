"""Follow-up messages that only make sense after an answer: next, back, more detail, a choice."""

from __future__ import annotations

import re
from enum import Enum

from bot.text.fillers import core_of


class FollowUp(Enum):
    """What a short follow-up message asks for."""

    NEXT = "next"
    PREVIOUS = "previous"
    DETAIL = "detail"


# Matched against the whole normalised message (simplified Chinese, lower case), with
# punctuation and polite filler removed, so "下一步呢？" and "ok next please" count but
# "下一步要带什么材料" (a real question) does not.
_PATTERNS: dict[FollowUp, re.Pattern[str]] = {
    FollowUp.NEXT: re.compile(
        r"(下一步|下一个|下一条|下一节|下一项|接下来|接下去|接着|然后|然后呢|之后|之后呢|后来|继续|往下|往下走|"
        r"后面|下面|再来|再往下|跟住|跟住落嚟|跟着|再下一步|"
        r"next|next step|next one|next please|what'?s next|what comes next|and next|then|then what|what then|"
        r"after that|and after that|what after that|what now|now what|continue|go on|go ahead|keep going|"
        r"more steps?|the next step)"
    ),
    FollowUp.PREVIOUS: re.compile(
        r"(上一步|上一个|上一条|上一节|前一步|返回|回去|退回|后退|之前那步|previous|previous step|prev|"
        r"back|go back|step back|last step|before that)"
    ),
    FollowUp.DETAIL: re.compile(
        r"(详细点|详细一点|详细些|详细说说|详细|具体点|具体一点|具体些|具体说说|展开|展开说说|细节|"
        r"说详细点|说具体点|再详细点|再具体点|more detail|more details|in detail|details|detail|"
        r"tell me more|more|elaborate|expand|explain more|sub-?steps)"
    ),
}
_CHOICE = re.compile(r"^\s*(?:#|no\.?|选|第)?\s*([1-9])\s*(?:个|号)?\s*$")


def detect_follow_up(normalized: str) -> FollowUp | None:
    """The follow-up a short normalised message asks for, or None for anything else."""
    text = core_of(normalized)
    if not text or len(text) > 24:
        return None
    for kind, pattern in _PATTERNS.items():
        if pattern.fullmatch(text):
            return kind
    return None


def detect_choice(normalized: str) -> int | None:
    """A bare number ("2", "#2", "选2") picking one of the offered choices, 1-based."""
    found = _CHOICE.match(normalized)
    return int(found.group(1)) if found else None
