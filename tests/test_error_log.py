"""What the error handler logs about an exception: where it happened, never what the user wrote
(exception messages can quote it) and never the token (Telegram's own messages may carry it)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from telegram.error import BadRequest, InvalidToken

from bot.telegram.errors import is_telegram_trouble, redacted_traceback

TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"


def raise_chain(text: str) -> BaseException:
    try:
        try:
            raise KeyError(text)
        except KeyError as inner:
            raise ValueError(f"no answer for {text}") from inner
    except ValueError as outer:
        return outer


@given(st.text().map(lambda text: f"«{text}»"))  # « » appear nowhere in the frames themselves
def test_exception_messages_never_reach_the_log_only_frames_and_types(text: str) -> None:
    logged = redacted_traceback(raise_chain(text))
    assert "«" not in logged
    assert "builtins.KeyError" in logged
    assert "builtins.ValueError" in logged
    assert "raise_chain" in logged
    assert logged.index("KeyError") < logged.index("which led to") < logged.index("ValueError")


def test_telegram_descriptions_are_kept_with_the_token_redacted() -> None:
    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken as exc:
        logged = redacted_traceback(exc)
    assert "was rejected by the server" in logged
    assert TOKEN not in logged
    assert TOKEN.split(":")[1] not in logged


def test_a_bad_request_is_our_bug_not_telegram_trouble() -> None:
    assert not is_telegram_trouble(BadRequest("Can't parse entities"))
    assert not is_telegram_trouble(ValueError("x"))
