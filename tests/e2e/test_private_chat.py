"""Private chats: answers, choices, declines, commands, deep links, languages, media."""

from __future__ import annotations

from fake_telegram import FakeBotApi
from tests.e2e.conftest import buttons, reply_to
from tests.telegram_html import telegram_html_errors

ANN = 101
BEN = 102


async def test_a_question_gets_the_right_section_with_navigation_buttons(
    api: FakeBotApi, bot: object
) -> None:
    [reply] = await reply_to(api, "卡丢了还能注销吗", chat_id=ANN, user_id=ANN)
    assert reply["text"].startswith("支线 · SIM 卡丢失或损坏")
    assert any(entity["type"] == "bold" for entity in reply["entities"])  # parsed as HTML by the server
    labels = [button["text"] for button in buttons(reply)]
    assert "全部步骤" in labels


async def test_english_and_traditional_questions_are_answered_in_their_language(
    api: FakeBotApi, bot: object
) -> None:
    [english] = await reply_to(api, "what should I take with me to the shop", chat_id=ANN, user_id=ANN)
    assert english["text"].startswith("Step 4.1 · ")
    [traditional] = await reply_to(api, "SIM卡遺失怎麼辦", chat_id=ANN, user_id=ANN)
    assert "遺失" in traditional["text"] or "丟失" in traditional["text"]
    assert traditional["text"].splitlines()[0].startswith("支線 · ")  # the label, converted too


async def test_out_of_scope_gets_a_polite_decline(api: FakeBotApi, bot: object) -> None:
    [reply] = await reply_to(api, "tell me a joke", chat_id=ANN, user_id=ANN, language_code="en")
    assert "/help" in reply["text"]
    assert "Albanian" in reply["text"]


async def test_start_shows_welcome_and_the_five_steps_as_buttons(api: FakeBotApi, bot: object) -> None:
    [reply] = await reply_to(api, "/start", chat_id=ANN, user_id=ANN)
    *steps, plan = buttons(reply)
    assert len(steps) == 5
    assert all(button["callback_data"].startswith("s:") for button in steps)
    assert plan["callback_data"] == "n::zh-Hans"  # and the personal plan


async def test_start_with_a_section_id_is_a_deep_link(api: FakeBotApi, bot: object) -> None:
    [reply] = await reply_to(api, "/start store-documents", chat_id=ANN, user_id=ANN, language_code="en")
    assert reply["text"].startswith("Step 4.1 · ")
    [unknown] = await reply_to(api, "/start no-such-section", chat_id=ANN, user_id=ANN, language_code="en")
    assert len(buttons(unknown)) == 6  # falls back to the welcome: five steps and "My plan"


async def test_help_steps_and_step_commands(api: FakeBotApi, bot: object) -> None:
    [help_reply] = await reply_to(api, "/help", chat_id=ANN, user_id=ANN)
    assert "/steps" in help_reply["text"]
    [steps] = await reply_to(api, "/steps", chat_id=ANN, user_id=ANN)
    assert [b["callback_data"].split(":")[1] for b in buttons(steps)] == [
        "reasons",
        "backup",
        "contact-support",
        "visit-store",
        "after-cancel",
    ]
    [four] = await reply_to(api, "/step 4", chat_id=ANN, user_id=ANN)
    assert four["text"].startswith("第 4 步")
    [four_one] = await reply_to(api, "/step 4.1", chat_id=ANN, user_id=ANN)
    assert four_one["text"].startswith("第 4.1 步")
    [nine] = await reply_to(api, "/step 9", chat_id=ANN, user_id=ANN)
    assert "9" in nine["text"]


async def test_language_choice_is_remembered_and_overrides_detection(api: FakeBotApi, bot: object) -> None:
    [prompt] = await reply_to(api, "/lang", chat_id=ANN, user_id=ANN)
    english = next(b for b in buttons(prompt) if b["text"] == "English")
    mark = api.mark()
    api.inject_callback_query(english["callback_data"], message=prompt, user_id=ANN)
    [confirmation] = await api.wait_for_sent(ANN, since=mark)  # the prompt, edited in place
    assert confirmation["message_id"] == prompt["message_id"]
    assert confirmation["text"].startswith("OK")
    [reply, offer] = await reply_to(api, "卡丢了还能注销吗", chat_id=ANN, user_id=ANN, count=2)
    assert reply["text"].startswith("Side path · ")
    assert offer["text"] == "要改用简体中文回答吗？"  # a Chinese question after choosing English


async def test_after_lang_a_question_in_another_language_offers_a_one_tap_switch(
    api: FakeBotApi, bot: object
) -> None:
    await reply_to(api, "/lang en", chat_id=BEN, user_id=BEN)
    [answer, offer] = await reply_to(api, "卡丢了还能注销吗", chat_id=BEN, user_id=BEN, count=2)
    assert answer["text"].startswith("Side path · ")  # the choice is honoured
    [switch] = buttons(offer)
    assert switch["text"] == "改用简体中文"
    mark = api.mark()
    api.inject_callback_query(switch["callback_data"], message=offer, user_id=BEN)
    [switched] = await api.wait_for_sent(BEN, since=mark)
    assert switched["text"].startswith("支线 · ")  # the same answer, now in the message's language
    [later] = await reply_to(api, "去营业厅要带什么", chat_id=BEN, user_id=BEN)
    assert later["text"].startswith("第 4.1 步")  # and the new choice is remembered


async def test_stickers_and_photos_get_a_one_line_hint(api: FakeBotApi, bot: object) -> None:
    mark = api.mark()
    api.inject_media("sticker", chat_id=ANN, user_id=ANN)
    [hint] = await api.wait_for_sent(ANN, since=mark)
    assert hint["text"].count("\n") == 0
    mark = api.mark()
    api.inject_media("voice", chat_id=ANN, user_id=ANN)
    await api.wait_for_sent(ANN, since=mark)


async def test_hostile_text_gets_valid_html_back(api: FakeBotApi, bot: object) -> None:
    for text in ["<b>unclosed", "</a>&&&", "*_[]`", "\u202e\u200b", "x" * 4096]:
        [reply] = await reply_to(api, text, chat_id=ANN, user_id=ANN)
        assert reply["text"]
    assert api.failed_calls() == []


async def test_every_reply_is_valid_telegram_html(api: FakeBotApi, bot: object) -> None:
    for text in ["第四步", "详细点", "hello", "SIM卡編號", "3.2"]:
        await reply_to(api, text, chat_id=ANN, user_id=ANN)
    for call in api.calls_of("sendMessage"):
        assert telegram_html_errors(call.params["text"]) == []


async def test_the_phrase_card_by_command_and_by_the_button_under_step_4(
    api: FakeBotApi, bot: object
) -> None:
    [card] = await reply_to(api, "/phrases", chat_id=ANN, user_id=ANN, language_code="en")
    close = "Dua ta mbyll përfundimisht këtë numër, ju lutem."
    assert f"{close}\nI would like to close this number for good, please." in card["text"]
    [four] = await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
    [button] = [b for b in buttons(four) if b["callback_data"].startswith("p:")]
    mark = api.mark()
    api.inject_callback_query(button["callback_data"], message=four, user_id=ANN)
    [edit] = await api.wait_for_calls("editMessageText", since=mark)
    assert f"<b>{close}</b>\n我想彻底注销这个号码，谢谢。" in edit.params["text"]
