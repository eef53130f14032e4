"""Personal numbers are spotted (group warning) and redacted (before storing), however they are written."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.text.normalize import normalize_text
from bot.text.privacy import CHINESE_DIGITS, looks_personal, redact

PERSONAL = [
    pytest.param("069.123.4567", id="dots"),
    pytest.param("069/123/4567", id="slashes"),
    pytest.param("069-123-4567", id="hyphens"),
    pytest.param("069 – 123 – 4567", id="en-dashes"),
    pytest.param("069 — 123 — 4567", id="em-dashes"),
    pytest.param("069   123     4567", id="runs-of-spaces"),
    pytest.param("+355 69 123 4567", id="international"),
    pytest.param("０６９１２３４５６７", id="full-width-digits"),
    pytest.param("069\u200b123\u200b4567", id="zero-width-spaces"),
    pytest.param("069\x00123\x1b4567", id="control-characters"),
    pytest.param("069。123。4567", id="chinese-full-stops"),
    pytest.param("069 -/ 123 // 4567", id="mixed-separators"),
    pytest.param("零六九一二三四五六七", id="chinese-numerals"),
    pytest.param("〇六九 一二三 四五六七", id="chinese-numerals-grouped"),
    pytest.param("幺三八两二三四五六七八", id="chinese-numerals-read-aloud"),
    pytest.param("8935501234567890123", id="iccid"),
    pytest.param("8935 5012 3456 7890 123", id="iccid-grouped"),
    pytest.param("11010519491231002X", id="resident-id-x"),
    pytest.param("110105194912310021", id="resident-id-digit"),
    pytest.param("110105 19491231 002x", id="resident-id-grouped"),
    pytest.param("E12345678", id="passport"),
    pytest.param("I12345678A", id="id-card"),
    pytest.param("ann@example.com", id="email"),
    pytest.param("ann (at) example.com", id="email-at-in-parentheses"),
    pytest.param("ann [at] example [dot] com", id="email-at-and-dot-in-brackets"),
    pytest.param("ANN(AT)EXAMPLE(DOT)COM", id="email-spelt-out-upper-case"),
    pytest.param("123456", id="six-digits"),
    pytest.param("a.b at example dot com", id="email-in-plain-words"),
    pytest.param("ann at mail dot example dot al", id="email-in-plain-words-subdomain"),
    pytest.param("zero six nine one two three four five six seven", id="digits-spelt-out"),
    pytest.param("Zero-Six-Nine 1 2 3 four five six seven", id="digits-spelt-out-mixed"),
    pytest.param("oh six nine one two three four", id="digits-spelt-out-oh"),
]

NOT_PERSONAL = [
    pytest.param("第四步", id="step-in-chinese"),
    pytest.param("step 4.1", id="step-label"),
    pytest.param("4.1 4.2 4.3 4.4 都要做吗", id="several-step-labels"),
    pytest.param("2024年买的卡", id="year"),
    pytest.param("余额还有2.5欧", id="price-decimal"),
    pytest.param("充了 500 lek, 2024 年 5 月", id="price-and-date-words"),
    pytest.param("营业厅 9:00-17:00 开门", id="opening-hours"),
    pytest.param("周一到周五, 一二三楼都有", id="chinese-numerals-in-words"),
    pytest.param("hi @SimHelpBot", id="public-handle"),
    pytest.param("I'm done with step one, what about two?", id="digit-words-in-a-sentence"),
    pytest.param("look at step dot four", id="at-and-dot-without-an-address"),
    pytest.param("Oh, one more question: steps one two three?", id="a-few-digit-words"),
]


@pytest.mark.parametrize("text", PERSONAL)
def test_personal_data_is_spotted(text: str) -> None:
    assert looks_personal(f"我的号码是 {text} 怎么注销")
    assert looks_personal(text)


@pytest.mark.parametrize("text", PERSONAL)
def test_personal_data_is_redacted_and_the_question_around_it_kept(text: str) -> None:
    redacted = redact(f"my number {text} how to cancel")
    assert redacted.startswith("my number <")
    assert redacted.endswith("> how to cancel")
    assert not re.search(r"\d{4}", redacted)


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_short_numbers_are_not_personal_and_stay_readable(text: str) -> None:
    assert not looks_personal(text)
    assert redact(text).replace("<handle>", "@SimHelpBot") == text


def test_each_kind_of_personal_data_gets_its_own_placeholder() -> None:
    text = "call +355 69 123 4567, mail ann@example.com, I'm @annbot, passport E12345678"
    assert redact(text) == "call <number>, mail <email>, I'm <handle>, passport <id>"


def test_a_step_label_next_to_a_phone_number_does_not_shield_it() -> None:
    assert redact("4.1 4.2 069 123 4567") == "<number>"


def test_a_long_message_of_near_misses_is_handled_in_linear_time() -> None:
    # Would take minutes with a pattern that rescans from every letter of a long word.
    text = "a." * 50_000 + "a" * 50_000 + "@" + "1 " * 50_000
    assert redact(text).endswith("@<number> ")


# --- properties ------------------------------------------------------------------------------

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
digits_and_separators = st.text(alphabet="0123456789 .-/–—+xX" + CHINESE_DIGITS[:6], max_size=60)
any_text = st.one_of(st.text(max_size=200), digits_and_separators)


@SETTINGS
@given(any_text)
def test_redaction_never_raises_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@SETTINGS
@given(any_text)
def test_redaction_never_leaves_seven_digits_in_a_row(text: str) -> None:
    redacted = redact(text)
    assert not re.search(r"\d{7,}", redacted)
    assert not re.search(f"[{CHINESE_DIGITS}]{{7,}}", redacted)


@SETTINGS
@given(
    st.lists(st.sampled_from("0123456789"), min_size=7, max_size=20),
    st.sampled_from([".", "/", " – ", "   "]),
)
def test_any_grouping_of_a_long_number_is_spotted(digits: list[str], separator: str) -> None:
    groups = ["".join(digits[i : i + 3]) for i in range(0, len(digits), 3)]
    text = f"号码 {separator.join(groups)} 谢谢"
    assert looks_personal(text)
    assert "<number>" in redact(text)


@SETTINGS
@given(any_text.filter(lambda text: "<" not in text))
def test_a_message_looks_personal_exactly_when_redaction_masks_something(text: str) -> None:
    masked = any(mark in redact(text) for mark in ("<number>", "<email>", "<id>"))
    assert looks_personal(text) is masked


# Digit groups joined by any one character: what normalize_text drops or turns into a space
# must not hide a number from redaction.
grouped_digits = st.builds(
    lambda groups, separators: "".join(g + s for g, s in zip(groups, separators, strict=False)),
    st.lists(st.text(alphabet="0123456789", min_size=1, max_size=4), min_size=2, max_size=6),
    st.lists(st.characters(), min_size=6, max_size=6),
)


@SETTINGS
@given(st.one_of(any_text, grouped_digits))
def test_what_the_unanswered_log_stores_holds_nothing_personal(text: str) -> None:
    stored = normalize_text(redact(text))  # as UnansweredLog.record stores a question
    assert not looks_personal(stored)


DIGIT_WORDS = ["zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(st.sampled_from(DIGIT_WORDS), min_size=6, max_size=20),
    separator=st.sampled_from([" ", "-", " - ", ". ", "  "]),
    before=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
    case=st.sampled_from([str.lower, str.upper, str.title]),
)
def test_a_number_read_out_word_by_word_is_never_stored(
    words: list[str], separator: str, before: str, case: object
) -> None:
    spoken = case(separator.join(words))  # type: ignore[operator]
    stored = redact(f"{before} {spoken}")
    assert spoken not in stored
    assert "<number>" in stored
