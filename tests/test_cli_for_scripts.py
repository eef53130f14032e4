"""The command line as scripts and operators use it (issue 18): `check --json` on a broken
knowledge base, `ask -`, `unanswered --data-dir` and `--json`; in process (the `cli` fixture):
a subprocess adds nothing to what is printed or returned."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from bot.kb.base import DEFAULT_KB_DIR
from bot.storage.unanswered import DATABASE_FILE, UnansweredLog
from tests.cli import InProcessCli


def test_check_json_prints_the_problems_of_a_broken_knowledge_base_on_stdout(
    cli: InProcessCli, tmp_path: Path
) -> None:
    copy = tmp_path / "kb"
    shutil.copytree(DEFAULT_KB_DIR, copy)
    guide = copy / "guide.yaml"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace('    step: "1"', "    step: 1", 1), encoding="utf-8"
    )
    result = cli("check", str(copy), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)  # before: nothing on stdout
    assert report["ok"] is False
    [problem] = [p for p in report["problems"] if p["field"] == "sections[1].step"]
    assert problem["file"].endswith("guide.yaml")
    assert problem["line"] > 0
    assert "must be text" in problem["message"]


def test_check_json_on_a_sound_knowledge_base_says_ok(cli: InProcessCli) -> None:
    report = json.loads(cli("check", "--json").stdout)
    assert report["ok"] is True
    assert report["problems"] == []


def test_ask_dash_reads_the_question_from_stdin(cli: InProcessCli) -> None:
    result = cli("ask", "-", "--json", stdin="卡丢了还能注销吗\n")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["question"] == "卡丢了还能注销吗"
    assert cli("ask", "-", stdin="  \n").returncode == 2


def test_unanswered_reads_the_data_dir_it_is_given_and_prints_json(cli: InProcessCli, tmp_path: Path) -> None:
    data_dir = tmp_path / "elsewhere"
    data_dir.mkdir()
    log = UnansweredLog(data_dir / DATABASE_FILE)
    for update_id in (1, 2):
        log.record("how long does pizza take", "en", "decline", time.time(), update_id)
    log.close()
    result = cli("unanswered", "--data-dir", str(data_dir), "--json", env={"HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["groups"] == [
        {"text": "how long does pizza take", "count": 2, "languages": ["en"], "decisions": ["decline"]}
    ]
    empty = cli("unanswered", "--data-dir", str(tmp_path / "none"), "--json", env={"HOME": str(tmp_path)})
    assert json.loads(empty.stdout)["groups"] == []
