"""The personal plan in the core: which steps each answer set gets, one phone screen for every
combination in every language, the Albanian texts, the zh-Hant wording, and the state it keeps."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.actions import Action, decode_action
from bot.conversation.plan import ANSWERS, QUESTIONS, Plan, PlanShown, PlanView, Schedule, parse_answers
from bot.conversation.plan_render import render_plan, render_request
from bot.conversation.render import html_to_plain, render_outcome, render_section
from bot.conversation.service import Command, Conversation, PersonState, Press, Speaker, Text
from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.text.language import LANGUAGES, Lang
from bot.understanding.answer import Responder
from bot.understanding.outcomes import Answered, Declined, DeclineReason, Screen, Shown, View

ALL_ANSWERS = ["".join(codes) for codes in itertools.product(*(ANSWERS[q] for q in QUESTIONS))]
FIRST_MESSAGE_MAX: dict[Lang, int] = {"zh-Hans": 600, "zh-Hant": 600, "en": 900}
# Taiwan and Hong Kong readers' words, on the right: the mainland words on the left never show.
MAINLAND_WORDS = (
    "營業廳",
    "渠道",
    "國際區號",
    "短號",
    "套餐",
    "外賣",
    "打車",
    "轉網",
    "主頁",
    "網上帳戶",
    "回復",
    "卡里",
    "籤",
)
# The Albanian alphabet's letters (no w; ç and ë), digits for +355, and punctuation.
ALBANIAN = re.compile(r"[a-vx-zçëA-VX-ZÇË0-9\s.,!?;:()'\"«»_+\-–…]*")
NOW = 1_800_000_000.0


def plan_of(codes: str) -> Plan:
    answers = parse_answers(codes)
    assert answers is not None
    return Plan(answers)


def keys(codes: str) -> list[str]:
    return [step.key for step in plan_of(codes).steps]


def test_there_are_24_combinations() -> None:
    assert len(ALL_ANSWERS) == 24


def test_each_combination_gets_only_the_steps_that_apply() -> None:
    assert keys("vahc") == ["backup", "unlink", "ready", "request", "shop", "verify", "account"]
    assert keys("oxlc") == ["block", "unlink", "ready", "request", "insist", "verify", "account"]
    assert keys("uahc")[0] == "which"  # not sure: find out first
    assert keys("vahk") == ["ready", "port", "ported"]  # keeping the number: the porting plan
    assert keys("uxlk") == ["which", "block", "ready", "port", "ported"]
    for codes in ALL_ANSWERS:
        steps = keys(codes)
        assert ("backup" in steps) == (codes[2] == "h" and codes[3] == "c"), codes  # nothing to back up
        assert ("shop" in steps) == (codes[1] == "a" and codes[3] == "c"), codes
        assert ("insist" in steps) == (codes[1] == "x" and codes[3] == "c"), codes


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_combination_fits_one_phone_screen(kb: KnowledgeBase, lang: Lang) -> None:
    longest = 0
    for codes in ALL_ANSWERS:
        plan = plan_of(codes)
        plan = Plan(plan.answers, frozenset(step.key for step in plan.steps))  # every box ticked
        reply = render_plan(kb, plan, lang)
        assert len(reply.texts) == 1, codes
        longest = max(longest, len(html_to_plain(reply.texts[0])))
        for row in reply.buttons:
            for button in row:
                assert len(button.label) <= 40, button.label
                assert len(button.action.encode().encode()) <= 64
    assert longest <= FIRST_MESSAGE_MAX[lang], longest


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_plan_names_only_the_persons_operator_and_place(kb: KnowledgeBase, lang: Lang) -> None:
    one_abroad = html_to_plain(render_plan(kb, plan_of("oxhc"), lang).texts[0])
    assert "complaints@one.com.al" in one_abroad
    assert "one.al" in one_abroad
    assert "Vodafone" not in one_abroad
    assert "142" in one_abroad  # "142 may not work from abroad"
    vodafone_abroad = html_to_plain(render_plan(kb, plan_of("vxhc"), lang).texts[0])
    assert "Live Chat" in vodafone_abroad
    assert "nakontaktoni@vodafone.com" in vodafone_abroad
    assert "one.com.al" not in vodafone_abroad
    unsure = html_to_plain(render_plan(kb, plan_of("uahc"), lang).texts[0])
    assert "140" in unsure
    assert "142" in unsure


def test_the_ready_to_send_request_is_a_copyable_block_in_albanian_and_english(kb: KnowledgeBase) -> None:
    for lang in LANGUAGES:
        [text] = render_request(kb, lang).texts
        block = text[text.index("<pre>") : text.index("</pre>")]
        assert "çaktivizoni përfundimisht" in block
        assert "Please deactivate this prepaid number permanently and confirm in writing." in block
        assert block.count("+355") == 2


def albanian_texts(kb: KnowledgeBase) -> list[str]:
    texts = [phrase.albanian for phrase in kb.phrases]
    texts.extend(kb.messages.get(MessageKey.PLAN_REQUEST_SQ, lang) for lang in LANGUAGES)
    return texts


def test_albanian_sentences_use_only_the_albanian_alphabet_and_punctuation(kb: KnowledgeBase) -> None:
    for text in albanian_texts(kb):
        assert ALBANIAN.fullmatch(text), [c for c in text if not ALBANIAN.fullmatch(c)]
    assert all("ë" in text or text == "Faleminderit!" for text in albanian_texts(kb) if len(text) > 20)


def every_zh_hant_text(kb: KnowledgeBase) -> list[str]:
    """Everything the bot can show in zh-Hant: sections in every view, messages, the plan's screens."""
    texts: list[str] = []
    for section in kb.sections:
        for view in View:
            reply = render_section(kb, section.id, "zh-Hant", view)
            texts.extend(reply.texts)
            texts.extend(button.label for row in reply.buttons for button in row)
        texts.append(section.summary["zh-Hant"])
    for screen in Screen:
        texts.extend(render_outcome(kb, Shown(screen), "zh-Hant").texts)
    texts.extend(text["zh-Hant"] for text in kb.messages.texts.values())
    texts.extend(phrase.meaning["zh-Hant"] for phrase in kb.phrases)
    for codes in ALL_ANSWERS:
        texts.extend(render_plan(kb, plan_of(codes), "zh-Hant").texts)
    texts.extend(render_request(kb, "zh-Hant").texts)
    return texts


def test_no_mainland_word_appears_in_any_traditional_chinese_text(kb: KnowledgeBase) -> None:
    texts = every_zh_hant_text(kb)
    assert len(texts) > 400
    found = {word: text[:60] for text in texts for word in MAINLAND_WORDS if word in text}
    assert found == {}
    assert any("門市" in text for text in texts)  # 營業廳 became 門市


def test_a_plan_travels_as_plain_json_in_the_persons_state() -> None:
    plan = plan_of("oxlc").toggle("block").toggle("unlink")
    person = PersonState("visit-store", (), "en", NOW, plan)
    stored = person.to_json()
    assert stored[4] == ["oxlc", "block unlink"]
    assert PersonState.from_json(stored) == person
    assert PersonState.from_json(stored[:4]).plan is None  # no plan: the old four-item form


@given(st.recursive(st.none() | st.booleans() | st.floats() | st.text(), lambda inner: st.lists(inner)))
def test_any_stored_value_reads_as_a_state_without_failing(data: object) -> None:
    state = PersonState.from_json(data)
    assert state.plan is None or state.plan.answers.codes in ALL_ANSWERS


@given(st.text(max_size=80))
def test_callback_data_decodes_to_an_action_we_issue_or_to_nothing(data: str) -> None:
    action = decode_action(data)
    assert action is None or action.encode() == data


@given(st.text(max_size=40))
def test_any_start_payload_or_plan_argument_gets_an_answer(argument: str) -> None:
    conversation = Conversation(_RESPONDER[0])
    for name in ("start", "plan", "reminders"):
        turn = conversation.handle(Command(name, argument), PersonState(), Speaker(), NOW)
        assert turn.replies
        assert turn.reminder_changes == ()


_RESPONDER: list[Responder] = []


@pytest.fixture(autouse=True)
def _keep_responder(responder: Responder) -> None:
    if not _RESPONDER:
        _RESPONDER.append(responder)


def press(conversation: Conversation, person: PersonState, action: Action) -> tuple[PersonState, object]:
    turn = conversation.handle(Press(action), person, Speaker(), NOW)
    return turn.person, turn


def test_answering_ticking_and_asking_for_a_reminder(responder: Responder) -> None:
    conversation = Conversation(responder)
    turn = conversation.handle(Command("plan"), PersonState(), Speaker(client_lang="en"), NOW)
    assert turn.outcome == PlanShown(PlanView.QUESTION)
    person = turn.person
    for codes in ("v", "vx", "vxh", "vxhc"):
        turn = conversation.handle(Press(Action("answer", "en", codes)), person, Speaker(), NOW)
        person = turn.person
    assert turn.outcome == PlanShown(PlanView.PLAN)
    assert person.plan == plan_of("vxhc")
    turn = conversation.handle(Press(Action("tick", "en", "request")), person, Speaker(), NOW)
    labels = [button.label for row in turn.reply.buttons for button in row]
    assert "⏰ Remind me in 3 days" in labels
    turn = conversation.handle(Press(Action("remind", "en", "verify")), turn.person, Speaker(), NOW)
    [change] = turn.reminder_changes
    assert isinstance(change, Schedule)
    assert change.reminder.due_at == NOW + 3 * 86_400
    assert turn.person.plan is not None
    assert "request" in turn.person.plan.ticked  # the plan is kept through other turns
    later = conversation.handle(Text("第四步"), turn.person, Speaker(), NOW + 60)
    assert later.person.plan == turn.person.plan


def test_changing_the_answers_keeps_the_ticks_that_still_apply(responder: Responder) -> None:
    conversation = Conversation(responder)
    person = PersonState(plan=plan_of("vahc").toggle("unlink").toggle("shop"))
    turn = conversation.handle(Press(Action("answer", "en", "vxhc")), person, Speaker(), NOW)
    assert turn.person.plan is not None
    assert turn.person.plan.ticked == {"unlink"}  # "shop" is not a step abroad


def test_a_stale_tick_is_declined_as_a_stale_button(responder: Responder) -> None:
    turn = Conversation(responder).handle(Press(Action("tick", "en", "port")), PersonState(), Speaker(), NOW)
    assert turn.outcome == Declined(DeclineReason.STALE_BUTTON)


def test_in_a_group_the_plan_is_a_deep_link_to_a_private_chat(responder: Responder) -> None:
    speaker = Speaker(client_lang="en", in_group=True, bot_username="SimHelpBot")
    turn = Conversation(responder).handle(Command("plan"), PersonState(), speaker, NOW)
    assert turn.outcome == PlanShown(PlanView.PRIVATE_ONLY)
    [[button]] = turn.reply.buttons
    assert button.url == "https://t.me/SimHelpBot?start=plan"
    assert turn.person.plan is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_lists_every_command(kb: KnowledgeBase, lang: Lang) -> None:
    text = kb.messages.get(MessageKey.HELP, lang)
    for command in ("/steps", "/step", "/plan", "/reminders", "/phrases", "/ask", "/lang", "/help"):
        assert command in text


def test_an_unknown_command_says_so_before_the_help(responder: Responder) -> None:
    conversation = Conversation(responder)
    turn = conversation.handle(Command("plna"), PersonState(), Speaker(client_lang="en"), NOW)
    assert turn.outcome == Shown(Screen.HELP)
    assert turn.reply.texts[0].startswith("I don't know that command.")
    assert "/plan" in turn.reply.texts[0]
    known = conversation.handle(Command("help"), PersonState(), Speaker(client_lang="en"), NOW)
    assert not known.reply.texts[0].startswith("I don't know")


def test_more_detail_is_offered_only_where_there_are_sub_steps(kb: KnowledgeBase) -> None:
    for section in kb.sections:
        reply = render_section(kb, section.id, "en")
        kinds = {button.action.kind for row in reply.buttons for button in row}
        assert ("detail" in kinds) == bool(section.substeps), section.id


def test_a_typed_number_after_the_sub_steps_picks_that_sub_step(responder: Responder) -> None:
    conversation = Conversation(responder)
    detail = conversation.handle(Press(Action("detail", "en", "visit-store")), PersonState(), Speaker(), NOW)
    assert isinstance(detail.outcome, Answered)
    assert detail.outcome.view is View.SUBSTEPS
    second = conversation.handle(Text("2"), detail.person, Speaker(), NOW + 1)
    assert isinstance(second.outcome, Answered)
    assert second.outcome.section_id == responder.kb.section("visit-store").substeps[1]


def test_the_plan_is_offered_on_the_welcome_the_overview_and_did_you_mean(responder: Responder) -> None:
    conversation = Conversation(responder)
    speaker = Speaker(client_lang="en")
    welcome = conversation.handle(Command("start"), PersonState(), speaker, NOW)
    overview = conversation.handle(Press(Action("section", "en", "overview")), PersonState(), speaker, NOW)
    step = conversation.handle(Command("step", "4"), PersonState(), speaker, NOW)
    for turn, offered in ((welcome, True), (overview, True), (step, False)):
        kinds = [button.action.kind for row in turn.reply.buttons for button in row]
        assert ("plan" in kinds) == offered


def test_the_console_chat_plans_with_numbered_buttons(responder: Responder) -> None:
    from bot.console import run_console

    printed: list[str] = []
    lines = ["in English please", "/plan", "#2", "#2", "#1", "#1", "#7", "#16", "/reminders"]
    run_console(Conversation(responder), [line + "\n" for line in lines], printed.append)
    plan = next(
        text for text in printed if text.startswith("Your plan · One · Abroad · I have it · Cancel it")
    )
    assert "#1 ☐ 1" in plan
    ticked = printed[-3]
    assert "☑ 4. Ask to cancel in writing" in ticked  # "#7" ticked the request
    assert "#16 ⏰ Remind me in 3 days" in ticked
    assert printed[-2].startswith("OK, I'll remind you on")
    assert "check the number is really off" in printed[-1]  # /reminders lists it
