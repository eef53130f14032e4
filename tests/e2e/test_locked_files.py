"""The data and cache directories are private: 0700, every file in them 0600 (SQLite's -wal and
-shm too); an existing readable one is tightened at start, or named in one WARNING."""

from __future__ import annotations

import io
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from fake_telegram import FakeBotApi
from tests.e2e.conftest import StartBot, reply_to

ANN = 5150


def modes(directory: Path) -> dict[str, int]:
    """Permission bits of the directory ("." ) and of every file in it."""
    found = {".": stat.S_IMODE(directory.stat().st_mode)}
    found.update({entry.name: stat.S_IMODE(entry.stat().st_mode) for entry in directory.iterdir()})
    return found


async def test_a_fresh_data_directory_is_0700_with_0600_files(
    api: FakeBotApi, start_bot: StartBot, data_dir: Path
) -> None:
    assert not data_dir.exists()
    async with start_bot() as application:
        await reply_to(api, "how long does pizza take", chat_id=ANN, user_id=ANN)  # the unanswered log
        await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
        await application.update_persistence()
        running = modes(data_dir)
    assert {name for name in running if name.endswith(("-wal", "-shm"))}, "no WAL files to check"
    assert running.pop(".") == 0o700
    assert running == dict.fromkeys(running, 0o600)
    after = modes(data_dir)
    assert after.pop(".") == 0o700
    assert after == dict.fromkeys(after, 0o600)


async def test_an_existing_readable_data_directory_is_tightened_at_start(
    api: FakeBotApi, start_bot: StartBot, data_dir: Path
) -> None:
    data_dir.mkdir(mode=0o755)
    os.chmod(data_dir, 0o755)
    old = sqlite3.connect(data_dir / "unanswered.sqlite3")
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE t (x)")
    old.close()
    (data_dir / "notes.txt").write_text("left by an operator")
    for entry in data_dir.iterdir():
        os.chmod(entry, 0o644)
    async with start_bot():
        await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
        found = modes(data_dir)
    assert found.pop(".") == 0o700
    assert found == dict.fromkeys(found, 0o600)


async def test_a_data_directory_that_cannot_be_tightened_is_named_in_one_warning(
    api: FakeBotApi,
    start_bot: StartBot,
    data_dir: Path,
    log_stream: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_dir.mkdir()
    os.chmod(data_dir, 0o755)
    real_chmod = os.chmod

    def chmod_not_allowed(path: object, mode: int, *args: object, **kwargs: object) -> None:
        # The tests run as root, who may chmod anything: a directory owned by someone else is
        # what refuses it in production (PermissionError), so that refusal is stood in for here.
        if Path(str(path)) == data_dir:
            raise PermissionError(1, "Operation not permitted")
        real_chmod(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "chmod", chmod_not_allowed)
    async with start_bot():
        await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
    lines = log_stream.getvalue().splitlines()
    warnings = [line for line in lines if "WARNING" in line and "BOT_DATA_DIR" in line]
    assert len(warnings) == 1
    assert str(data_dir.absolute()) in warnings[0]
    assert "the directory itself" in warnings[0]


async def test_the_cache_directory_is_tightened_too(
    api: FakeBotApi, start_bot: StartBot, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "index.json").write_text("{}")
    os.chmod(cache, 0o755)
    os.chmod(cache / "index.json", 0o644)
    async with start_bot(BOT_CACHE_DIR=str(cache)):
        pass
    assert modes(cache) == {".": 0o700, "index.json": 0o600}


async def test_a_shared_directory_such_as_tmp_is_left_alone_with_a_warning(
    api: FakeBotApi, start_bot: StartBot, tmp_path: Path, log_stream: io.StringIO
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    async with start_bot(BOT_CACHE_DIR=str(shared)):
        pass
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert "BOT_CACHE_DIR" in log_stream.getvalue()
