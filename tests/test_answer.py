"""Understanding one message (answer / clarify / decline / small talk) and follow-ups, on the real KB."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.base import DEFAULT_KB_DIR, KnowledgeBase
from bot.text.small_talk import SmallTalkKind
from bot.understanding.answer import Place, Responder, _small_talk_of, load_serving_responder
from bot.understanding.evaluation import load_labelled_questions
from bot.understanding.match import Ranking, ScoredLabel
from bot.understanding.outcomes import (
    Answered,
    Clarify,
    Declined,
    DeclineReason,
    Notice,
    SmallTalk,
    View,
    offered_sections,
)


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
    outcome = responder.understand(question)
    assert isinstance(outcome, Answered)
    assert outcome.section_id == section


@pytest.mark.parametrize(
    "question",
    [
        "tell me a joke",
        "怎么充值话费",
        "联通的卡怎么注销",
        "asdfghjkl",
        "🙂",
        "how long does pizza take",
        "帮我写个邮件",
        "what's the weather like in Tirana tomorrow",
        "明天北京会下雨吗",
        "How do I transfer money to my friend?",
        "推荐一家评分4.5分以上的酒店",
    ],
)
def test_out_of_scope_is_declined(responder: Responder, question: str) -> None:
    outcome = responder.understand(question)
    assert isinstance(outcome, Declined | SmallTalk), outcome
    assert offered_sections(outcome) == ()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("你好", SmallTalkKind.GREETING),
        ("在吗", SmallTalkKind.GREETING),
        ("hi", SmallTalkKind.GREETING),
        ("Hello!!", SmallTalkKind.GREETING),
        ("谢谢", SmallTalkKind.THANKS),
        ("多谢", SmallTalkKind.THANKS),
        ("thanks", SmallTalkKind.THANKS),
        ("thanks bye", SmallTalkKind.GOODBYE),
        ("再见", SmallTalkKind.GOODBYE),
        ("who are you", SmallTalkKind.IDENTITY),
        ("are you a bot?", SmallTalkKind.IDENTITY),
        ("tell me what your name is", SmallTalkKind.IDENTITY),
        ("你是機器人嗎", SmallTalkKind.IDENTITY),
        ("好的", SmallTalkKind.ACKNOWLEDGEMENT),
        ("ok", SmallTalkKind.ACKNOWLEDGEMENT),
    ],
)
def test_small_talk_is_recognised(responder: Responder, text: str, kind: SmallTalkKind) -> None:
    assert responder.understand(text) == SmallTalk(kind)


@pytest.mark.parametrize(
    "text",
    [
        "OK，我清楚了，真是太谢谢你了！",
        "好的，非常感谢，有问题我再联系你。",
        "谢谢，我的问题问完了。",
        "great, that's clear now, thank you so much!",
        "thx, all clear",
    ],
)
def test_thanks_in_more_words_is_small_talk_not_a_step(responder: Responder, text: str) -> None:
    """Round 10 of issue 16: once the examples held people's thanks around their questions, these
    were answered with a step or declined; small talk outweighing every step is small talk."""
    assert isinstance(responder.understand(text), SmallTalk)


def test_a_thanks_around_a_question_still_gets_the_answer(responder: Responder) -> None:
    outcome = responder.understand("谢谢你！那卡丢了还能注销吗")
    assert isinstance(outcome, Answered)
    assert outcome.section_id == "lost-card"


def _ranking(*labels: tuple[str, float]) -> Ranking:
    scored = tuple(ScoredLabel(label, score) for label, score in labels)
    return Ranking(scored, coverage=1.0, foreign=0.0, topic_words=(), generic=False, evidence=True)


def test_small_talk_is_read_when_it_outweighs_every_step_together() -> None:
    other_domains_first = _ranking(("oos:crosswoz", 0.5), ("talk:thanks", 0.45), ("sign-agreement", 0.05))
    assert _small_talk_of(other_domains_first) is SmallTalkKind.THANKS
    steps_together_weigh_more = _ranking(
        ("overview", 0.3), ("talk:thanks", 0.28), ("after-cancel", 0.2), ("talk:goodbye", 0.05)
    )
    assert _small_talk_of(steps_together_weigh_more) is None
    assert _small_talk_of(_ranking(("overview", 0.6), ("talk:greeting", 0.4))) is None
    assert _small_talk_of(_ranking(("talk:goodbye", 0.4), ("overview", 0.35), ("reasons", 0.25))) is (
        SmallTalkKind.GOODBYE
    )
    assert _small_talk_of(_ranking(("oos:banking77", 0.9), ("overview", 0.1))) is None


def test_a_greeting_in_front_of_a_question_does_not_hide_the_question(responder: Responder) -> None:
    outcome = responder.understand("你好，请问卡丢了还能注销吗")
    assert isinstance(outcome, Answered)
    assert outcome.section_id == "lost-card"


def test_step_with_a_real_question_leans_to_that_step(responder: Responder) -> None:
    outcome = responder.understand("第二步的银行卡解绑怎么弄")
    assert isinstance(outcome, Answered)
    assert outcome.section_id == "unbind-services"


def test_unknown_step_says_which_step(responder: Responder) -> None:
    assert responder.understand("第九步") == Declined(DeclineReason.UNKNOWN_STEP, step="9")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", DeclineReason.EMPTY),
        ("   \n\t", DeclineReason.EMPTY),
        ("\u200b\u200b", DeclineReason.EMPTY),
        ("x" * 5000, DeclineReason.TOO_LONG),
    ],
)
def test_empty_and_huge_messages_are_declined_with_their_reason(
    responder: Responder, text: str, reason: DeclineReason
) -> None:
    assert responder.understand(text) == Declined(reason)


def _section(outcome: object) -> str | None:
    return outcome.section_id if isinstance(outcome, Answered) else None


def test_next_and_back_follow_the_reading_order(responder: Responder) -> None:
    at_backup = Place("backup")
    assert _section(responder.understand("下一步", at_backup)) == "unbind-services"
    assert _section(responder.understand("上一步", at_backup)) == "reasons"
    assert _section(responder.understand("next", Place("verify-cancellation"))) == "after-cancel"


@pytest.mark.parametrize(
    "text",
    ["and then?", "what's next", "after that", "然后呢", "接下来", "跟住呢", "再来", "之后呢", "then what"],
)
def test_every_way_of_saying_next_means_next(responder: Responder, text: str) -> None:
    assert _section(responder.understand(text, Place("backup"))) == "unbind-services"


def test_next_at_the_end_of_a_chain_says_so(responder: Responder) -> None:
    for last in ("account-status", "lost-card", "let-it-lapse"):
        outcome = responder.understand("next", Place(last))
        assert outcome == Answered(last, notice=Notice.END_OF_CHAIN, candidates=outcome.candidates)  # type: ignore[union-attr]


def test_next_after_a_did_you_mean_goes_on_from_the_first_choice(responder: Responder) -> None:
    outcome = responder.understand("下一步", Place(choices=("store-documents", "prepare-info")))
    assert _section(outcome) == "store-documents"


def test_follow_up_without_any_place_points_to_the_steps(responder: Responder) -> None:
    assert responder.understand("下一步") == Declined(DeclineReason.NO_CONTEXT)


def test_more_detail_shows_the_sub_steps_or_else_the_related_sections(responder: Responder) -> None:
    on_a_step = responder.understand("详细点", Place("visit-store"))
    assert isinstance(on_a_step, Answered)
    assert (on_a_step.section_id, on_a_step.view) == ("visit-store", View.SUBSTEPS)
    on_a_leaf = responder.understand("more detail", Place("store-form"))
    assert isinstance(on_a_leaf, Answered)
    assert (on_a_leaf.section_id, on_a_leaf.view) == ("store-form", View.RELATED)


def test_clarify_then_pick_by_number(responder: Responder) -> None:
    place = Place(choices=("store-documents", "prepare-info"))
    assert _section(responder.understand("2", place)) == "prepare-info"
    assert _section(responder.understand("1", place)) == "store-documents"


def test_personal_numbers_do_not_steer_the_answer(responder: Responder) -> None:
    plain = responder.understand("where can I buy a sim")
    with_phone = responder.understand("where can I buy a sim, call me on +355 69 123 4567")
    assert type(plain) is type(with_phone)
    assert offered_sections(plain) == offered_sections(with_phone)
    assert _section(responder.understand("卡丢了 8935501234567890123")) == "lost-card"


def test_a_bare_number_without_pending_choices_is_a_step(responder: Responder) -> None:
    assert _section(responder.understand("4")) == "visit-store"
    assert _section(responder.understand("2", Place("store-form"))) == "backup"
    assert isinstance(responder.understand("9"), Declined)


def test_a_did_you_mean_never_offers_two_choices_with_the_same_label(
    responder: Responder, kb: KnowledgeBase
) -> None:
    from bot.conversation.render import step_label

    questions = [line for texts in kb.examples.values() for per_lang in texts.values() for line in per_lang]
    for question in questions[::3]:
        outcome = responder.understand(question)
        if isinstance(outcome, Clarify):
            for lang in ("zh-Hans", "zh-Hant", "en"):
                labels = [step_label(kb.section(c.id), lang) for c in outcome.candidates]  # type: ignore[arg-type]
                assert len(labels) == len(set(labels)), (question, labels)


def test_the_serving_responder_answers_alike_without_the_training_texts(
    responder: Responder, cli_cache_dir: Path
) -> None:
    """A running bot drops the texts its index was built from (round 10 of issue 16: 1.3 MB)."""
    serving = load_serving_responder(DEFAULT_KB_DIR, cli_cache_dir)
    assert not serving.kb.examples
    assert not serving.kb.negatives
    assert not serving.kb.out_of_scope
    assert serving.kb.sections == responder.kb.sections
    questions = [q.q for q in load_labelled_questions(Path(__file__).parent / "data" / "holdout.yaml")]
    assert [serving.understand(q) for q in questions] == [responder.understand(q) for q in questions]
