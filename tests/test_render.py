"""Replies: the heading first, valid Telegram HTML, split under 4,096, buttons within 64 bytes."""

from __future__ import annotations

from bot.actions import MAX_CALLBACK_BYTES, Action, decode_action
from bot.answer import Answer, Candidate, Context, Responder
from bot.dialogue import fresh_context, press_button, take_turn
from bot.kb import KnowledgeBase
from bot.render import render_answer, render_section, render_steps, split_message, telegram_length
from tests.telegram_html import telegram_html_errors


def test_answer_starts_with_step_label_and_title_in_the_askers_language(
    responder: Responder, kb: KnowledgeBase
) -> None:
    zh = render_answer(responder.respond("第四步"), kb).texts[0]
    assert zh.splitlines()[0] == "<b>第 4 步 · " + kb.section("visit-store").title["zh-Hans"] + "</b>"
    en = render_answer(responder.respond("what should I take with me to the shop"), kb).texts[0]
    assert en.splitlines()[0].startswith("<b>Step 4.1 · ")
    hant = render_answer(responder.respond("註銷協議"), kb).texts[0]
    assert "第 4.3 步" in hant.splitlines()[0]


def test_every_section_in_every_language_renders_as_valid_html_under_the_limit(kb: KnowledgeBase) -> None:
    for section in kb.sections:
        for lang in ("zh-Hans", "zh-Hant", "en"):
            for detail in (False, True):
                reply = render_section(kb, section.id, lang, detail)  # type: ignore[arg-type]
                for text in reply.texts:
                    assert telegram_html_errors(text) == [], (section.id, lang)
                    assert 0 < telegram_length(text) <= 4096


def test_text_from_the_knowledge_base_is_escaped(kb: KnowledgeBase) -> None:
    html = render_section(kb, "operators", "en").texts[0]
    assert "&quot;" not in html  # quotes need no escaping outside attributes
    assert telegram_html_errors(html) == []


def test_long_text_is_split_at_line_breaks_into_valid_parts() -> None:
    blocks = ["<b>title</b>"] + [f"line {n} &amp; more " + "字" * 50 for n in range(400)]
    parts = split_message(blocks)
    assert len(parts) > 1
    for part in parts:
        assert telegram_length(part) <= 4096
        assert telegram_html_errors(part) == []


def test_one_huge_line_is_cut_without_breaking_an_entity() -> None:
    parts = split_message(["&lt;" * 3000])  # 12,000 characters of HTML
    assert len(parts) == 3
    assert all(telegram_html_errors(part) == [] and telegram_length(part) <= 4096 for part in parts)
    assert "".join(parts) == "&lt;" * 3000


def test_navigation_buttons_and_their_callback_data(responder: Responder, kb: KnowledgeBase) -> None:
    reply = render_section(kb, "backup", "en")
    labels = [button.label for row in reply.buttons for button in row]
    assert labels[:2] == [kb.messages.get("btn_prev", "en"), kb.messages.get("btn_next", "en")]
    assert kb.messages.get("btn_all_steps", "en") in labels
    for row in reply.buttons:
        for button in row:
            data = button.action.encode()
            assert len(data.encode()) <= MAX_CALLBACK_BYTES
            assert decode_action(data) == button.action


def test_clarify_lists_numbered_choices_with_buttons(responder: Responder, kb: KnowledgeBase) -> None:
    answer = Answer(
        "clarify", "en", candidates=(Candidate("store-documents", 0.5), Candidate("prepare-info", 0.4))
    )
    reply = render_answer(answer, kb)
    assert "1. Step 4.1" in reply.texts[0]
    assert "2. Step 3.2" in reply.texts[0]
    assert [row[0].action.section_id for row in reply.buttons] == ["store-documents", "prepare-info"]


def test_steps_list_has_the_five_steps(kb: KnowledgeBase) -> None:
    reply = render_steps(kb, "zh-Hans")
    assert [row[0].action.section_id for row in reply.buttons] == [
        "reasons",
        "backup",
        "contact-support",
        "visit-store",
        "after-cancel",
    ]


def test_forged_or_stale_callback_data_decodes_to_nothing() -> None:
    for data in [
        "",
        "x",
        "s:backup",
        "s:backup:fr",
        "q:backup:en",
        "s::en",
        "l:backup:en",
        "s:" + "a" * 80 + ":en",
        None,
    ]:
        assert decode_action(data) is None


def test_button_for_a_section_that_no_longer_exists_is_refused(responder: Responder) -> None:
    assert press_button(responder, Action("section", "en", "gone-section"), Context(), 0.0) is None


def test_turns_remember_the_place_and_expire_after_thirty_minutes(responder: Responder) -> None:
    turn = take_turn(responder, "第四步", Context(), now=1000.0)
    assert turn.context.section_id == "visit-store"
    assert fresh_context(turn.context, now=1000.0 + 29 * 60) == turn.context
    assert fresh_context(turn.context, now=1000.0 + 31 * 60) == Context()
