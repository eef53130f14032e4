"""The conversation service: the rules of a turn, the same for Telegram, the console and the CLI."""

from __future__ import annotations

import json

import pytest

from bot.conversation.actions import Action
from bot.conversation.service import (
    CONTEXT_TTL_SECONDS,
    Command,
    Conversation,
    Media,
    PersonState,
    Press,
    Speaker,
    Text,
    Turn,
)
from bot.text.language import LANGUAGES as LANGS
from bot.text.language import Lang
from bot.understanding.answer import Responder
from bot.understanding.outcomes import Answered, Declined, DeclineReason, Screen, Shown, SmallTalk, View

NOW = 1_000_000.0

# The question the bot exists for, as people ask it: terse and long, typos, with a mention.
CORE_QUESTIONS: dict[Lang, list[str]] = {
    "zh-Hans": [
        "保号卡怎么注销",
        "怎么注销保号卡",
        "阿尔巴尼亚卡怎么销号",
        "@SimHelpBot 保号卡怎么注销",
        "阿尔巴尼亚的手机号怎么注销",
        "我想把阿尔巴尼亚的号码销掉，该怎么做",
        "保号卡注消流程",
        "阿国的卡怎么退号啊",
        "回国了，阿尔巴尼亚那张卡不用了，想注销，怎么弄",
        "销号",
        "注销阿尔巴尼亚电话卡",
        "vodafone的卡怎么注销",
        "怎么把阿尔巴尼亚手机卡注销掉 @SimHelpBot",
        "请问阿尔巴尼亚保号卡如何注销",
    ],
    "zh-Hant": [
        "保號卡怎麼註銷",
        "阿爾巴尼亞的門號要怎麼註銷",
        "請問阿爾巴尼亞電話卡怎麼註消",
        "@SimHelpBot 阿爾巴尼亞的SIM卡要如何註銷",
        "我想註銷在阿爾巴尼亞辦的預付卡",
        "阿爾巴尼亞門號註銷流程",
        "保號卡點樣註銷",
        "想把阿爾巴尼亞的號碼停掉，該怎麼辦理",
        "註銷阿爾巴尼亞手機門號",
        "阿爾巴尼亞卡怎麼銷號",
    ],
    "en": [
        "how do I cancel my sim",
        "how do I cancel my Albanian SIM",
        "How do I cancel my Albanian prepaid SIM card?",
        "how to deregister",
        "how to cancle my albania number",
        "@SimHelpBot how do I close my albanian number",
        "cancel albanian sim",
        "I want to get rid of my Albanian number, how?",
        "steps to terminate a vodafone albania prepaid sim",
        "how can i cancel my one albania sim card",
        "what's the process to cancel an albanian phone number",
        "I left Albania and want to close my prepaid line, what do I do",
        "how do i deactivate my albanian sim @SimHelpBot",
        "cancelling my albanian number",
    ],
}


@pytest.fixture
def conversation(responder: Responder) -> Conversation:
    return Conversation(responder)


def say(
    conversation: Conversation,
    text: str,
    person: PersonState = PersonState(),
    speaker: Speaker = Speaker(),
    now: float = NOW,
) -> Turn:
    return conversation.handle(Text(text), person, speaker, now)


@pytest.mark.parametrize(
    ("lang", "question"),
    [(lang, question) for lang, questions in CORE_QUESTIONS.items() for question in questions],
)
def test_the_core_question_gets_the_overview_in_its_language(
    conversation: Conversation, lang: Lang, question: str
) -> None:
    turn = say(conversation, question)
    assert turn.outcome == Answered("overview", candidates=turn.outcome.candidates)  # type: ignore[union-attr]
    assert turn.lang == lang


def test_there_are_at_least_thirty_core_phrasings() -> None:
    assert sum(len(questions) for questions in CORE_QUESTIONS.values()) >= 30


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("你好", "zh-Hans"),
        ("谢谢", "zh-Hans"),
        ("謝謝", "zh-Hant"),
        ("hi", "en"),
        ("thanks bye", "en"),
        ("在嗎", "zh-Hant"),
    ],
)
def test_greetings_and_thanks_get_small_talk_with_the_steps_as_buttons(
    conversation: Conversation, text: str, lang: Lang
) -> None:
    turn = say(conversation, text)
    assert isinstance(turn.outcome, SmallTalk)
    assert turn.lang == lang
    assert len(turn.reply.buttons) == 5  # the five steps
    decline = conversation.responder.kb.messages.get("decline", lang)  # type: ignore[arg-type]
    assert decline.splitlines()[0] not in turn.reply.texts[0]


def test_a_traditional_conversation_stays_traditional_on_ambiguous_messages(
    conversation: Conversation,
) -> None:
    first = say(conversation, "請問保號卡怎麼註銷")
    assert first.lang == "zh-Hant"
    for ambiguous in ("第五步", "下一步", "好的", "4.1", "ok", "next"):
        turn = say(conversation, ambiguous, first.person)
        assert turn.lang == "zh-Hant", ambiguous
    assert (
        "步驟" in say(conversation, "第五步", first.person).reply.texts[0]
        or "第 5 步" in (say(conversation, "第五步", first.person).reply.texts[0])
    )


def test_the_app_language_decides_when_the_text_cannot(conversation: Conversation) -> None:
    taiwan = Speaker(client_lang="zh-Hant")
    assert say(conversation, "第五步", speaker=taiwan).lang == "zh-Hant"
    assert say(conversation, "第五步").lang == "zh-Hans"
    assert say(conversation, "4.1", speaker=Speaker(client_lang="en")).lang == "en"


def test_a_simplified_message_switches_a_traditional_conversation(conversation: Conversation) -> None:
    traditional = say(conversation, "請問保號卡怎麼註銷").person
    assert say(conversation, "去营业厅要带什么", traditional).lang == "zh-Hans"


@pytest.mark.parametrize(
    ("request_text", "lang"),
    [("in English please", "en"), ("说中文", "zh-Hans"), ("繁體", "zh-Hant"), ("用繁体回答", "zh-Hant")],
)
def test_asking_for_a_language_switches_it_for_good(
    conversation: Conversation, request_text: str, lang: Lang
) -> None:
    turn = say(conversation, request_text)
    assert turn.outcome == Shown(Screen.LANGUAGE_SET)
    assert (turn.lang, turn.chosen_lang) == (lang, lang)
    later = say(
        conversation,
        "卡丢了怎么办" if lang == "en" else "I lost my sim",
        turn.person,
        Speaker(turn.chosen_lang),
    )
    assert later.lang == lang


def test_and_then_after_a_step_gives_the_next_one(conversation: Conversation) -> None:
    step = say(conversation, "what's step 2")
    for follow_up in ("and then?", "what's next"):
        turn = say(conversation, follow_up, step.person)
        assert isinstance(turn.outcome, Answered)
        assert turn.outcome.section_id == conversation.responder.kb.section(step.person.section_id or "").next
        assert turn.lang == "en"


def test_next_after_the_lost_card_path_offers_what_is_left(conversation: Conversation) -> None:
    lost = say(conversation, "卡丢了怎么办")
    turn = say(conversation, "下一步", lost.person)
    targets = {button.action.section_id or button.action.kind for row in turn.reply.buttons for button in row}
    assert "steps" in targets  # all the steps
    assert targets & {"let-it-lapse", "keep-number"}  # the other side paths
    assert "lost-card" not in targets


def test_more_detail_on_a_leaf_shows_related_sections_as_buttons(conversation: Conversation) -> None:
    form = say(conversation, "第4.2步")
    turn = say(conversation, "详细点", form.person)
    assert isinstance(turn.outcome, Answered)
    assert turn.outcome.view is View.RELATED
    section_buttons = [b for row in turn.reply.buttons for b in row if b.action.kind == "section"]
    assert len(section_buttons) >= 1


def test_a_place_expires_but_the_language_stays(conversation: Conversation) -> None:
    english = say(conversation, "what's step 2").person
    later = say(conversation, "下一步", english, now=NOW + CONTEXT_TTL_SECONDS + 1)
    assert later.outcome == Declined(DeclineReason.NO_CONTEXT)


def test_commands_show_their_screens_in_the_conversation_language(conversation: Conversation) -> None:
    english = say(conversation, "how do I cancel my sim").person
    for name, screen in (("help", Screen.HELP), ("steps", Screen.STEPS), ("lang", Screen.LANGUAGE_MENU)):
        turn = conversation.handle(Command(name), english, Speaker(), NOW)
        assert turn.outcome == Shown(screen)
        assert turn.lang == "en", name


def test_step_command_ask_command_and_deep_link(conversation: Conversation) -> None:
    step = conversation.handle(Command("step", "4.1"), PersonState(), Speaker(), NOW)
    assert isinstance(step.outcome, Answered)
    assert step.outcome.section_id == "store-documents"
    assert step.person.section_id == "store-documents"
    asked = conversation.handle(Command("ask", "卡丢了"), PersonState(), Speaker(), NOW)
    assert isinstance(asked.outcome, Answered)
    assert asked.outcome.section_id == "lost-card"
    alias = conversation.handle(Command("q", "what do I bring to the store"), PersonState(), Speaker(), NOW)
    assert isinstance(alias.outcome, Answered)
    assert alias.outcome.section_id == "store-documents"
    empty = conversation.handle(Command("ask"), PersonState(), Speaker(), NOW)
    assert empty.outcome == Shown(Screen.ASK_USAGE)
    deep = conversation.handle(Command("start", "store-documents"), PersonState(), Speaker(), NOW)
    assert isinstance(deep.outcome, Answered)
    assert deep.outcome.section_id == "store-documents"
    unknown = conversation.handle(Command("step", "9"), PersonState(), Speaker(), NOW)
    assert unknown.outcome == Declined(DeclineReason.UNKNOWN_STEP, step="9")


def test_buttons_carry_their_language_and_a_stale_one_shows_the_steps(conversation: Conversation) -> None:
    turn = conversation.handle(Press(Action("detail", "en", "visit-store")), PersonState(), Speaker(), NOW)
    assert isinstance(turn.outcome, Answered)
    assert (turn.outcome.view, turn.lang) == (View.SUBSTEPS, "en")
    stale = conversation.handle(
        Press(Action("section", "zh-Hant", "gone-away")), PersonState(), Speaker(), NOW
    )
    assert (stale.outcome, stale.lang) == (Declined(DeclineReason.STALE_BUTTON), "zh-Hant")


def test_media_is_declined_as_not_text(conversation: Conversation) -> None:
    assert conversation.handle(Media(), PersonState(), Speaker(), NOW).outcome == Declined(
        DeclineReason.NOT_TEXT
    )


def test_a_personal_number_in_a_group_adds_the_privacy_warning(conversation: Conversation) -> None:
    group = Speaker(in_group=True)
    assert len(say(conversation, "卡丢了 我的号码 069 123 4567", speaker=group).replies) == 2
    assert len(say(conversation, "卡丢了", speaker=group).replies) == 1
    assert len(say(conversation, "卡丢了 我的号码 069 123 4567").replies) == 1  # private: no warning


def test_state_round_trips_through_json_and_survives_garbage() -> None:
    person = PersonState("backup", ("a", "b"), "zh-Hant", 12.5)
    assert PersonState.from_json(json.loads(json.dumps(person.to_json()))) == person
    # The dict form earlier versions saved is still read.
    saved_before = {"section": "backup", "choices": ["a", "b"], "lang": "zh-Hant", "at": 12.5}
    assert PersonState.from_json(saved_before) == person
    for garbage in (
        None,
        "x",
        [],
        [1, 2, 3],
        [5, ["a"], "fr", "later"],
        {"section": 5, "choices": "no", "lang": "fr", "at": "later"},
    ):
        assert PersonState.from_json(garbage) == PersonState()


def test_unanswered_turns_are_declines_and_did_you_means(conversation: Conversation) -> None:
    assert say(conversation, "how long does pizza take").unanswered
    assert not say(conversation, "你好").unanswered
    assert not say(conversation, "卡丢了怎么办").unanswered


# --- language follows the message (issue 16) -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [("請問保號卡怎麼註銷", "zh-Hant"), ("保号卡怎么注销", "zh-Hans"), ("how do I cancel my sim", "en")],
)
def test_without_lang_the_reply_follows_the_message_script(
    conversation: Conversation, text: str, lang: Lang
) -> None:
    # Whatever the app's language and the conversation so far: the message shows its own.
    for person_lang in LANGS:
        for client in LANGS:
            turn = say(conversation, text, PersonState(lang=person_lang), Speaker(client_lang=client))
            assert turn.lang == lang, (person_lang, client)
            assert len(turn.replies) == 1  # no offer to switch: nothing was chosen


def test_after_lang_a_message_in_another_language_gets_a_one_tap_switch(conversation: Conversation) -> None:
    english = Speaker(chosen_lang="en")
    turn = say(conversation, "卡丢了还能注销吗", speaker=english)
    assert turn.lang == "en"  # the choice is honoured …
    assert isinstance(turn.outcome, Answered)
    offer = turn.replies[-1]  # … and the person is offered their message's language in one tap
    [[button]] = offer.buttons
    assert button.action == Action("answer_in", "zh-Hans", turn.outcome.section_id)
    switched = conversation.handle(Press(button.action), turn.person, english, NOW)
    assert switched.lang == switched.chosen_lang == "zh-Hans"
    assert switched.outcome == Answered(
        turn.outcome.section_id,
        candidates=switched.outcome.candidates,  # type: ignore[union-attr]
    )


@pytest.mark.parametrize(
    ("chosen", "text", "offered"),
    [("zh-Hans", "卡遺失了還能註銷嗎", "zh-Hant"), ("zh-Hant", "how do I cancel my sim", "en")],
)
def test_the_switch_is_offered_for_the_other_script_and_for_english(
    conversation: Conversation, chosen: Lang, text: str, offered: Lang
) -> None:
    turn = say(conversation, text, speaker=Speaker(chosen_lang=chosen))
    assert turn.lang == chosen
    assert turn.replies[-1].buttons[0][0].action.lang == offered


@pytest.mark.parametrize("text", ["ok", "4.1", "🙂", "第五步", "SIM?", "卡丢了怎么办"])
def test_no_switch_is_offered_for_a_message_without_a_clear_other_language(
    conversation: Conversation, text: str
) -> None:
    turn = say(conversation, text, speaker=Speaker(chosen_lang="zh-Hans"))
    assert all(
        button.action.kind != "answer_in" for reply in turn.replies for row in reply.buttons for button in row
    )


def test_the_switch_without_an_answer_just_sets_the_language(conversation: Conversation) -> None:
    turn = conversation.handle(
        Press(Action("answer_in", "en")), PersonState(), Speaker(chosen_lang="zh-Hans"), NOW
    )
    assert turn.outcome == Shown(Screen.LANGUAGE_SET)
    assert turn.chosen_lang == "en"
