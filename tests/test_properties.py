"""Arbitrary user text never breaks the core, and every reply is valid Telegram HTML under 4,096."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.conversation.render import telegram_length
from bot.conversation.service import Conversation, PersonState, Speaker, Text
from bot.kb.base import KnowledgeBase
from bot.text.language import LANGUAGES, detect_language, requested_language
from bot.text.normalize import find_step_reference, normalize_text
from bot.text.patterns import MAX_QUESTION_CHARS
from bot.text.privacy import redact
from bot.understanding.answer import Responder
from bot.understanding.outcomes import Answered, Clarify, Declined, Shown, SmallTalk
from tests.telegram_html import telegram_html_errors

HOSTILE = st.sampled_from(
    [
        "<b>",
        "</a>",
        "<script>",
        "&",
        "&amp;",
        "*_[]`",
        "\u202e",
        "\u200b",
        "\x00",
        "\ufeff",
        "👨‍👩‍👧",
        "第四步",
        "next",
        "下一步",
        "@SimHelpBot",
        "4.1",
        "\n",
    ]
)
USER_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(HOSTILE, st.text(max_size=10)), max_size=40).map("".join),
    st.text(alphabet=st.characters(categories=["Lo", "Nd", "Zs", "Po"]), max_size=200),
)
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(USER_TEXT)
@example("\u0308\u200b\u20e5")  # a mark, an invisible space, a mark: NFKC reorders them once adjacent
def test_normalize_is_total_and_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert len(once) <= MAX_QUESTION_CHARS
    assert normalize_text(once) == once
    find_step_reference(once)


@SETTINGS
@given(USER_TEXT)
def test_language_is_always_one_of_three(text: str) -> None:
    assert detect_language(text) in LANGUAGES


@SETTINGS
@given(text=USER_TEXT, section=st.sampled_from([None, "overview", "visit-store", "account-status", "gone"]))
def test_any_text_gets_a_valid_reply(
    responder: Responder, kb: KnowledgeBase, text: str, section: str | None
) -> None:
    person = PersonState(section, ("backup", "lost-card"), None, 0.0)
    turn = Conversation(responder).handle(Text(text), person, Speaker(in_group=True), 0.0)
    assert isinstance(turn.outcome, Answered | Clarify | Declined | SmallTalk | Shown)
    assert turn.lang in LANGUAGES
    assert turn.reply.texts
    for part in turn.reply.texts:
        assert telegram_html_errors(part) == []
        assert 0 < telegram_length(part) <= 4096
    for row in turn.reply.buttons:
        for button in row:
            assert len(button.action.encode().encode()) <= 64


@SETTINGS
@given(st.text(max_size=5000))
def test_huge_messages_are_handled(responder: Responder, text: str) -> None:
    outcome = responder.understand(text * 3)
    assert isinstance(outcome, Answered | Clarify | Declined | SmallTalk)


@SETTINGS
@given(USER_TEXT)
def test_small_talk_and_language_requests_never_raise(responder: Responder, text: str) -> None:
    normalized = normalize_text(text)
    responder.small_talk.detect(normalized)
    assert responder.small_talk.strip_leading(normalized) in normalized
    assert requested_language(normalized) in (*LANGUAGES, None)


@SETTINGS
@given(st.text(alphabet="0123456789 -+", min_size=6, max_size=40))
def test_redaction_leaves_no_run_of_six_digits(text: str) -> None:
    digits_in_a_row = 0
    for ch in redact(text):
        digits_in_a_row = digits_in_a_row + 1 if ch.isdigit() else 0
        assert digits_in_a_row < 6
