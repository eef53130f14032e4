"""Which language to answer in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text.language import LANGUAGES, Lang, clear_language, detect_language, other_language, parse_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("保号卡注销流程", "zh-Hans"),
        ("阿爾巴尼亞電話卡註銷教學", "zh-Hant"),
        ("SIM卡遺失", "zh-Hant"),
        ("ICCID是什么", "zh-Hans"),
        ("@SimHelpBot 怎么注销", "zh-Hans"),
        ("how do I cancel my sim", "en"),
        ("@SimHelpBot step 4", "en"),
        ("4.1", "zh-Hans"),  # no letters: the default
        ("🙂🙂", "zh-Hans"),
        ("", "zh-Hans"),
        ("卡", "zh-Hans"),  # the same in both scripts: simplified by default
        # English with a Chinese name in it is English; Chinese with English words is Chinese
        ("I got a 保号卡 in Tirana years ago and never use it now, how do I stop it for good", "en"),
        ("can I do 转网 to One and keep the number, or must I cancel", "en"),
        ("sim卡已经注销了 but still getting sms, why", "zh-Hans"),
        ("vodafone albania top up點搞", "zh-Hant"),
        ("Telekom Albania = One 嗎", "zh-Hant"),
        ("我想cancel張卡", "zh-Hant"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("en-US", "en"),
        ("zh-hans", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("zh_HK", "zh-Hant"),
        ("zh", "zh-Hans"),
        ("sq", None),
    ],
)
def test_parse_language(code: str, lang: str | None) -> None:
    assert parse_language(code) == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("點知cut咗未", "zh-Hant"),
        ("佢哋叫我填份表格", "zh-Hant"),  # written Cantonese in characters common to both scripts
        ("怎么注销", "zh-Hans"),
        ("how to cancel it", "en"),
        ("第五步怎么办", "zh-Hans"),
        ("ok", None),  # could be anyone's
        ("SIM?", None),
        ("4.1", None),
        ("🙂", None),
        ("好", None),
    ],
)
def test_clear_language_is_only_what_a_message_plainly_shows(text: str, lang: str | None) -> None:
    assert clear_language(text) == lang


@pytest.mark.parametrize(
    ("text", "chosen", "client", "offered"),
    [
        ("卡丢了怎么办", "en", None, "zh-Hans"),
        ("第五步可以不去", "en", "zh-Hant", "zh-Hant"),  # either script: the app's
        ("第五步可以不去", "zh-Hant", None, None),  # either script fits the chosen Chinese
        ("第五步呢", "en", None, None),  # a step reference is a number in any language
        ("step 4", "zh-Hans", None, None),
        ("卡遺失了怎麼辦", "zh-Hans", None, "zh-Hant"),
        ("I lost my card what now", "zh-Hans", None, "en"),
        ("I lost my card what now", "en", None, None),
        ("ok", "zh-Hans", None, None),
    ],
)
def test_other_language_is_a_plain_language_that_was_not_chosen(
    text: str, chosen: Lang, client: Lang | None, offered: Lang | None
) -> None:
    assert other_language(text, chosen, client) == offered


@given(st.text(max_size=200), st.sampled_from(LANGUAGES))
def test_other_language_is_never_the_chosen_one(text: str, chosen: Lang) -> None:
    offered = other_language(text, chosen)
    assert offered is None or (offered in LANGUAGES and offered != chosen)
