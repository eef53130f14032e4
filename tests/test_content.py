"""The real knowledge base as a user sees it: answers that fit a phone screen, labels a person can
follow, contacts from the operators' own pages with their hedges, and nothing of the seed's advert."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.conversation.render import (
    BUTTON_LABEL_MAX,
    heading,
    html_to_plain,
    render_section,
    render_steps,
    step_label,
)
from bot.conversation.service import Conversation, PersonState, Speaker, Text
from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.text.language import LANGUAGES, Lang
from bot.understanding.answer import Responder
from bot.understanding.outcomes import Answered, Clarify, View
from tests.test_kb import SEED_ADVERTISEMENT_MARKERS

# One phone screen: Chinese characters are about twice as wide as Latin letters.
FIRST_MESSAGE_MAX: dict[Lang, int] = {"zh-Hans": 600, "zh-Hant": 600, "en": 900}
CONTACT_SECTIONS = ("contact-support", "support-channels", "operators")


def first_message(kb: KnowledgeBase, section_id: str, lang: Lang) -> str:
    """What a user reads first when a section is shown: its heading line and its answer."""
    return html_to_plain(render_section(kb, section_id, lang).texts[0])


def test_every_answer_is_one_message_that_fits_a_phone_screen(kb: KnowledgeBase) -> None:
    for section in kb.sections:
        for lang in LANGUAGES:
            reply = render_section(kb, section.id, lang)
            assert len(reply.texts) == 1, (section.id, lang)
            length = len(html_to_plain(reply.texts[0]))
            assert length <= FIRST_MESSAGE_MAX[lang], (section.id, lang, length)


def test_no_button_label_is_cut_short(kb: KnowledgeBase) -> None:
    for lang in LANGUAGES:
        replies = [render_steps(kb, lang)]
        replies.extend(render_section(kb, section.id, lang, view) for section in kb.sections for view in View)
        for reply in replies:
            for row in reply.buttons:
                for button in row:
                    assert not button.label.endswith("…"), (lang, button.label)


def test_every_heading_fits_on_a_button_whichever_section_links_to_it(kb: KnowledgeBase) -> None:
    for section in kb.sections:
        for lang in LANGUAGES:
            assert len(heading(section, lang)) <= BUTTON_LABEL_MAX, (section.id, lang)


def test_no_two_sections_share_a_label_in_any_language(kb: KnowledgeBase) -> None:
    for lang in LANGUAGES:
        labels = [step_label(section, lang) for section in kb.sections]
        assert len(set(labels)) == len(labels), (lang, labels)


def test_step_three_reads_in_order_with_operators_as_part_of_it(kb: KnowledgeBase) -> None:
    chain = []
    section = kb.section("contact-support")
    while section.id != "visit-store":
        chain.append(step_label(section, "en"))
        assert section.next is not None
        section = kb.section(section.next)
    assert chain == ["Step 3", "Part of step 3", "Step 3.1", "Step 3.2", "Step 3.3"]


def test_check_json_lists_the_label_each_section_shows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--json"]) == 0
    steps = json.loads(capsys.readouterr().out)["steps"]
    assert steps["contact-support"] == "Step 3"
    assert steps["operators"] == "Part of step 3"
    assert steps["lost-card"] == "Side path"
    assert steps["keep-number"] == "Alternative"
    assert len(set(steps.values())) == len(steps)


@pytest.mark.parametrize("section_id", CONTACT_SECTIONS)
def test_contact_answers_lead_with_vodafone_140_and_live_chat_and_give_one_142(
    kb: KnowledgeBase, section_id: str
) -> None:
    for lang in LANGUAGES:
        text = first_message(kb, section_id, lang)
        opening = text[:300]  # the first lines, before any scrolling
        assert "140" in opening, (section_id, lang)
        assert "Live Chat" in opening, (section_id, lang)
        assert "142" in text, (section_id, lang)


def test_vodafone_149_is_given_as_the_contract_number_not_the_prepaid_one(kb: KnowledgeBase) -> None:
    for section_id in CONTACT_SECTIONS:
        text = kb.section(section_id).answer["en"]
        assert "149 for contract customers" in text, section_id
        assert "140 for prepaid" in text, section_id


def test_what_domain_notes_leave_open_is_worded_as_open(kb: KnowledgeBase) -> None:
    answers = {section.id: section.answer["en"] for section in kb.sections}
    everything = "\n".join(answers.values())
    assert "only work from an Albanian line" not in everything
    assert "do not work from abroad" not in everything
    assert "same day" not in everything  # no time frame for cancelling is published
    assert "1996" not in everything  # sources disagree (1995 or 1996): "the 1990s"
    for section_id in ("contact-support", "support-channels"):  # the two that talk about dialling
        assert "may not work from abroad" in answers[section_id], section_id
    assert "may give you a cancellation form" in answers["store-form"]
    assert answers["sign-agreement"].startswith("If the store asks you to sign")


def test_keeping_the_number_gives_the_sourced_porting_facts_with_their_hedge(kb: KnowledgeBase) -> None:
    text = kb.section("keep-number").answer["en"]
    for fact in ("receiving operator", "same ID", "24 hours", "portabiliteti.al", "2025 AKEP draft"):
        assert fact in text, fact
    assert "ask the operator whether unused credit can be refunded after porting" in text


def test_sections_about_switching_and_refunds_point_to_keeping_the_number(kb: KnowledgeBase) -> None:
    for lang in LANGUAGES:
        keep_title = kb.section("keep-number").title[lang]
        for section_id in ("overview", "reasons", "operators", "submit-request"):
            assert keep_title in kb.section(section_id).answer[lang], (section_id, lang)


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("vodafone客服电话是多少", ("140", "Live Chat")),
        ("One Albania客服專線是幾號", ("142",)),
        ("what number do I call for vodafone customer service", ("140", "Live Chat")),
        ("不想打电话，可以在网上打字联系客服吗", ("Live Chat",)),
        ("注销的话卡里的余额能退吗", ("携号转网",)),
        ("will I get the unused credit back if I cancel", ("porting",)),
    ],
)
def test_contact_and_refund_questions_reach_an_answer_with_the_facts(
    responder: Responder, kb: KnowledgeBase, question: str, facts: tuple[str, ...]
) -> None:
    turn = Conversation(responder).handle(Text(question), PersonState(), Speaker(), 0.0)
    if isinstance(turn.outcome, Clarify):  # whichever option the user picks must show the facts
        shown = [first_message(kb, candidate.id, turn.lang) for candidate in turn.outcome.candidates]
    else:
        assert isinstance(turn.outcome, Answered), (question, turn.outcome)
        shown = [html_to_plain(turn.reply.texts[0])]
    for text in shown:
        for fact in facts:
            assert fact in text, (question, fact)


@pytest.mark.parametrize(
    "question",
    [
        "不注销了，号码想转到One",
        "攜碼到另一家電信要多久",
        "can I port my number to vodafone instead of cancelling",
    ],
)
def test_porting_questions_are_answered_with_keeping_the_number(responder: Responder, question: str) -> None:
    outcome = responder.understand(question)
    assert isinstance(outcome, Answered)
    assert outcome.section_id == "keep-number"


def test_phrase_card_carries_the_sentences_for_the_shop(kb: KnowledgeBase) -> None:
    albanian = [phrase.albanian for phrase in kb.phrases]
    assert "Dua ta mbyll përfundimisht këtë numër, ju lutem." in albanian
    # Porting is asked for at the receiving operator's shop: the sentence speaks to them.
    assert "Dua ta kaloj numrin tim te ju, duke mbajtur të njëjtin numër." in albanian
    assert "A duhet të paguaj diçka për këtë?" in albanian
    assert albanian[0] == "Mirëdita!"
    assert "English" in kb.messages.get(MessageKey.PHRASES_NOTE, "en")  # staff often speak English too
    for phrase in kb.phrases:
        assert all(phrase.meaning[lang] for lang in LANGUAGES), phrase.albanian


def test_albanian_in_the_store_answers_is_one_line_at_most(kb: KnowledgeBase) -> None:
    for section_id in ("visit-store", "store-documents"):
        for lang in LANGUAGES:
            lines = kb.section(section_id).answer[lang].splitlines()
            assert sum("ë" in line for line in lines) <= 1, (section_id, lang)


def test_nothing_of_the_seed_advertisement_reaches_a_user(kb: KnowledgeBase) -> None:
    shown: list[str] = []
    for lang in LANGUAGES:
        for section in kb.sections:
            for view in View:
                reply = render_section(kb, section.id, lang, view)
                shown.extend(reply.texts)
                shown.extend(button.label for row in reply.buttons for button in row)
            shown.append(section.summary[lang])
        shown.extend(texts[lang] for texts in kb.messages.texts.values())  # as written, placeholders too
        shown.extend(phrase.meaning[lang] for phrase in kb.phrases)
    shown.extend(phrase.albanian for phrase in kb.phrases)
    for text in shown:
        for marker in SEED_ADVERTISEMENT_MARKERS:
            assert marker not in text, (marker, text)
