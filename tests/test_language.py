"""Which language to answer in."""

from __future__ import annotations

import pytest

from bot.text.language import detect_language, parse_language


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
