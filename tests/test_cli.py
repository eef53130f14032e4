"""The command line, run as a user runs it: `python -m bot ...` in a subprocess."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bot.kb import DEFAULT_KB_DIR
from bot.kb_checks import REQUIRED_SECTION_IDS
from tests.cli import run_cli

run = run_cli


def test_check_prints_a_summary_and_exits_zero() -> None:
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_check_json_lists_every_published_section() -> None:
    result = run("check", "--json")
    data = json.loads(result.stdout)
    assert set(REQUIRED_SECTION_IDS) <= set(data["sections"])
    assert data["languages"] == ["zh-Hans", "zh-Hant", "en"]
    assert data["examples"] > 20 * 16


def test_check_on_a_broken_copy_exits_one_with_file_line_field(tmp_path: Path) -> None:
    copy = tmp_path / "kb"
    shutil.copytree(DEFAULT_KB_DIR, copy)
    guide = copy / "guide.yaml"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace('    step: "1"', "    step: 1", 1), encoding="utf-8"
    )
    result = run("check", str(copy))
    assert result.returncode == 1
    assert "guide.yaml:" in result.stderr
    assert "sections[1].step: must be text" in result.stderr


def test_ask_prints_the_reply_a_user_sees() -> None:
    result = run("ask", "卡丢了还能注销吗")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].endswith("SIM 卡丢失或损坏")
    english = run("ask", "what should I bring to the store", "--lang", "en")
    assert english.stdout.startswith("Step 4.1")


def test_ask_json_gives_one_object() -> None:
    data = json.loads(run("ask", "第四步", "--json").stdout)
    assert data["decision"] == "answer"
    assert data["section"] == "visit-store"
    assert data["lang"] == "zh-Hans"
    assert data["candidates"][0]["id"] == "visit-store"


def test_ask_jsonl_answers_every_line_in_order() -> None:
    questions = ["hello", "SIM卡遺失", "how do I know it worked", "", "第2步"]
    result = run("ask", "--jsonl", stdin="\n".join(questions) + "\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["question"] for row in rows] == questions
    assert set(rows[0]) == {"question", "lang", "decision", "section", "candidates", "text"}
    assert rows[0]["decision"] == "decline"
    assert rows[0]["section"] is None
    assert rows[1]["lang"] == "zh-Hant"
    assert rows[1]["section"] == "lost-card"
    assert rows[4]["section"] in {"backup", "unbind-services"}
    assert all(len(row["candidates"]) <= 3 for row in rows)


def test_ask_without_a_question_is_a_usage_error() -> None:
    assert run("ask").returncode == 2


def test_eval_prints_per_language_figures(tmp_path: Path) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        '- {q: "第四步", lang: zh-Hans, expect: [visit-store]}\n'
        '- {q: "hello", lang: en, expect: [out-of-scope]}\n',
        encoding="utf-8",
    )
    result = run("eval", str(labelled))
    assert result.returncode == 0
    assert "top-1 zh-Hans" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("summary: top-1 zh-Hans 1.000")


def test_eval_on_a_malformed_file_names_the_item(tmp_path: Path) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text("- {q: x, lang: fr, expect: [overview]}\n", encoding="utf-8")
    result = run("eval", str(labelled))
    assert result.returncode == 2
    assert "set.yaml:1" in result.stderr


def test_chat_holds_a_conversation_with_follow_ups() -> None:
    result = run("chat", stdin="第四步\n下一步\n详细点\n上一步\n/quit\n")
    out = result.stdout
    assert result.returncode == 0
    assert out.index("第 4 步") < out.index("第 4.1 步")
    assert "第 4.4 步" not in out.split("第 4.1 步", 1)[0]


def test_run_without_a_token_exits_two_with_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("run", env={"HOME": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_a_malformed_token_never_echoes_it(tmp_path: Path) -> None:
    token = "12345:not-a-real-token"
    result = run_cli("run", env={"HOME": str(tmp_path), "TELEGRAM_BOT_TOKEN": token}, cwd=tmp_path)
    assert result.returncode == 2
    assert "malformed" in result.stderr
    assert token not in result.stderr + result.stdout
    assert "not-a-real" not in result.stderr
