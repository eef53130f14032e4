"""The journal of updates: what is new, what is unfinished, what is erased, what survives a reopen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage.update_journal import (
    JOURNAL_FILE,
    KEEP_DONE_SECONDS,
    JournalEntry,
    SQLiteUpdateJournal,
    UpdateJournalError,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / JOURNAL_FILE


def entries(*ids: int) -> list[JournalEntry]:
    return [JournalEntry(update_id, f'{{"update_id": {update_id}}}') for update_id in ids]


def test_only_ids_never_recorded_before_are_new(path: Path) -> None:
    journal = SQLiteUpdateJournal(path)
    assert journal.record(entries(1, 2, 3)) == {1, 2, 3}
    assert journal.record(entries(3, 4)) == {4}
    journal.finish(1)
    assert journal.record(entries(1, 5)) == {5}  # done stays known: a duplicate is not new


def test_unfinished_updates_survive_a_reopen_in_id_order_and_finished_ones_do_not(path: Path) -> None:
    journal = SQLiteUpdateJournal(path)
    journal.record(entries(30, 10, 20))
    journal.finish(20)
    journal.close()
    reopened = SQLiteUpdateJournal(path)
    assert [entry.update_id for entry in reopened.unfinished()] == [10, 30]
    assert reopened.unfinished()[0].payload == '{"update_id": 10}'
    assert reopened.record(entries(20)) == frozenset()


def test_an_unreadable_update_is_recorded_as_done_at_once(path: Path) -> None:
    journal = SQLiteUpdateJournal(path)
    assert journal.record([JournalEntry(7, None)]) == {7}
    assert journal.unfinished() == []
    assert journal.record([JournalEntry(7, None)]) == frozenset()


def test_finishing_erases_the_stored_text(path: Path) -> None:
    journal = SQLiteUpdateJournal(path)
    journal.record([JournalEntry(1, '{"text": "my question"}')])
    journal.finish(1)
    journal.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT payload, done_at IS NOT NULL FROM updates").fetchall() == [(None, 1)]
    for file in path.parent.iterdir():  # secure_delete: not even a free page keeps it
        assert b"my question" not in file.read_bytes(), file.name


def test_done_ids_are_pruned_after_a_few_days_and_unfinished_ones_never(path: Path) -> None:
    clock = Clock()
    journal = SQLiteUpdateJournal(path, clock)
    journal.record(entries(1, 2))
    journal.finish(1)
    clock.now += KEEP_DONE_SECONDS + 1
    journal.record(entries(3))
    journal.finish(3)  # an hour since the last prune: prunes as it goes
    assert journal.record(entries(1)) == {1}  # forgotten: after a week Telegram may reuse it
    assert [entry.update_id for entry in journal.unfinished()] == [1, 2]


def test_a_damaged_file_is_moved_aside_and_a_fresh_journal_starts(path: Path) -> None:
    path.write_bytes(b"this is not a database" * 100)
    journal = SQLiteUpdateJournal(path)
    assert journal.record(entries(1)) == {1}
    assert any(".damaged-" in file.name for file in path.parent.iterdir())


def test_failures_name_what_failed_and_never_the_payload(path: Path) -> None:
    journal = SQLiteUpdateJournal(path)
    journal.close()
    with pytest.raises(UpdateJournalError) as caught:
        journal.record([JournalEntry(1, '{"text": "secret question"}')])
    assert "record updates" in str(caught.value)
    assert "secret question" not in str(caught.value)
