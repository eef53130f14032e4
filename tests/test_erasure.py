"""Erasing one person from the data directory: every table of every SQLite file, whatever added
it, and nobody else; the journal's payloads; the unanswered log's keyed rows and retention."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.storage.erasure import erase_person, sqlite_files
from bot.storage.person_key import KEY_FILE, load_person_key, user_key
from bot.storage.sqlite_file import open_database
from bot.storage.state_store import STATE_FILE, SQLiteStateStore, StateBatch, StoredEntry
from bot.storage.unanswered import DATABASE_FILE, UnansweredLog
from bot.storage.update_journal import JOURNAL_FILE, JournalEntry, SQLiteUpdateJournal, erase_payloads_about

NOW = 1_800_000_000.0
ANN = 7_310_052_841
BOB = 6_180_047_093


def update(update_id: int, user_id: int, text: str) -> JournalEntry:
    message = {"message_id": 1, "from": {"id": user_id}, "chat": {"id": user_id}, "text": text}
    return JournalEntry(update_id, json.dumps({"update_id": update_id, "message": message}))


def every_row(data_dir: Path) -> list[str]:
    """Every row of every table of every SQLite file, as text."""
    return [" ".join(map(str, row)) for row in every_row_values(data_dir)]


def every_row_values(data_dir: Path) -> list[tuple[object, ...]]:
    """Every row of every table of every SQLite file, as SQLite returns its values."""
    rows: list[tuple[object, ...]] = []
    for path in sqlite_files(data_dir):
        db = sqlite3.connect(path)
        for (table,) in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'").fetchall():
            rows.extend(db.execute(f'SELECT * FROM "{table}"'))
        db.close()
    return rows


def fill(data_dir: Path) -> None:
    """Ann and Bob in each of the bot's files, and in files and tables added later."""
    store = SQLiteStateStore(data_dir / STATE_FILE)
    upserts = {person: StoredEntry('{"lang":"en"}', NOW) for person in (ANN, BOB)}
    store.save_batch(StateBatch(upserts={"user": upserts, "chat": upserts}))
    store.close()
    log = UnansweredLog(data_dir / DATABASE_FILE)
    log.record("pizza in tirana for ann", "en", "decline", NOW, ANN)
    log.record("pizza in durres for bob", "en", "decline", NOW, BOB)
    log.close()
    journal = SQLiteUpdateJournal(data_dir / JOURNAL_FILE, lambda: NOW)
    journal.record([update(1, ANN, "ann's unfinished words"), update(2, BOB, "bob's unfinished words")])
    journal.close()
    later = sqlite3.connect(data_dir / "plans.sqlite3")  # a feature added later, its own file
    with later:
        later.execute("CREATE TABLE reminders (id INTEGER PRIMARY KEY, chat_id, user_id, note)")
        later.execute("CREATE TABLE shares (id INTEGER PRIMARY KEY, user_key TEXT, note)")
        for person in (ANN, BOB):
            later.execute("INSERT INTO reminders (chat_id, user_id) VALUES (?, ?)", (person, person))
            key = user_key(load_person_key(data_dir), person)
            later.execute("INSERT INTO shares (user_key, note) VALUES (?, ?)", (key, f"shared by {person}"))
    later.close()


def test_one_person_goes_from_every_table_of_every_file_and_nobody_else(tmp_path: Path) -> None:
    fill(tmp_path)
    before = every_row(tmp_path)
    assert sum(str(ANN) in row or "ann" in row for row in before) >= 6
    erased = erase_person(tmp_path, ANN, NOW)
    after = every_row(tmp_path)
    assert [row for row in after if str(ANN) in row or "ann" in row] == []
    assert erased.rows == 6  # user, chat, unanswered, journal payload, reminder, share: nothing more
    assert erased.failed == ()
    for marker in (str(BOB), "bob's unfinished words", "pizza in durres for bob", f"shared by {BOB}"):
        assert any(marker in row for row in after), marker


def test_a_moved_aside_copy_is_swept_and_an_unreadable_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    fill(tmp_path)
    (tmp_path / f"{STATE_FILE}.damaged-20260101T000000Z").write_bytes((tmp_path / STATE_FILE).read_bytes())
    (tmp_path / "broken.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    (tmp_path / "notes.txt").write_text(f"{ANN} is not a database: not ours to edit")
    erased = erase_person(tmp_path, ANN, NOW)
    assert (erased.failed, erased.unreadable) == ((), ("broken.sqlite3",))
    assert f"{STATE_FILE}.damaged-20260101T000000Z" in erased.files
    (tmp_path / "broken.sqlite3").unlink()  # nobody can read it: looked at, reported, left
    assert [row for row in every_row(tmp_path) if str(ANN) in row] == []


def test_the_erased_update_is_finished_not_handed_out_again_and_its_id_still_deduplicates(
    tmp_path: Path,
) -> None:
    journal = SQLiteUpdateJournal(tmp_path / JOURNAL_FILE, lambda: NOW)
    journal.record([update(10, ANN, "mine"), update(11, BOB, "his")])
    erase_person(tmp_path, ANN, NOW)
    assert [entry.update_id for entry in journal.unfinished()] == [11]
    assert journal.record([update(10, ANN, "mine")]) == frozenset()  # a repeat is still a repeat
    journal.finish(10)  # the handler finishing it afterwards changes nothing
    journal.close()


payload_texts = st.text(max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | payload_texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(payload_texts, inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(json_values, st.integers(1, 2**40), st.sampled_from(["from", "chat", "user", "sender_chat"]))
def test_a_payload_naming_the_person_anywhere_is_erased_and_one_that_does_not_is_kept(
    noise: object, person: int, field: str
) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE updates (update_id INTEGER PRIMARY KEY, received_at, payload, done_at)")
    naming = {"update_id": 1, "message": {"reply_to_message": {field: {"id": person}}, "noise": noise}}
    other = {"update_id": 2, "message": {"from": {"id": person + 1}, "text": str(person), "noise": noise}}
    names_anyway = json.dumps(noise).count(f'"id": {person}') > 0
    for update_id, payload in ((1, naming), (2, other)):
        db.execute("INSERT INTO updates VALUES (?, ?, ?, NULL)", (update_id, NOW, json.dumps(payload)))
    erased = erase_payloads_about(db, {person}, NOW)
    left = dict(db.execute("SELECT update_id, payload FROM updates").fetchall())
    assert left[1] is None
    assert (left[2] is None) == names_anyway
    assert erased == 1 + names_anyway


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=120), st.integers(10**6, 2**52))
@example("0", 8_000_000)  # the person's digits inside a time value
def test_whatever_a_person_asked_goes_from_the_log_and_who_asked_is_never_stored(
    question: str, person: int
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch)
        log = UnansweredLog(data_dir / DATABASE_FILE)
        log.record(question, "en", "decline", NOW, person)
        log.record("what about the weather in vlora", "en", "decline", NOW, person + 1)
        # Each value apart, and not the times: a person 8000000 is inside the time 1800000000.0
        # (hypothesis found it), which says nothing about who asked.
        stored = [
            value for row in every_row_values(data_dir) for value in row if not isinstance(value, float)
        ]
        assert [value for value in stored if str(person) in str(value)] == []
        erase_person(data_dir, person, NOW)
        rows = sqlite3.connect(data_dir / DATABASE_FILE).execute("SELECT text, user_key FROM unanswered")
        assert rows.fetchall() == [
            ("what about the weather in vlora", user_key(load_person_key(data_dir), person + 1))
        ]
        log.close()


def test_the_log_keeps_questions_for_the_retention_only(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_FILE
    log = UnansweredLog(path)
    log.record("an old question about pizza", "en", "decline", NOW - 3 * 86400, ANN)
    log.record("a recent question about pizza", "en", "decline", NOW - 3600, ANN)
    log.close()
    kept = UnansweredLog(path, keep_days=2, clock=lambda: NOW)  # pruned at start
    assert [group.text for group in kept.most_frequent(0)] == ["a recent question about pizza"]
    kept.record("a new one about pizza", "en", "decline", NOW + 2 * 86400, BOB)  # an hour on: pruned again
    assert [group.text for group in kept.most_frequent(0)] == ["a new one about pizza"]
    kept.close()


def test_the_log_listing_from_the_command_line_deletes_nothing(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_FILE
    log = UnansweredLog(path)
    log.record("an old question about pizza", "en", "decline", 1.0, ANN)
    log.close()
    assert [group.text for group in UnansweredLog(path).most_frequent(0)] == ["an old question about pizza"]


def test_a_log_from_an_earlier_version_gets_the_person_column_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_FILE
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE unanswered (id INTEGER PRIMARY KEY, asked_at REAL NOT NULL, lang TEXT NOT NULL,"
        " decision TEXT NOT NULL, text TEXT NOT NULL); PRAGMA user_version = 1;"
        "INSERT INTO unanswered (asked_at, lang, decision, text) VALUES (1.0, 'en', 'decline', 'old one');"
    )
    old.close()
    log = UnansweredLog(path)
    log.record("new one", "en", "decline", NOW, ANN)
    assert sorted(group.text for group in log.most_frequent(0)) == ["new one", "old one"]
    log.close()
    erase_person(tmp_path, ANN, NOW)
    assert [row for row in every_row(tmp_path) if "new one" in row] == []


def test_the_person_key_is_made_once_private_and_remade_when_malformed(tmp_path: Path) -> None:
    first = load_person_key(tmp_path)
    assert load_person_key(tmp_path) == first
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    assert user_key(first, ANN) != user_key(first, BOB)
    assert str(ANN) not in user_key(first, ANN)
    (tmp_path / KEY_FILE).write_text("not hex")
    assert load_person_key(tmp_path) != first


def test_a_database_and_its_wal_are_created_0600_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        db = open_database(tmp_path / "x.sqlite3", "CREATE TABLE IF NOT EXISTS t (x);", 1, "a test file")
        db.execute("INSERT INTO t VALUES (1)")
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        db.close()
    finally:
        os.umask(previous)
    assert modes == {"x.sqlite3": 0o600, "x.sqlite3-wal": 0o600, "x.sqlite3-shm": 0o600}
