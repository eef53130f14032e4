"""A start that cannot work ends in one line on stderr and exit status 2 — no traceback, no token;
a Bot API that cannot be reached or fails at start-up likewise, with 69 (a restart may help).

The real process (`python -m bot run`) against the fake Bot API: the token refused (401), the
Bot API unreachable, and a data directory the bot cannot use (checked before Telegram is
contacted at all).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.exit_codes import ExitCode
from fake_telegram import FakeBotApi
from tests.e2e.conftest import TOKEN
from tests.e2e.real_process import Finished, bot_environment, in_small_filesystem, run_to_exit

pytestmark = pytest.mark.slow  # each test starts `python -m bot run` as a process

OTHER_TOKEN = "123456789:AAOtherTokenThatTheServerDoesNotKnowAtAll"


def assert_one_error_line(finished: Finished, *expected: str, code: ExitCode = ExitCode.USAGE) -> str:
    """Exit `code` (2), nothing on stdout, exactly one line on stderr, which says `expected`."""
    assert finished.code == code, finished.stderr
    assert finished.stdout == ""
    lines = finished.stderr.splitlines()
    assert len(lines) == 1, finished.stderr
    assert lines[0].startswith("error: ")
    for words in expected:
        assert words in lines[0]
    return lines[0]


def assert_secret_nowhere(secret: str, finished: Finished, data_dir: Path) -> None:
    for text in (finished.stdout, finished.stderr):
        assert secret not in text
        assert secret.split(":")[1] not in text
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert secret.split(":")[1].encode() not in path.read_bytes(), path


async def test_a_rejected_token_exits_2_with_one_line_and_the_token_nowhere(
    api: FakeBotApi, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    env = bot_environment(api.root_url, data_dir, TELEGRAM_BOT_TOKEN=OTHER_TOKEN)
    finished = await run_to_exit(env)
    assert_one_error_line(finished, "rejected the bot token", "TELEGRAM_BOT_TOKEN")
    assert [call.status for call in api.calls] == [401]  # asked once, not retried
    assert_secret_nowhere(OTHER_TOKEN, finished, data_dir)


async def test_an_unreachable_bot_api_exits_69_with_one_line_naming_it(tmp_path: Path) -> None:
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens there
    data_dir = tmp_path / "data"
    finished = await run_to_exit(bot_environment(closed, data_dir))
    assert_one_error_line(
        finished, "cannot reach the Bot API at http://127.0.0.1:9", code=ExitCode.UNAVAILABLE
    )
    assert_secret_nowhere(TOKEN, finished, data_dir)


async def test_a_bot_api_that_fails_at_start_up_exits_69_with_one_line(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """69, not 2: the shipped systemd unit stops restarting on 2, and a 502 is Telegram's to mend."""
    api.fail_next("getMe", status=502, description="Bad Gateway")
    finished = await run_to_exit(bot_environment(api.root_url, tmp_path / "data"))
    assert_one_error_line(finished, "Bad Gateway", code=ExitCode.UNAVAILABLE)


async def test_a_data_dir_that_is_a_file_exits_2_naming_it(api: FakeBotApi, tmp_path: Path) -> None:
    data_file = tmp_path / "data"
    data_file.write_text("not a directory")
    finished = await run_to_exit(bot_environment(api.root_url, data_file))
    assert_one_error_line(finished, str(data_file), "is not a directory")
    assert api.calls == []  # Telegram is not even asked


async def test_a_data_dir_that_cannot_be_created_exits_2_naming_it(api: FakeBotApi, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    data_dir = tmp_path / "file" / "data"
    finished = await run_to_exit(bot_environment(api.root_url, data_dir))
    assert_one_error_line(finished, str(data_dir), "does not exist and cannot be created", "Not a directory")
    assert api.calls == []


@pytest.mark.parametrize(
    ("subdirectory", "expected"),
    [
        ("", "is not writable: Read-only file system"),
        ("state", "does not exist and cannot be created: Read-only file system"),
    ],
    ids=["existing", "missing"],
)
async def test_a_read_only_data_dir_exits_2_naming_it(
    api: FakeBotApi, tmp_path: Path, subdirectory: str, expected: str
) -> None:
    mountpoint = tmp_path / "data"
    mountpoint.mkdir()
    data_dir = mountpoint / subdirectory if subdirectory else mountpoint
    prefix = in_small_filesystem(mountpoint, "ro,size=1m")
    finished = await run_to_exit(bot_environment(api.root_url, data_dir), prefix)
    assert_one_error_line(finished, str(data_dir), expected)
    assert api.calls == []
