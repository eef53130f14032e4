"""Which language to answer in: simplified Chinese, traditional Chinese or English.

A message's script often does not settle it: 第五步, 下一步, 好的 and 你好 are written the same
way in both Chinese scripts, and "4.1" or "ok" say nothing at all. Such a message keeps the
conversation's language; only a message that shows its script changes it.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import Literal, get_args

from bot.text.chinese import characters_to_simplified, simplified_only_characters
from bot.text.fillers import core_of
from bot.text.normalize import normalize_text, remove_step_reference
from bot.text.patterns import HAN, MENTION

Lang = Literal["zh-Hans", "zh-Hant", "en"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANGUAGE: Lang = "zh-Hans"
# Characters of written Cantonese that Mandarin does not use: a Hong Kong writer's message.
_CANTONESE = frozenset("咗唔嘅喺冇啲嘢咩佢哋嗰畀攞㗎嚟噉咁睇嘞啱")
_ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
_CLEAR_ENGLISH_WORDS = 3  # "how to cancel": English; "ok thanks", "SIM?" could be anyone's
_CLEAR_CHINESE_CHARACTERS = 2
# A mixed message reads as English with this many English words per Han character, and at least
# _MIXED_ENGLISH_WORDS of them: "vodafone albania top up點搞" and "Telekom Albania = One 嗎" are
# Hong Kong Chinese with English names in them.
_ENGLISH_OVER_HAN = 3
_MIXED_ENGLISH_WORDS = 5


class Script(Enum):
    """What the characters of a message say about its language."""

    SIMPLIFIED = "zh-Hans"  # a character only simplified Chinese uses (们, 销)
    TRADITIONAL = "zh-Hant"  # a character only traditional Chinese uses (們, 銷)
    CHINESE = "zh"  # Han characters common to both scripts (第五步, 你好)
    LATIN = "en"  # letters, no Han characters
    NONE = "none"  # no letters at all (4.1, 🙂)


def parse_language(value: str) -> Lang | None:
    """Map a user's or a client's language code ("en-US", "zh-TW", "zh-hans") to a Lang."""
    code = value.strip().lower().replace("_", "-")
    if code.startswith("en"):
        return "en"
    if code in {"zh-hant", "zh-tw", "zh-hk", "zh-mo"} or code.startswith("zh-hant"):
        return "zh-Hant"
    if code.startswith("zh"):
        return "zh-Hans"
    return None


def detect_script(text: str) -> Script:
    """The script of a message, @mentions ignored.

    Han characters make it Chinese (users mix in "SIM" or "ICCID": "sim卡怎么注销", "cancel張卡")
    unless English words outnumber them three to one, five words at least: "I have one 保号卡 from
    Albania, how do I stop it" is English with a Chinese name in it (round 8 of issue 16: writers
    of English wrote such lines and were answered in Chinese). One character that exists only in
    traditional (遺, 註) or only in simplified writing (们, 销) settles which Chinese.
    """
    text = MENTION.sub(" ", unicodedata.normalize("NFKC", text))
    han = "".join(HAN.findall(text))
    if han and len(_ENGLISH_WORD.findall(text)) >= max(_MIXED_ENGLISH_WORDS, _ENGLISH_OVER_HAN * len(han)):
        return Script.LATIN
    if han:
        if any(a != b for a, b in zip(han, characters_to_simplified(han), strict=False)):
            return Script.TRADITIONAL
        simplified_only = simplified_only_characters()
        if any(ch in _CANTONESE for ch in han) and not any(ch in simplified_only for ch in han):
            return Script.TRADITIONAL  # "点知cut咗未": written Cantonese is Hong Kong's, traditional
        return Script.SIMPLIFIED if any(ch in simplified_only for ch in han) else Script.CHINESE
    if any(ch.isalpha() for ch in text):
        return Script.LATIN
    return Script.NONE


def clear_language(text: str) -> Lang | None:
    """The language a message is plainly written in, or None when it does not say.

    A character of one Chinese script, Chinese of either script (then simplified), or three
    English words, besides a step reference. "ok", "SIM?", "4.1", "第四步" or an emoji say
    nothing: the conversation decides those.
    """
    script = detect_script(text)
    # A step reference ("第四步", "step 4") is a number in any language: only the rest can say.
    rest = remove_step_reference(normalize_text(text))
    if script is Script.LATIN:
        return "en" if len(_ENGLISH_WORD.findall(MENTION.sub(" ", rest))) >= _CLEAR_ENGLISH_WORDS else None
    if script is Script.CHINESE:
        return "zh-Hans" if len(HAN.findall(rest)) >= _CLEAR_CHINESE_CHARACTERS else None
    if script is Script.NONE or not HAN.search(rest):
        return None
    return resolve_language(script, conversation=None, client=None)


def other_language(text: str, chosen: Lang, client: Lang | None = None) -> Lang | None:
    """The language a message is plainly in when that is not the `chosen` one, else None.

    Chinese common to both scripts ("第五步怎么办") is no reason to leave one Chinese for the
    other; to someone who chose English it is Chinese, in their app's script if it has one.
    """
    clear = clear_language(text)
    if clear is None or clear == chosen:
        return None
    if detect_script(text) is Script.CHINESE:
        if chosen != "en":
            return None
        return client if client in ("zh-Hans", "zh-Hant") else clear
    return clear


def detect_language(text: str) -> Lang:
    """The language of a message read on its own: Chinese common to both scripts reads as simplified."""
    return resolve_language(detect_script(text), conversation=None, client=None)


def resolve_language(script: Script, conversation: Lang | None, client: Lang | None) -> Lang:
    """The reply language for a message of `script` in a conversation so far in `conversation`.

    `client` is the language the user's Telegram app is set to (zh-TW → zh-Hant): it decides
    for the first message of a conversation when the text cannot.
    """
    if script is Script.SIMPLIFIED:
        return "zh-Hans"
    if script is Script.TRADITIONAL:
        return "zh-Hant"
    if script is Script.LATIN:
        return "en"
    if script is Script.CHINESE:
        for known in (conversation, client):
            if known in ("zh-Hans", "zh-Hant"):
                return known
        return DEFAULT_LANGUAGE
    return conversation or client or DEFAULT_LANGUAGE


# "in English please", "说中文", "繁體": asked of the normalised (simplified, lower-case) text.
_LANGUAGE_REQUESTS: tuple[tuple[Lang, re.Pattern[str]], ...] = (
    (
        "en",
        re.compile(
            r"(?:(?:can you |could you |please )?(?:speak|reply|answer|talk|write|switch to|change to|use)"
            r"(?: (?:in|to))? english|(?:in )?english(?: please| pls)?|english version|"
            r"(?:请|请你|能不能|可以)?(?:说|讲|用|切换到|换成|改成|换)?英文(?:回答|回复|吧)?|"
            r"(?:请|请你|能不能|可以)?(?:说|讲|用|切换到|换成|改成|换)英语(?:回答|回复|吧)?)"
        ),
    ),
    (
        "zh-Hant",
        re.compile(
            r"(?:(?:请|请你|能不能|可以)?(?:说|讲|用|切换到|换成|改成|换)?(?:繁体|正体)(?:中文|字)?(?:回答|回复|吧)?|"
            r"(?:in |use )?traditional chinese(?: please)?)"
        ),
    ),
    (
        "zh-Hans",
        re.compile(
            r"(?:(?:请|请你|能不能|可以)?(?:说|讲|用|切换到|换成|改成|换)(?:简体|中文|汉语|普通话)(?:中文|字)?(?:回答|回复|吧)?|"
            r"简体(?:中文|字)?|中文(?:回答|回复|吧)?|(?:in |speak |use )?(?:simplified )?chinese(?: please)?)"
        ),
    ),
)


def requested_language(normalized: str) -> Lang | None:
    """The language a short message asks the bot to switch to ("in English please", "说中文")."""
    text = core_of(normalized)
    if not text or len(text) > 32:
        return None
    for lang, pattern in _LANGUAGE_REQUESTS:
        if pattern.fullmatch(text):
            return lang
    return None
