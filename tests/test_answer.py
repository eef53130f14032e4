"""The decision (answer / clarify / decline) and follow-ups, through the real knowledge base."""

from __future__ import annotations

import pytest

from bot.answer import Context, Responder


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("保号卡注销流程", "overview"),
        ("卡丢了还能注销吗", "lost-card"),
        ("SIM卡遺失", "lost-card"),
        ("what should I take with me to the shop", "store-documents"),
        ("第四步是什么", "visit-store"),
        ("第四個步驟", "visit-store"),
        ("step 4.1", "store-documents"),
        ("@SimHelpBot 3.2 是什么", "prepare-info"),
        ("第一步是干嘛的", "reasons"),
        ("step 3 pls", "contact-support"),
        ("4.1是什麼意思", "store-documents"),
        ("is Orange Albania a real operator", "operators"),
    ],
)
def test_clear_questions_are_answered_with_the_right_section(
    responder: Responder, question: str, section: str
) -> None:
    answer = responder.respond(question)
    assert (answer.decision, answer.section_id) == ("answer", section)


@pytest.mark.parametrize(
    "question", ["hello", "tell me a joke", "怎么充值话费", "联通的卡怎么注销", "asdfghjkl", "🙂"]
)
def test_out_of_scope_is_declined(responder: Responder, question: str) -> None:
    answer = responder.respond(question)
    assert answer.decision == "decline"
    assert answer.section_id is None


def test_step_with_a_real_question_leans_to_that_step(responder: Responder) -> None:
    answer = responder.respond("第二步的银行卡解绑怎么弄")
    assert answer.section_id == "unbind-services"


def test_unknown_step_gets_a_notice(responder: Responder) -> None:
    answer = responder.respond("第九步")
    assert answer.decision == "decline"
    assert answer.notice == "unknown_step"
    assert dict(answer.notice_values) == {"step": "9"}


@pytest.mark.parametrize(
    ("text", "notice"),
    [("", "empty"), ("   \n\t", "empty"), ("\u200b\u200b", "empty"), ("x" * 5000, "too_long")],
)
def test_empty_and_huge_messages_get_a_polite_notice(responder: Responder, text: str, notice: str) -> None:
    answer = responder.respond(text)
    assert (answer.decision, answer.notice) == ("decline", notice)


def test_next_and_back_follow_the_reading_order(responder: Responder) -> None:
    at_backup = Context(section_id="backup")
    assert responder.respond("下一步", at_backup).section_id == "unbind-services"
    assert responder.respond("上一步", at_backup).section_id == "reasons"
    assert responder.respond("next", Context(section_id="verify-cancellation")).section_id == "after-cancel"


def test_next_at_the_end_says_so(responder: Responder) -> None:
    answer = responder.respond("next", Context(section_id="account-status"))
    assert answer.notice == "no_next"
    assert answer.section_id == "account-status"


def test_follow_up_without_context_points_to_the_steps(responder: Responder) -> None:
    answer = responder.respond("下一步")
    assert (answer.decision, answer.notice) == ("decline", "no_context")


def test_more_detail_shows_the_sub_steps(responder: Responder) -> None:
    answer = responder.respond("详细点", Context(section_id="visit-store"))
    assert (answer.section_id, answer.detail) == ("visit-store", True)
    leaf = responder.respond("more detail", Context(section_id="store-form"))
    assert leaf.notice == "no_detail"
    overview = responder.respond("详细点", Context(section_id="overview"))  # not the whole guide at once
    assert overview.notice == "no_detail"


def test_clarify_then_pick_by_number(responder: Responder) -> None:
    context = Context(choices=("store-documents", "prepare-info"))
    assert responder.respond("2", context).section_id == "prepare-info"
    assert responder.respond("1", context).section_id == "store-documents"


def test_answer_language_is_detected_or_forced(responder: Responder) -> None:
    assert responder.respond("註銷協議").lang == "zh-Hant"
    assert responder.respond("how to cancel").lang == "en"
    assert responder.respond("how to cancel", lang="zh-Hans").lang == "zh-Hans"


def test_context_after_an_answer_and_after_a_decline(responder: Responder) -> None:
    previous = Context(section_id="backup", updated_at=5.0)
    answered = responder.respond("归还设备", previous)
    assert answered.next_context(previous).section_id == "return-devices"
    declined = responder.respond("hello", previous)
    assert declined.next_context(previous) == previous


def test_follow_ups_keep_the_language_of_the_conversation(responder: Responder) -> None:
    chinese = Context(section_id="backup", lang="zh-Hans")
    assert responder.respond("next", chinese).lang == "zh-Hans"
    assert responder.respond("2", Context(choices=("backup", "lost-card"), lang="zh-Hant")).lang == "zh-Hant"
    assert responder.respond("how do I back up my contacts", chinese).lang == "en"  # a real question: its own
    assert responder.respond("4.1", Context(lang="en")).lang == "en"  # no letters: the conversation's
    assert responder.respond("4.1").lang == "zh-Hans"


def test_personal_numbers_do_not_steer_the_answer(responder: Responder) -> None:
    plain = responder.respond("where can I buy a sim")
    with_phone = responder.respond("where can I buy a sim, call me on +355 69 123 4567")
    assert (plain.decision, plain.section_id) == (with_phone.decision, with_phone.section_id)
    iccid = responder.respond("卡丢了 8935501234567890123")
    assert iccid.section_id == "lost-card"


def test_a_bare_number_without_pending_choices_is_a_step(responder: Responder) -> None:
    assert responder.respond("4").section_id == "visit-store"
    assert responder.respond("2", Context(section_id="store-form")).section_id == "backup"
    assert responder.respond("9").decision == "decline"
