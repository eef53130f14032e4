"""The state store and the persistence over it, without Telegram: what goes in comes out, a failed
save changes nothing, a crash or a full disk mid-save leaves the last good state."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.storage.sqlite_file import DataFileError, open_database
from bot.storage.state_json import encode_entry, non_json_type
from bot.storage.state_store import STATE_FILE, SQLiteStateStore, StateBatch, StateStoreError, StoredEntry
from bot.telegram.runtime.persistence import StatePersistence
from tests.e2e.real_process import REPO_ROOT, in_small_filesystem

DAY = 86400.0

json_keys = st.text(max_size=8).filter(lambda key: not key.startswith("__"))  # "__" marks the bridge
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(json_keys, children, max_size=4),
    max_leaves=16,
)
json_entries = st.dictionaries(json_keys, json_values, max_size=6)
not_json = st.sampled_from(
    [{1, 2}, (1, 2), b"bytes", object(), math.nan, math.inf, {"nested": {"set": {3}}}, [1, {2.5}]]
)


def persistence_at(path: Path, clock: Any = time.time) -> StatePersistence:
    return StatePersistence(SQLiteStateStore(path), update_interval=10, clock=clock)


async def save_and_reload(path: Path, users: dict[int, Any]) -> dict[int, Any]:
    """Hand `users` to a persistence, flush, and load them back with a fresh one."""
    writer = persistence_at(path)
    await writer.get_user_data()
    for user_id, data in users.items():
        await writer.update_user_data(user_id, data)
    await writer.flush()
    writer.close()
    reader = persistence_at(path)
    loaded = await reader.get_user_data()
    reader.close()
    return loaded


@settings(max_examples=60, deadline=None)
@given(json_entries)
def test_any_json_data_comes_back_exactly(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        loaded = asyncio.run(save_and_reload(Path(scratch) / STATE_FILE, {7: data}))
    assert loaded == ({7: data} if data else {})  # empty data is no row: PTB makes a fresh {} anyway


@settings(max_examples=60, deadline=None)
@given(json_entries, st.dictionaries(json_keys, not_json, min_size=1, max_size=3))
def test_entries_that_are_not_json_are_left_out_and_the_rest_is_saved(
    data: dict[str, Any], odd: dict[str, Any]
) -> None:
    mixed = {**data, **{f"odd-{key}": value for key, value in odd.items()}}
    with tempfile.TemporaryDirectory() as scratch:
        loaded = asyncio.run(save_and_reload(Path(scratch) / STATE_FILE, {7: mixed}))
    assert loaded == ({7: data} if data else {})


def test_what_is_not_json_is_named_by_type_never_by_value() -> None:
    assert non_json_type({"a": [1, "x", None, 2.5, {"b": True}]}) is None
    assert non_json_type({"phone": {"+355 69 123 4567"}}) == "set"
    assert non_json_type([1, (2, 3)]) == "tuple"
    assert non_json_type({5: "x"}) == "int key"
    assert non_json_type(math.nan) == "float (not finite)"
    encoded = encode_entry({"ok": 1, "phone": {"+355 69 123 4567"}})
    assert json.loads(encoded.text) == {"ok": 1}
    assert encoded.skipped == ("set",)


def test_a_batch_that_fails_half_way_changes_nothing(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / STATE_FILE)
    store.save_batch(StateBatch(upserts={"user": {1: StoredEntry('{"v":1}', 1.0)}}))
    broken = StateBatch(
        upserts={
            "user": {1: StoredEntry('{"v":2}', 2.0), 2: StoredEntry('{"v":2}', 2.0)},
            "chat": {3: StoredEntry(None, 2.0)},  # type: ignore[arg-type]  # NOT NULL fails last
        }
    )
    with pytest.raises(StateStoreError, match="NOT NULL"):
        store.save_batch(broken)
    state = store.load(0)
    assert {user_id: entry.data for user_id, entry in state.entries["user"].items()} == {1: '{"v":1}'}
    assert state.entries["chat"] == {}


def test_prune_deletes_only_who_was_not_seen_since(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / STATE_FILE)
    store.save_batch(
        StateBatch(
            upserts={
                "user": {1: StoredEntry("{}", 10.0), 2: StoredEntry("{}", 50.0)},
                "chat": {1: StoredEntry("{}", 10.0)},
            }
        )
    )
    assert store.prune(20.0) == 2
    state = store.load(0)
    assert list(state.entries["user"]) == [2]
    assert state.entries["chat"] == {}


@pytest.mark.slow  # waits out a flush retry: 2 s
async def test_a_failed_flush_keeps_the_changes_and_newer_ones_win(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / STATE_FILE
    persistence = persistence_at(path)
    await persistence.get_user_data()
    await persistence.update_user_data(1, {"lang": "en"})
    await persistence.update_user_data(2, {"lang": "zh-Hans"})
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    with caplog.at_level(logging.ERROR, "bot.state"):
        await persistence.flush()  # does not raise
    assert "state not saved" in caplog.text
    assert "2 change(s) kept" in caplog.text
    await persistence.update_user_data(2, {"lang": "en"})  # changed again meanwhile
    await persistence.drop_user_data(1)
    blocker.execute("ROLLBACK")
    blocker.close()
    await persistence.flush()
    persistence.close()
    reader = persistence_at(path)
    assert await reader.get_user_data() == {2: {"lang": "en"}}
    reader.close()


async def test_stale_ids_are_the_ones_unseen_for_30_days_oldest_first(tmp_path: Path) -> None:
    now = [1_000_000.0]
    persistence = persistence_at(tmp_path / STATE_FILE, clock=lambda: now[0])
    await persistence.get_user_data()
    await persistence.refresh_user_data(1, {})
    now[0] += DAY
    await persistence.refresh_chat_data(-100, {})  # a group
    now[0] += DAY
    await persistence.refresh_user_data(3, {})
    await persistence.refresh_chat_data(3, {})  # 3's private chat: the same person
    now[0] += DAY
    await persistence.refresh_user_data(1, {})  # 1 is back
    now[0] += 29.5 * DAY  # -100 and 3: more than 30 days ago; 1: 29.5
    assert persistence.take_stale_ids(limit=1) == [-100]  # a quiet month is forgotten in slices
    assert persistence.take_stale_ids() == [3]
    assert persistence.take_stale_ids() == []  # taken: the caller drops them
    now[0] += DAY
    assert persistence.take_stale_ids() == [1]
    persistence.close()


async def test_a_persistent_conversation_handler_is_refused(tmp_path: Path) -> None:
    persistence = persistence_at(tmp_path / STATE_FILE)
    with pytest.raises(NotImplementedError, match="persistent=False"):
        await persistence.get_conversations("signup")
    persistence.close()


@pytest.mark.parametrize(
    "content",
    [b"not a database at all" * 50, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["garbage", "bad-pages"],
)
def test_a_damaged_file_is_moved_aside_once_and_a_fresh_one_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    path = tmp_path / STATE_FILE
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        store = SQLiteStateStore(path)
    store.save_batch(StateBatch(upserts={"user": {1: StoredEntry("{}", 1.0)}}))
    assert list(store.load(0).entries["user"]) == [1]
    store.close()
    [warning] = caplog.records
    assert "moved to" in warning.getMessage()
    [kept] = [p for p in tmp_path.glob(f"{STATE_FILE}.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert kept.read_bytes() == content


def test_a_file_from_another_schema_version_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / STATE_FILE
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    SQLiteStateStore(path).close()
    assert len(list(tmp_path.glob(f"{STATE_FILE}.damaged-*"))) == 1


@pytest.mark.slow  # waits out SQLite's busy timeout: 2 s
def test_a_locked_file_is_not_damage_it_is_an_error_that_says_so(tmp_path: Path) -> None:
    path = tmp_path / STATE_FILE
    SQLiteStateStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DataFileError, match="another copy of the bot"):
            open_database(path, "", 1, "the bot's state")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert list(tmp_path.glob("*.damaged-*")) == []  # left alone


# ---- real processes: a crash, a full disk

WRITER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from bot.storage.state_store import SQLiteStateStore, StateBatch, StoredEntry
    store = SQLiteStateStore(Path(sys.argv[1]))
    generation = 0
    while True:
        generation += 1
        entry = StoredEntry(json.dumps({"generation": generation, "pad": "x" * 500}), float(generation))
        store.save_batch(StateBatch(upserts={"user": dict.fromkeys(range(2000), entry)}))
        print(generation, flush=True)
    """
)


def test_a_crash_mid_save_leaves_one_whole_generation(tmp_path: Path) -> None:
    path = tmp_path / STATE_FILE
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    for _ in range(3):  # a few saves went through; the next one is under way
        writer.stdout.readline()
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    store = SQLiteStateStore(path)
    generations = {json.loads(entry.data)["generation"] for entry in store.load(0).entries["user"].values()}
    store.close()
    assert len(generations) == 1
    assert min(generations) >= 3


FULL_DISK = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from bot.storage.state_store import SQLiteStateStore, StateBatch, StateStoreError, StoredEntry
    folder = Path(sys.argv[1])
    store = SQLiteStateStore(folder / "bot-state.sqlite3")
    good = StoredEntry(json.dumps({"v": "good"}), 1.0)
    store.save_batch(StateBatch(upserts={"user": dict.fromkeys(range(100), good)}))
    with open(folder / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"0" * 65536)
                filler.flush()
        except OSError:
            pass
    big = StoredEntry(json.dumps({"v": "new", "pad": "x" * 2000}), 2.0)
    batch = StateBatch(upserts={"user": dict.fromkeys(range(1000), big)})  # ~2.5 MB
    try:
        store.save_batch(batch)
        failure = None
    except StateStoreError as exc:
        failure = str(exc)
    after_failure = {e.data for e in store.load(0).entries["user"].values()}
    (folder / "filler").unlink()
    store.save_batch(batch)
    after_retry = {e.data for e in store.load(0).entries["user"].values()}
    store.close()
    print(json.dumps({"failure": failure, "after_failure": sorted(after_failure),
                      "retried": len(after_retry) == 1 and "new" in after_retry.pop()}))
    """
)


def test_a_full_disk_mid_save_keeps_the_last_good_state_and_a_later_save_succeeds(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    prefix = in_small_filesystem(folder, "size=8m")
    result = subprocess.run(
        [*prefix, sys.executable, "-c", FULL_DISK, str(folder)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert "SQLITE_FULL" in outcome["failure"]
    assert outcome["after_failure"] == ['{"v": "good"}']
    assert outcome["retried"]
