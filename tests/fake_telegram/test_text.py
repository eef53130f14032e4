"""What Telegram makes of a message text: HTML into entities with UTF-16 offsets, and the limits."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_telegram.text import detect_entities, message_text, parse_html, utf16_length
from fake_telegram.wire import ApiError

# Text with what trips offsets and markup: astral-plane emoji, CJK, markup characters.
PIECES = ["😀", "👨‍👩‍👧", "第", "<", ">", "&", '"', "&amp;", " ", "\n"]
TEXT = st.lists(st.one_of(st.characters(codec="utf-8"), st.sampled_from(PIECES))).map("".join)


def utf16_slice(text: str, offset: int, length: int) -> str:
    return text.encode("utf-16-le")[2 * offset : 2 * (offset + length)].decode("utf-16-le")


@given(TEXT)
def test_escaped_text_comes_back_unchanged(text: str) -> None:
    assert parse_html(html.escape(text, quote=False)) == (text, [])


@given(TEXT, TEXT, st.sampled_from(["b", "i", "u", "s", "code", "tg-spoiler"]))
def test_a_tag_becomes_an_entity_over_exactly_its_text_in_utf16(before: str, inside: str, tag: str) -> None:
    source = f"{html.escape(before)}<{tag}>{html.escape(inside)}</{tag}>"
    plain, entities = parse_html(source)
    assert plain == before + inside
    if inside:
        [entity] = entities
        assert (entity["offset"], entity["length"]) == (utf16_length(before), utf16_length(inside))
        assert utf16_slice(plain, entity["offset"], entity["length"]) == inside
    else:
        assert entities == []  # Telegram drops empty entities


@given(TEXT, st.integers(0, 3))
def test_stored_texts_are_stripped_within_the_limit_and_entities_stay_inside(text: str, spaces: int) -> None:
    source = f"{' ' * spaces}<b>{html.escape(text)}</b>{' ' * spaces}"
    if not text.strip():
        with pytest.raises(ApiError, match="message text is empty"):
            message_text(source, "HTML")
        return
    plain, entities = message_text(source, "HTML")
    assert plain == text.strip()
    assert entities[0] == {"offset": 0, "length": utf16_length(plain), "type": "bold"}
    for entity in entities:
        assert 0 <= entity["offset"] < entity["offset"] + entity["length"] <= utf16_length(plain)


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ('<a href="https://x.org/?a=1&amp;b=2">link</a>', "link", [("text_link", 0, 4)]),
        ("<b>bold <i>both</i></b>", "bold both", [("bold", 0, 9), ("italic", 5, 4)]),
        ("&lt;b&gt; &amp; &#x1F600; &nbsp;", "<b> & 😀 &nbsp;", []),
        ('<span class="tg-spoiler">s</span>', "s", [("spoiler", 0, 1)]),
    ],
)
def test_telegram_html(source: str, text: str, entities: list[tuple[str, int, int]]) -> None:
    plain, found = parse_html(source)
    assert plain == text
    assert [(e["type"], e["offset"], e["length"]) for e in found] == entities


@pytest.mark.parametrize(
    "source", ["a<br>b", "<b>x", "x</b>", "<b><i>x</b></i>", "a < b", "<span>s</span>", "<b"]
)
def test_broken_html_cannot_be_parsed(source: str) -> None:
    with pytest.raises(ApiError, match="can't parse entities") as caught:
        parse_html(source)
    assert caught.value.code == 400


def test_commands_mentions_and_links_are_detected_with_utf16_offsets() -> None:
    text = "😀 /help@SimHelpBot ask @SimHelpBot at https://example.com/a. please/no"
    found = {(e["type"], utf16_slice(text, e["offset"], e["length"])) for e in detect_entities(text)}
    assert found == {
        ("bot_command", "/help@SimHelpBot"),
        ("mention", "@SimHelpBot"),
        ("url", "https://example.com/a"),
    }
