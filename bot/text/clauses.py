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


# What marks a clause as the question: a question mark after it, an English question opening,
# or a Chinese question word or particle (Mandarin, Cantonese, Taiwan usage).
_PIECES = re.compile(rf"(.*?)({_BOUNDARY.pattern}|$)", re.DOTALL)
_ENGLISH_QUESTION = re.compile(
    r"^(?:(?:so|and|but|then|ok|okay|also|btw|hi|hello|hey)\s+)*"
    r"(?:what|whats|what's|which|how|hows|when|where|why|who|whom|whose|can|could|do|does|did|is|"
    r"are|am|was|were|will|would|should|shall|may|might|must|any|anything|need|have|has|isnt|"
    r"isn't|dont|don't|doesnt|doesn't|cant|can't|wont|won't)\b"
)
_CHINESE_QUESTION = re.compile(
    r"吗|嗎|呢|么|麼|啥|咋|几|幾|多久|多少|哪|边|邊|咩|係咪|系咪|是不是|是否|能不能|可不可以|"
    r"要不要|有没有|有沒有|有冇|会不会|會不會|得唔得|使唔使|点样|點樣|点先|點先|点算|點算|怎"
)


def question_clause(normalized: str) -> str | None:
    """The clause a message asks in, when it has a story around it; None for a one-clause message.

    The last clause that reads as a question: followed by a question mark, opening like an
    English question, or holding a Chinese question word. "Going to the One store tomorrow,
    what should I take" asks "what should I take", whatever the story names.
    """
    pieces = [
        (found.group(1).strip(), found.group(2))
        for found in _PIECES.finditer(normalized)
        if found.group(1).strip()
    ]
    if len(pieces) < 2:
        return None
    for clause, after in reversed(pieces):
        if "?" in after or "？" in after or _ENGLISH_QUESTION.match(clause) or _CHINESE_QUESTION.search(clause):
            return clause
    return None
