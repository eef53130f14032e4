"""Settings validation and the token-redacting log filter."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot.config import ConfigError, Secret, load_settings, read_env_file, resolve_kb_dir
from bot.kb.base import DEFAULT_KB_DIR
from bot.telegram.runtime.logging_setup import REDACTED, configure_logging

TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"
REPO = Path(__file__).resolve().parent.parent


def test_env_file_parsing(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        '# comment\nexport TELEGRAM_BOT_TOKEN="123:abc"\nLOG_LEVEL=debug # inline\n\nBOT_ADMIN_IDS= 1, 2\n',
        encoding="utf-8",
    )
    assert read_env_file(env) == {
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "LOG_LEVEL": "debug",
        "BOT_ADMIN_IDS": "1, 2",
    }
    assert read_env_file(tmp_path / "missing") == {}


def test_a_quoted_value_with_a_comment_after_it_is_read_as_dotenv_reads_it(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f'TELEGRAM_BOT_TOKEN="{TOKEN}" # prod\nBOT_LOG_FORMAT=json\n', encoding="utf-8")
    values = read_env_file(env)
    assert values["TELEGRAM_BOT_TOKEN"] == TOKEN  # before: the token with `" # prod` was malformed
    assert load_settings(values).log_format == "json"


def test_the_health_port_and_log_format_are_validated() -> None:
    assert load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}).health_port is None
    assert load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_HEALTH_PORT": "9100"}).health_port == 9100
    for name, value in (("BOT_HEALTH_PORT", "http"), ("BOT_LOG_FORMAT", "xml")):
        with pytest.raises(ConfigError, match=name):
            load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, name: value})


def test_settings_are_validated() -> None:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_ADMIN_IDS": "1, 2", "LOG_LEVEL": "debug", "BOT_WATCH_KB": "1"}
    )
    assert settings.admin_ids == frozenset({1, 2})
    assert settings.log_level == "DEBUG"
    assert settings.watch_kb
    assert settings.log_unanswered


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "12345:short"}, "malformed"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_ADMIN_IDS": "alice"}, "BOT_ADMIN_IDS"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_WATCH_KB": "maybe"}, "BOT_WATCH_KB"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "ftp://x"}, "TELEGRAM_API_BASE_URL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_WEBHOOK_PORT": "99999"}, "BOT_WEBHOOK_PORT"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_KB_DIR": "/nonexistent/kb"}, "/nonexistent/kb .*BOT_KB_DIR"),
    ],
)
def test_bad_settings_name_the_setting_and_never_echo_the_token(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(env)
    assert TOKEN not in str(caught.value)


def test_secret_never_shows_itself() -> None:
    secret = Secret(TOKEN)
    assert TOKEN not in repr(secret) + str(secret) + f"{secret}"
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert TOKEN not in repr(settings)


def test_log_lines_and_exception_texts_are_redacted() -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", stream)
    logger = logging.getLogger("bot.test")
    logger.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise ConnectionError(f"Cannot connect to https://api.telegram.org/bot{TOKEN}/sendMessage")
    except ConnectionError:
        logger.exception("request failed")
    output = stream.getvalue()
    assert TOKEN not in output
    assert output.count(REDACTED) >= 2


def test_http_and_telegram_libraries_are_kept_quiet_even_at_debug() -> None:
    configure_logging("DEBUG", io.StringIO())
    for http_logger in ("aiohttp.client", "httpx"):  # the bot's client, and PTB's default one
        assert logging.getLogger(http_logger).getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("telegram.Bot").getEffectiveLevel() >= logging.INFO
    assert logging.getLogger("bot").getEffectiveLevel() == logging.DEBUG


def test_in_a_checkout_the_default_knowledge_base_is_the_one_authors_edit() -> None:
    assert DEFAULT_KB_DIR == REPO / "knowledge"
    assert resolve_kb_dir(None, {}) == DEFAULT_KB_DIR
    assert resolve_kb_dir(None, {"BOT_KB_DIR": "  "}) == DEFAULT_KB_DIR


def test_bot_kb_dir_wins_over_the_default_and_the_command_line_wins_over_both(tmp_path: Path) -> None:
    from_env, given = tmp_path / "env-kb", tmp_path / "given-kb"
    from_env.mkdir()
    given.mkdir()
    assert resolve_kb_dir(None, {"BOT_KB_DIR": str(from_env)}) == from_env
    assert resolve_kb_dir(given, {"BOT_KB_DIR": str(from_env)}) == given
    assert resolve_kb_dir(given, {"BOT_KB_DIR": str(tmp_path / "missing")}) == given


def test_settings_take_the_knowledge_base_from_the_same_resolution(tmp_path: Path) -> None:
    assert load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}).kb_dir == DEFAULT_KB_DIR
    assert load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_KB_DIR": str(tmp_path)}).kb_dir == tmp_path
    given = tmp_path / "given"
    given.mkdir()
    assert load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_KB_DIR": str(tmp_path)}, given).kb_dir == given


def test_a_knowledge_base_path_that_is_a_file_is_named_as_not_a_directory(tmp_path: Path) -> None:
    file = tmp_path / "guide.yaml"
    file.write_text("sections: []\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        resolve_kb_dir(file, {})
    assert (
        str(caught.value) == f"knowledge-base directory {file} is not a directory (given on the command line)"
    )
