"""A message cut into its clauses, so that its question is judged apart from the story around it.

People in a chat write a sentence of context, thanks or a greeting around what they ask
("前几天刚去店里办完 店员说马上生效 但我今天打过去还是通的 咋回事啊"). Chinese chat text uses
spaces where prose uses commas, so a space between two Chinese characters ends a clause too.
"""

from __future__ import annotations

import re

from bot.text.patterns import HAN_CLASS

_BOUNDARY = re.compile(
    rf"[。！？!?;；，,、…\n]+|(?<=[.])\s+|(?<=[{HAN_CLASS}])\s+(?=[{HAN_CLASS}])"
    rf"|(?<=[{HAN_CLASS}])\s+(?=[a-z@])|(?<=[a-z0-9])\s+(?=[{HAN_CLASS}]{{2}})"
)


def split_clauses(normalized: str) -> list[str]:
    """The clauses of a normalised message, in order, empty ones left out."""
    return [clause.strip() for clause in _BOUNDARY.split(normalized) if clause.strip()]


_ONE_WORD = re.compile(rf"[{HAN_CLASS}]{{1,4}}|[a-z][a-z'-]*")
_EDGES = re.compile(r"^[\s?？!！.。,，~…]+|[\s?？!！.。,，~…]+$")


def is_one_word(normalized: str) -> bool:
    """Whether a message is one word and nothing else: "余额", "护照?", "fee", "refund??"."""
    return _ONE_WORD.fullmatch(_EDGES.sub("", normalized)) is not None
