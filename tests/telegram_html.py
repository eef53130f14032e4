"""A strict checker for the HTML subset Telegram accepts in parse_mode=HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "blockquote",
}
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.errors.append(f"tag <{tag}> not allowed")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}>")
        else:
            self.stack.pop()

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            self.errors.append(f"entity &{name}; not allowed")


def telegram_html_errors(text: str) -> list[str]:
    """Problems Telegram would reject this text for (empty list: it parses)."""
    bare = _ENTITY.sub("", re.sub(r"</?[a-z-]+(?:\s[^<>]*)?>", "", text))
    errors = []
    if "<" in bare or ">" in bare:
        errors.append("bare < or > outside a tag")
    if "&" in bare:
        errors.append("bare & outside an entity")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    errors.extend(checker.errors)
    if checker.stack:
        errors.append(f"unclosed tags {checker.stack}")
    return errors
