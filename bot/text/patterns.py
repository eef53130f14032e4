"""Patterns and limits that several modules share, defined once.

Each was written twice before (normalising and detecting the language both knew what a
mention is; configuration and logging both knew what a bot token looks like), and the two
copies had started to drift apart.
"""

from __future__ import annotations

import re
import unicodedata

# A message longer than this is not a question we can answer well (and costs time to match).
MAX_QUESTION_CHARS = 1_000

# Han ideographs: CJK unified (with extension A) and compatibility ideographs.
HAN_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = re.compile(f"[{HAN_CLASS}]")
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")

# A Telegram @username: 5-32 characters, starting with a letter (we accept 3+ to be lenient).
MENTION = re.compile(r"@[A-Za-z][A-Za-z0-9_]{2,31}")

# A bot token as @BotFather issues it: "<bot id>:<35 or so letters, digits, - or _>".
BOT_TOKEN = re.compile(r"\d{5,16}:[A-Za-z0-9_-]{30,64}")

# Zero-width characters, bidi controls and other format characters carry no meaning here.
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Cs", "Co", "Cn"}


def strip_invisible(text: str) -> str:
    """Drop control, format (zero-width, bidi) and unassigned characters; keep line breaks as spaces."""
    if text.isprintable():  # the usual case: nothing to drop (isprintable is False for all of them)
        return text
    return "".join(
        " " if ch in "\n\r\t" else ch
        for ch in text
        if ch in "\n\r\t" or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
    )
