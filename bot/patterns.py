"""Patterns and limits that several modules share, defined once.

Each was written twice before (normalising and detecting the language both knew what a
mention is; configuration and logging both knew what a bot token looks like), and the two
copies had started to drift apart.
"""

from __future__ import annotations

import re

# A message longer than this is not a question we can answer well (and costs time to match).
MAX_QUESTION_CHARS = 1_000

# Han ideographs: CJK unified (with extension A) and compatibility ideographs.
HAN_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = re.compile(f"[{HAN_CLASS}]")
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")

# A Telegram @username: 5-32 characters, starting with a letter (we accept 3+ to be lenient).
MENTION = re.compile(r"@[A-Za-z][A-Za-z0-9_]{2,31}")

# Phone, SIM (ICCID) and passport numbers in a question: six or more digits, maybe spaced or
# dashed. They mean nothing to matching ("+355" pulls towards the section naming the code).
LONG_NUMBER = re.compile(r"\+?\d(?:[\s-]?\d){5,}")

# A bot token as @BotFather issues it: "<bot id>:<35 or so letters, digits, - or _>".
BOT_TOKEN = re.compile(r"\d{5,16}:[A-Za-z0-9_-]{30,64}")
