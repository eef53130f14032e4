"""Replies: the heading first, valid Telegram HTML, split under 4,096, buttons within 64 bytes."""

from __future__ import annotations

from bot.conversation.actions import MAX_CALLBACK_BYTES, decode_action
from bot.conversation.render import (
    render_outcome,
    render_phrase_card,
    render_section,
    render_steps,
    split_message,
    telegram_length,
)
from bot.conversation.service import Conversation, PersonState, Speaker, Text
from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.understanding.answer import Responder
from bot.understanding.outcomes import Candidate, Clarify, View
from tests.telegram_html import telegram_html_errors


def _first_text(responder: Responder, question: str) -> str:
    return Conversation(responder).handle(Text(question), PersonState(), Speaker(), 0.0).reply.texts[0]


def test_answer_starts_with_step_label_and_title_in_the_askers_language(
    responder: Responder, kb: KnowledgeBase
) -> None:
    zh = _first_text(responder, "第四步")
    assert zh.splitlines()[0] == "<b>第 4 步 · " + kb.section("visit-store").title["zh-Hans"] + "</b>"
    en = _first_text(responder, "what should I take with me to the shop")
    assert en.splitlines()[0].startswith("<b>Step 4.1 · ")
    hant = _first_text(responder, "註銷協議")
    assert "第 4.3 步" in hant.splitlines()[0]


def test_every_section_in_every_language_renders_as_valid_html_under_the_limit(kb: KnowledgeBase) -> None:
    for section in kb.sections:
        for lang in ("zh-Hans", "zh-Hant", "en"):
            for view in View:
                reply = render_section(kb, section.id, lang, view)  # type: ignore[arg-type]
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
    assert labels[:2] == [
        kb.messages.get(MessageKey.BUTTON_PREVIOUS, "en"),
        kb.messages.get(MessageKey.BUTTON_NEXT, "en"),
    ]
    assert kb.messages.get(MessageKey.BUTTON_ALL_STEPS, "en") in labels
    for row in reply.buttons:
        for button in row:
            data = button.action.encode()
            assert len(data.encode()) <= MAX_CALLBACK_BYTES
            assert decode_action(data) == button.action


def test_clarify_lists_numbered_choices_with_buttons(kb: KnowledgeBase) -> None:
    outcome = Clarify((Candidate("store-documents", 0.5), Candidate("prepare-info", 0.4)))
    reply = render_outcome(kb, outcome, "en")
    assert "1. Step 4.1" in reply.texts[0]
    assert "2. Step 3.2" in reply.texts[0]
    assert [row[0].action.section_id for row in reply.buttons] == ["store-documents", "prepare-info"]


def test_more_detail_lists_each_sub_step_in_one_line_with_a_button(kb: KnowledgeBase) -> None:
    reply = render_section(kb, "visit-store", "en", View.SUBSTEPS)
    for child in kb.section("visit-store").substeps:
        assert kb.section(child).summary["en"] in reply.texts[0]
    targets = [button.action.section_id for row in reply.buttons for button in row]
    assert targets[:4] == list(kb.section("visit-store").substeps)
    assert (
        telegram_length(reply.texts[0])
        < telegram_length(render_section(kb, "visit-store", "en").texts[0]) * 2
    )


def test_the_phrase_card_shows_albanian_with_the_meaning_beside_it(kb: KnowledgeBase) -> None:
    for lang in ("zh-Hans", "zh-Hant", "en"):
        text = render_phrase_card(kb, lang).texts[0]  # type: ignore[arg-type]
        for phrase in kb.phrases:
            assert f"<b>{phrase.albanian}</b>\n{phrase.meaning[lang]}" in text  # type: ignore[index]
        assert telegram_html_errors(text) == []
    store = render_section(kb, "store-documents", "en")
    assert any(button.action.kind == "phrases" for row in store.buttons for button in row)


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
