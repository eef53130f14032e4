"""The unanswered-questions log: redacted, grouped by normalised text, filtered by time."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

import pytest

from bot.storage.unanswered import DATABASE_FILE, UnansweredLog, parse_duration
from bot.text.privacy import looks_personal, redact
from tests.cli import run_cli


def test_redaction_removes_numbers_emails_handles_and_documents() -> None:
    text = (
        "call +355 69 123 4567 or mail ann@example.com, I'm @annbot, passport E12345678, "
        "ICCID 8935501234567890123"
    )
    redacted = redact(text)
    for secret in ["123 4567", "ann@example.com", "@annbot", "E12345678", "8935501234567890123"]:
        assert secret not in redacted
    assert "passport" in redacted


@pytest.mark.parametrize(
    ("text", "personal"),
    [
        ("my number +355 69 123 4567", True),
        ("ICCID 8935501234567890123", True),
        ("passport E12345678", True),
        ("第四步", False),
        ("step 4.1", False),
        ("余额还有2.5欧", False),
    ],
)
def test_personal_numbers_are_spotted(text: str, personal: bool) -> None:
    assert looks_personal(text) is personal


def test_grouped_by_normalised_text_most_frequent_first(tmp_path: Path) -> None:
    log = UnansweredLog(tmp_path / DATABASE_FILE)
    now = time.time()
    log.record("怎么充值话费", "zh-Hans", "decline", now)
    log.record("怎麼充值話費", "zh-Hant", "decline", now)  # the same question in traditional characters
    log.record("Tell me a joke", "en", "decline", now)
    log.record("my number is 0691234567", "en", "clarify", now)
    log.record("old question", "en", "decline", now - 10 * 86400)
    groups = log.most_frequent(now - 7 * 86400)
    assert groups[0].text == "怎么充值话费"
    assert groups[0].count == 2
    assert groups[0].languages == ("zh-Hans", "zh-Hant")
    assert {g.text for g in groups} == {"怎么充值话费", "tell me a joke", "my number is <number>"}
    log.close()


def test_durations() -> None:
    assert parse_duration("7d") == 7 * 86400
    assert parse_duration("24h") == 86400
    assert parse_duration(" 2w ") == 14 * 86400
    with pytest.raises(ValueError, match="duration"):
        parse_duration("soon")


def test_cli_report(tmp_path: Path) -> None:
    log = UnansweredLog(tmp_path / DATABASE_FILE)
    for _ in range(3):
        log.record("where to buy an albanian sim", "en", "decline", time.time())
    log.close()
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path)}
    result = run_cli("unanswered", "--since", "7d", env=env)
    assert result.returncode == 0
    assert "   3  en" in result.stdout
    assert "where to buy an albanian sim" in result.stdout
    bad = run_cli("unanswered", "--since", "later", env=env)
    assert bad.returncode == 2


def test_a_damaged_log_is_moved_aside_and_a_fresh_one_records(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / DATABASE_FILE
    path.write_bytes(b"SQLite format 3\x00" + b"\x00\xff" * 3000)
    with caplog.at_level(logging.WARNING):
        log = UnansweredLog(path)
    log.record("tell me a joke", "en", "decline", time.time())
    assert [group.text for group in log.most_frequent(0)] == ["tell me a joke"]
    log.close()
    [warning] = caplog.records
    assert "unanswered-questions log" in warning.getMessage()
    kept = [p for p in tmp_path.glob(f"{DATABASE_FILE}.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1


@pytest.mark.slow  # waits out SQLite's busy timeout: 2 s
def test_a_question_that_cannot_be_recorded_is_logged_without_its_text_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / DATABASE_FILE
    log = UnansweredLog(path)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with caplog.at_level(logging.WARNING):
            log.record("where do I buy a sim card", "en", "decline", time.time())  # does not raise
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "not recorded: SQLITE_BUSY" in caplog.text
    assert "sim card" not in caplog.text
    log.record("where do I buy a sim card", "en", "decline", time.time())
    assert [group.count for group in log.most_frequent(0)] == [1]
    log.close()
