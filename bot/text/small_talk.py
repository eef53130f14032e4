"""Small talk: greetings, thanks, goodbyes, "who are you" — answered like a person, not refused.

The phrases live in knowledge/examples.yaml (`small_talk:`), the replies in the message
catalogue. A message is small talk when nothing but such phrases (and punctuation, emoji,
particles) is left of it: "你好", "thanks bye", "hi, are you a bot?". A greeting in front of
a real question ("你好，保号卡怎么注销") is taken off and the question answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class SmallTalkKind(StrEnum):
    """What kind of small talk a message is; each has its reply in the catalogue."""

    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    IDENTITY = "identity"  # who are you, are you a bot, what can you do
    ACKNOWLEDGEMENT = "acknowledgement"  # ok, got it, 好的
    # Not chat but a request typed instead of /plan ("我的计划", "make me a checklist"): whole
    # phrases like the others, so they live with them; the conversation opens the plan for it.
    PLAN = "plan"


# Kinds that are only ever the whole message: never taken off the front or end of a question.
_NEVER_STRIPPED = (None, SmallTalkKind.IDENTITY, SmallTalkKind.PLAN)


# When a message holds several ("hi, who are you"), the reply answers the weightiest.
_PRIORITY = (
    SmallTalkKind.PLAN,
    SmallTalkKind.IDENTITY,
    SmallTalkKind.GOODBYE,
    SmallTalkKind.THANKS,
    SmallTalkKind.GREETING,
    SmallTalkKind.ACKNOWLEDGEMENT,
)
# Punctuation, symbols and emoji, and the particles that soften a Chinese phrase (你好呀, 谢啦).
_NOISE = re.compile(r"[\W_]+|(?<=[\u4e00-\u9fff])[呀啊啦哈哦嘛呢吧喔哇噢嗯]+", re.UNICODE)
_REPEATED_LETTER = re.compile(r"([a-z])\1{2,}")  # "hiii", "thanksss"
# Words that soften English small talk without changing it: "thanks mate", "hi guys", "bye bot".
_SOFTENERS = re.compile(
    r"\b(?:mate|bro|man|dude|guys|everyone|everybody|folks|buddy|pal|sir|madam|bot|again|dear|lol|haha|"
    r"please|pls|so much|very much|a lot|again)\b"
)
_MAX_SMALL_TALK_CHARS = 60


@dataclass(frozen=True)
class SmallTalkPhrases:
    """The known phrases, matched as whole words from the start of a normalised message."""

    phrases: Mapping[str, SmallTalkKind] = field(default_factory=dict)
    _leading: re.Pattern[str] | None = field(init=False, default=None, compare=False, repr=False)
    _whole: re.Pattern[str] | None = field(init=False, default=None, compare=False, repr=False)
    _trailing: re.Pattern[str] | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.phrases:
            alternatives = "|".join(
                _as_pattern(phrase) for phrase in sorted(self.phrases, key=len, reverse=True)
            )
            object.__setattr__(self, "_leading", re.compile(rf"\s*({alternatives})\s*"))
            # The whole message as a run of phrases; the regex engine backtracks, so "好的 谢谢你"
            # is "好的" + "谢谢你" even though "好的 谢谢" is also a phrase.
            object.__setattr__(self, "_whole", re.compile(rf"(?:\s*(?:{alternatives})\s*)+"))
            object.__setattr__(
                self, "_trailing", re.compile(rf"[\s,，!！.。~、]*({alternatives})[\s,，!！.。~、?？]*$")
            )

    def detect(self, normalized: str) -> SmallTalkKind | None:
        """The kind of small talk a whole message is, or None when it says anything else."""
        if len(normalized) > _MAX_SMALL_TALK_CHARS or self._whole is None or self._leading is None:
            return None
        text = _clean(normalized)
        if not text or not self._whole.fullmatch(text):
            return None
        kinds = {self.kind_of(found.group(1)) for found in self._leading.finditer(text)}
        return next((kind for kind in _PRIORITY if kind in kinds), None)

    def strip_leading(self, normalized: str) -> str:
        """The message without greetings or thanks in front: "你好 请问怎么注销" → "请问怎么注销"."""
        text = normalized
        while self._leading is not None:
            found = self._leading.match(text)
            if found is None or self.kind_of(found.group(1)) in _NEVER_STRIPPED:
                break
            rest = text[found.end() :].lstrip(" ,，!！.。~、?？:：")
            if not rest:
                break  # nothing but small talk: detect() answers it
            text = rest
        return text

    def strip_around(self, normalized: str) -> str:
        """The message without greetings or thanks at either end: "怎么注销 唔该晒" → "怎么注销"."""
        text = self.strip_leading(normalized)
        while self._trailing is not None:
            found = self._trailing.search(text)
            if found is None or self.kind_of(found.group(1)) in _NEVER_STRIPPED:
                break
            rest = text[: found.start()].rstrip()
            if not rest:
                break
            text = rest
        return text

    def kind_of(self, phrase: str) -> SmallTalkKind | None:
        """The kind of one known phrase (as matched in a message), None if it is not one."""
        return self.phrases.get(_clean(phrase))


def build_small_talk(
    groups: Mapping[SmallTalkKind, Iterable[str]], normalize: Callable[[str], str]
) -> SmallTalkPhrases:
    """Small-talk phrases by kind, each normalised the way messages are (`normalize`)."""
    phrases: dict[str, SmallTalkKind] = {}
    for kind, texts in groups.items():
        for text in texts:
            phrase = _clean(normalize(text))
            if phrase:
                phrases.setdefault(phrase, kind)
    return SmallTalkPhrases(phrases)


def _clean(normalized: str) -> str:
    text = _REPEATED_LETTER.sub(r"\1", normalized)
    text = _SOFTENERS.sub(" ", _NOISE.sub(" ", text))
    return re.sub(r"\s+", " ", text).strip()


def _as_pattern(phrase: str) -> str:
    escaped = re.escape(phrase).replace(r"\ ", r"\s+")
    if phrase[:1].isascii() and phrase[:1].isalnum():
        escaped = r"(?<![a-z0-9])" + escaped
    if phrase[-1:].isascii() and phrase[-1:].isalnum():
        escaped += r"(?![a-z0-9])"
    return escaped
