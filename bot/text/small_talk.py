"""Small talk: greetings, thanks, goodbyes, "who are you" — answered like a person, not refused.

The phrases live in knowledge/examples.yaml (`small_talk:`), the replies in the message
catalogue. A message is small talk when nothing but such phrases (and punctuation, emoji,
particles) is left of it: "你好", "thanks bye", "hi, are you a bot?". A greeting in front of
a real question ("你好，保号卡怎么注销") is taken off and the question answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
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
# What a Latin phrase may not run into on either side: it matches only as whole words ("hi", not "hiking").
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True)
class SmallTalkPhrases:
    """The known phrases, matched as whole words from the start of a normalised message.

    Matched by walking the text through every phrase's prefixes, not with regexes: the three
    patterns that did this (each one alternation of ~700 phrases) took 60 ms each to compile
    at every start, sre's compiler being pure Python. The walk finds what they found: at any
    position the longest phrase that matches there, a space in a phrase standing for any run
    of whitespace, a phrase that begins or ends with a Latin letter or digit only as a whole
    word; a message is small talk when it can be cut into phrases in any way at all.
    """

    phrases: Mapping[str, SmallTalkKind] = field(default_factory=dict)
    # Every prefix of every phrase (spaces single), and whether a phrase ends there.
    _prefixes: Mapping[str, bool] = field(init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        prefixes: dict[str, bool] = {}
        for phrase in self.phrases:
            for end in range(1, len(phrase)):
                prefixes.setdefault(phrase[:end], False)
        prefixes.update(dict.fromkeys(self.phrases, True))
        object.__setattr__(self, "_prefixes", prefixes)

    def detect(self, normalized: str) -> SmallTalkKind | None:
        """The kind of small talk a whole message is, or None when it says anything else."""
        if len(normalized) > _MAX_SMALL_TALK_CHARS or not self.phrases:
            return None
        text = _clean(normalized)
        if not text or not self._is_phrases(text):
            return None
        kinds = {self.kind_of(phrase) for phrase in self._each_phrase(text)}
        return next((kind for kind in _PRIORITY if kind in kinds), None)

    def strip_leading(self, normalized: str) -> str:
        """The message without greetings or thanks in front: "你好 请问怎么注销" → "请问怎么注销"."""
        text = normalized
        while self.phrases:
            start = _skip_spaces(text, 0)
            ends = self._phrase_ends(text, start)
            if not ends or self.kind_of(text[start : ends[-1]]) in _NEVER_STRIPPED:
                break
            rest = text[_skip_spaces(text, ends[-1]) :].lstrip(" ,，!！.。~、?？:：")
            if not rest:
                break  # nothing but small talk: detect() answers it
            text = rest
        return text

    def strip_around(self, normalized: str) -> str:
        """The message without greetings or thanks at either end: "怎么注销 唔该晒" → "怎么注销"."""
        text = self.strip_leading(normalized)
        while self.phrases:
            found = self._trailing(text)
            if found is None or self.kind_of(found[1]) in _NEVER_STRIPPED:
                break
            rest = text[: found[0]].rstrip()
            if not rest:
                break
            text = rest
        return text

    def kind_of(self, phrase: str) -> SmallTalkKind | None:
        """The kind of one known phrase (as matched in a message), None if it is not one."""
        return self.phrases.get(_clean(phrase))

    def _phrase_ends(self, text: str, start: int) -> list[int]:
        """Where the phrases that begin at `start` end, shortest first (as whole words)."""
        if start >= len(text) or (_is_latin(text[start]) and start > 0 and text[start - 1] in _WORD_CHARS):
            return []
        ends: list[int] = []
        key, at = "", start
        while at < len(text):
            if text[at].isspace():
                key, at = key + " ", _skip_spaces(text, at)
            else:
                key, at = key + text[at], at + 1
            ends_here = self._prefixes.get(key)
            if ends_here is None:
                break
            if ends_here and not (_is_latin(key[-1]) and at < len(text) and text[at] in _WORD_CHARS):
                ends.append(at)
        return ends

    def _is_phrases(self, text: str) -> bool:
        """Whether all of `text` is phrases, with whitespace around them, cut in any way."""
        reached = {_skip_spaces(text, 0)}
        for at in range(len(text)):  # phrase ends only grow: every start is reached before it is used
            if at in reached:
                reached.update(_skip_spaces(text, end) for end in self._phrase_ends(text, at))
                if len(text) in reached:
                    return True
        return False

    def _each_phrase(self, text: str) -> Iterator[str]:
        """The longest phrase at each place, scanning from the left, as a regex search would."""
        at = 0
        while at < len(text):
            start = _skip_spaces(text, at)
            ends = self._phrase_ends(text, start)
            if ends:
                yield text[start : ends[-1]]
                at = ends[-1]
            else:
                at = start + 1 if start > at else at + 1

    def _trailing(self, text: str) -> tuple[int, str] | None:
        """The phrase that ends the text (only punctuation after it), and where the run of
        punctuation before it begins; the leftmost such place, as a regex search would find."""
        tail = len(text)
        while tail > 0 and _is_trailing_mark(text[tail - 1]):
            tail -= 1
        for start in range(len(text)):
            at = start
            while at < len(text) and _is_leading_mark(text[at]):
                at += 1
            ends = [end for end in self._phrase_ends(text, at) if end >= tail]
            if ends:
                return start, text[at : ends[-1]]
        return None


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


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _is_leading_mark(ch: str) -> bool:
    """What may stand between a question and the small talk after it ("怎么注销，谢谢")."""
    return ch.isspace() or ch in ",，!！.。~、"


def _is_trailing_mark(ch: str) -> bool:
    """What may follow small talk at the end of a message ("thanks!!", "谢谢？")."""
    return _is_leading_mark(ch) or ch in "?？"
