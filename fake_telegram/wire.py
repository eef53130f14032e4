"""What crosses the HTTP boundary: decoded parameters, error answers and the record of a call."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

# Form values are JSON (PTB JSON-encodes numbers, booleans, objects and lists) except these plain
# strings, which would otherwise turn into numbers ("5", a numeric callback query id).
_STRING_PARAMS = frozenset(
    {"text", "parse_mode", "url", "secret_token", "language_code", "next_offset", "description"}
    | {"short_description", "callback_query_id", "inline_query_id"}
)


class ApiError(Exception):
    """An error answer exactly as Telegram words it, e.g. 400 "Bad Request: chat not found"."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        """The JSON body Telegram sends with this error."""
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class Call:
    """One request the bot made, recorded when it was answered (``at`` is its arrival time).

    ``params`` are decoded: JSON form values (numbers, ``reply_markup``, ``allowed_updates``,
    ``results`` ...) are Python objects, the plain-string parameters stay strings.
    """

    method: str
    params: JSON
    at: float
    http_method: str = "POST"
    status: int = 200
    result: Any = None
    error: str | None = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        """The bot got a successful answer."""
        return self.status == 200 and self.error is None and self.fault is None

    @property
    def abandoned(self) -> bool:
        """The bot closed the connection before the answer (status 499), e.g. a long poll that
        PTB cancelled on shutdown."""
        return self.status == 499


def decode_param(name: str, value: str) -> Any:
    """One form value as the Bot API reads it."""
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def dumps(obj: Any) -> str:
    """Compact JSON with UTF-8 text, as Telegram sends it."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
