"""Normalisation and step references, in every form people type them."""

from __future__ import annotations

import pytest

from bot.text.normalize import find_step_reference, normalize_text
from bot.understanding.followup import FollowUp, detect_choice, detect_follow_up


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＳＩＭ卡　注銷", "sim卡 注销"),  # full-width letters and space, traditional → simplified
        ("@SimHelpBot 怎么注销", "怎么注销"),
        ("STEP\u200b 4", "step 4"),  # zero-width space dropped
        ("  hello \n world  ", "hello world"),
        ("簡訊驗證碼", "短信验证码"),  # Taiwan vocabulary folded
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("第四步", "4"),
        ("第4步", "4"),
        ("步骤四", "4"),
        ("步驟4", "4"),
        ("第四個步驟", "4"),
        ("第 2 步怎么做", "2"),
        ("step 4", "4"),
        ("Step Four", "4"),
        ("4th step", "4"),
        ("the fourth step", "4"),
        ("@SimHelpBot what is the third step about", "3"),
        ("4.1", "4.1"),
        ("3.2 是什么", "3.2"),
        ("what's step 5.2", "5.2"),
        ("第4.3步", "4.3"),
        ("步骤3.3", "3.3"),
        ("第十步", "10"),
    ],
)
def test_step_references(raw: str, label: str) -> None:
    assert find_step_reference(normalize_text(raw)) == label


@pytest.mark.parametrize(
    "raw", ["余额还有2.5欧元", "一步一步教我", "下一步", "cancel my sim", "iphone 15 pro", "3.2欧"]
)
def test_no_step_reference(raw: str) -> None:
    assert find_step_reference(normalize_text(raw)) is None


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("下一步", FollowUp.NEXT),
        ("下一步呢？", FollowUp.NEXT),
        ("next", FollowUp.NEXT),
        ("ok next please", FollowUp.NEXT),
        ("and then?", FollowUp.NEXT),
        ("上一步", FollowUp.PREVIOUS),
        ("back", FollowUp.PREVIOUS),
        ("返回", FollowUp.PREVIOUS),
        ("详细点", FollowUp.DETAIL),
        ("詳細一點", FollowUp.DETAIL),
        ("more detail", FollowUp.DETAIL),
        ("tell me more", FollowUp.DETAIL),
    ],
)
def test_follow_ups(raw: str, kind: FollowUp) -> None:
    assert detect_follow_up(normalize_text(raw)) is kind


@pytest.mark.parametrize(
    "raw", ["下一步要带什么材料", "what happens next after I cancel my sim card", "backup contacts", "thanks"]
)
def test_real_questions_are_not_follow_ups(raw: str) -> None:
    assert detect_follow_up(normalize_text(raw)) is None


@pytest.mark.parametrize(("raw", "number"), [("2", 2), ("#3", 3), ("选1", 1), ("第2个", 2)])
def test_choices(raw: str, number: int) -> None:
    assert detect_choice(normalize_text(raw)) == number
