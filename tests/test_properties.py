"""Arbitrary user text never breaks the core, and every reply is valid Telegram HTML under 4,096."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer import Context, Responder
from bot.dialogue import take_turn
from bot.kb import KnowledgeBase
from bot.language import LANGUAGES, detect_language
from bot.normalize import MAX_QUESTION_CHARS, find_step_reference, normalize_text
from bot.privacy import redact
from bot.render import telegram_length
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
    turn = take_turn(responder, text, Context(section_id=section, choices=("backup", "lost-card")), now=0.0)
    assert turn.answer is not None
    assert turn.answer.decision in {"answer", "clarify", "decline"}
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
    answer = responder.respond(text * 3)
    assert answer.decision in {"answer", "clarify", "decline"}


@SETTINGS
@given(st.text(alphabet="0123456789 -+", min_size=6, max_size=40))
def test_redaction_leaves_no_run_of_six_digits(text: str) -> None:
    digits_in_a_row = 0
    for ch in redact(text):
        digits_in_a_row = digits_in_a_row + 1 if ch.isdigit() else 0
        assert digits_in_a_row < 6
