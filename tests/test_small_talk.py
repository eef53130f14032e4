"""Small talk is matched by a walk through the phrases' prefixes (issue 18: start-up time), and must
find exactly what the three earlier regexes (flat, longest-first alternations) found, on any message."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.kb.base import KnowledgeBase
from bot.text import small_talk
from bot.text.normalize import normalize_text
from bot.text.small_talk import SmallTalkKind, SmallTalkPhrases, build_small_talk


class FlatPatterns:
    """The earlier matching, kept as the oracle: three regexes, each a flat alternation of every
    phrase, longest first (what SmallTalkPhrases did before issue 18's start-up work)."""

    def __init__(self, phrases: SmallTalkPhrases) -> None:
        self.phrases = phrases
        alternatives = "|".join(
            flat_alternation(phrase) for phrase in sorted(phrases.phrases, key=len, reverse=True)
        )
        self.leading = re.compile(rf"\s*({alternatives})\s*")
        self.whole = re.compile(rf"(?:\s*(?:{alternatives})\s*)+")
        self.trailing = re.compile(rf"[\s,，!！.。~、]*({alternatives})[\s,，!！.。~、?？]*$")

    def detect(self, normalized: str) -> SmallTalkKind | None:
        if len(normalized) > 60:
            return None
        text = small_talk._clean(normalized)
        if not text or not self.whole.fullmatch(text):
            return None
        kinds = {self.phrases.kind_of(found.group(1)) for found in self.leading.finditer(text)}
        return next((kind for kind in small_talk._PRIORITY if kind in kinds), None)

    def strip_leading(self, normalized: str) -> str:
        text = normalized
        while True:
            found = self.leading.match(text)
            if found is None or self.phrases.kind_of(found.group(1)) in small_talk._NEVER_STRIPPED:
                break
            rest = text[found.end() :].lstrip(" ,，!！.。~、?？:：")
            if not rest:
                break
            text = rest
        return text

    def strip_around(self, normalized: str) -> str:
        text = self.strip_leading(normalized)
        while True:
            found = self.trailing.search(text)
            if found is None or self.phrases.kind_of(found.group(1)) in small_talk._NEVER_STRIPPED:
                break
            rest = text[: found.start()].rstrip()
            if not rest:
                break
            text = rest
        return text


def flat_alternation(phrase: str) -> str:
    escaped = re.escape(phrase).replace(r"\ ", r"\s+")
    if phrase[:1].isascii() and phrase[:1].isalnum():
        escaped = r"(?<![a-z0-9])" + escaped
    if phrase[-1:].isascii() and phrase[-1:].isalnum():
        escaped += r"(?![a-z0-9])"
    return escaped


@pytest.fixture(scope="module")
def phrases(kb: KnowledgeBase) -> SmallTalkPhrases:
    return build_small_talk(kb.small_talk, normalize_text)


@pytest.fixture(scope="module")
def flat(phrases: SmallTalkPhrases) -> FlatPatterns:
    return FlatPatterns(phrases)


def assert_alike(phrases: SmallTalkPhrases, flat: FlatPatterns, message: str) -> None:
    """Alike on the message as normalised, and as given (runs of whitespace, tabs, upper case)."""
    for text in (normalize_text(message), message):
        assert phrases.detect(text) == flat.detect(text)
        assert phrases.strip_leading(text) == flat.strip_leading(text)
        assert phrases.strip_around(text) == flat.strip_around(text)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("你好", SmallTalkKind.GREETING),
        ("好的 谢谢你", SmallTalkKind.THANKS),  # 好的 + 谢谢你, although "好的 谢谢" is a phrase too
        ("hi, are you a bot?", SmallTalkKind.IDENTITY),
        ("thanksss mate", SmallTalkKind.THANKS),
        ("hiking", None),  # "hi" only as a whole word
        ("你好，保号卡怎么注销", None),
    ],
)
def test_whole_messages_of_small_talk_are_told_by_their_weightiest_phrase(
    phrases: SmallTalkPhrases, flat: FlatPatterns, message: str, kind: SmallTalkKind | None
) -> None:
    assert phrases.detect(normalize_text(message)) is kind
    assert_alike(phrases, flat, message)


def test_greetings_and_thanks_around_a_question_are_taken_off(phrases: SmallTalkPhrases) -> None:
    assert phrases.strip_leading(normalize_text("你好 保号卡怎么注销")) == "保号卡怎么注销"
    assert phrases.strip_around(normalize_text("hello, how do I cancel my sim? thanks!")) == (
        normalize_text("how do I cancel my sim?")
    )


def test_every_phrase_alone_and_in_company_is_found_as_before(
    phrases: SmallTalkPhrases, flat: FlatPatterns
) -> None:
    for phrase in phrases.phrases:
        for message in (
            phrase,
            f"{phrase}!",
            f"{phrase} 怎么注销",
            f"how do i cancel {phrase}",
            f"x{phrase}",
        ):
            assert_alike(phrases, flat, message)


WORDS = st.sampled_from(
    ["保号卡", "怎么", "注销", "sim", "cancel", "my", "a", "hi", "好", "谢", "bye", "ok", "吗", "1", "x"]
)
PUNCTUATION = st.sampled_from(
    [" ", "  ", ",", "，", "!", "！", ".", "。", "~", "、", "?", "？", "呀", "😀", ""]
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_message_is_small_talk_or_stripped_exactly_as_before(
    phrases: SmallTalkPhrases, flat: FlatPatterns, data: st.DataObject
) -> None:
    known = st.sampled_from(sorted(phrases.phrases))
    pieces = data.draw(st.lists(st.one_of(known, WORDS, PUNCTUATION, st.text(max_size=3)), max_size=8))
    assert_alike(phrases, flat, "".join(pieces))
    assert_alike(phrases, flat, " ".join(pieces))
