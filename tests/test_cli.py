"""The command line, run as a user runs it: in-process through bot.cli.main (the `cli` fixture),
and as `python -m bot ...` in a subprocess where the process is the point (the entry point,
`run`'s exit codes and what it never prints)."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from bot.cli import main
from bot.kb.base import DEFAULT_KB_DIR
from bot.kb.checks import REQUIRED_SECTION_IDS
from tests.cli import REPO, InProcessCli, run_cli
from tests.kb_copies import small_knowledge_copy

TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"


@pytest.fixture
def retitled_kb(tmp_path: Path) -> Path:
    """A copy of the knowledge base whose step 4 has a title no other copy has (a small copy:
    the tests that use it start `ask`, which builds the copy's index)."""
    copy = small_knowledge_copy(tmp_path / "retitled-kb")
    guide = copy / "guide.yaml"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text.replace("zh-Hans: 去营业厅办理", "zh-Hans: 复制品里的第四步", 1), encoding="utf-8")
    return copy


def test_check_prints_a_summary_and_exits_zero(cli: InProcessCli) -> None:
    result = cli("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_check_json_lists_every_published_section(cli: InProcessCli) -> None:
    result = cli("check", "--json")
    data = json.loads(result.stdout)
    assert set(REQUIRED_SECTION_IDS) <= set(data["sections"])
    assert data["languages"] == ["zh-Hans", "zh-Hant", "en"]
    assert data["examples"] > 20 * 16


def test_check_on_a_broken_copy_exits_one_with_file_line_field(cli: InProcessCli, tmp_path: Path) -> None:
    copy = tmp_path / "kb"
    shutil.copytree(DEFAULT_KB_DIR, copy)
    guide = copy / "guide.yaml"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace('    step: "1"', "    step: 1", 1), encoding="utf-8"
    )
    result = cli("check", str(copy))
    assert result.returncode == 1
    assert "guide.yaml:" in result.stderr
    assert "sections[1].step: must be text" in result.stderr


def test_ask_prints_the_reply_a_user_sees(cli: InProcessCli) -> None:
    result = cli("ask", "卡丢了还能注销吗")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].endswith("SIM 卡丢失或损坏")
    english = cli("ask", "what should I bring to the store", "--lang", "en")
    assert english.stdout.startswith("Step 4.1")


def test_ask_json_gives_one_object(cli: InProcessCli) -> None:
    data = json.loads(cli("ask", "第四步", "--json").stdout)
    assert data["decision"] == "answer"
    assert data["section"] == "visit-store"
    assert data["lang"] == "zh-Hans"
    assert data["candidates"][0]["id"] == "visit-store"


def test_ask_jsonl_answers_every_line_in_order(cli: InProcessCli) -> None:
    questions = ["hello", "SIM卡遺失", "how do I know it worked", "", "第2步", "how long does pizza take"]
    result = cli("ask", "--jsonl", stdin="\n".join(questions) + "\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["question"] for row in rows] == questions
    assert set(rows[0]) == {"question", "lang", "decision", "section", "small_talk", "candidates", "text"}
    assert (rows[0]["decision"], rows[0]["small_talk"], rows[0]["section"]) == (
        "small_talk",
        "greeting",
        None,
    )
    assert (rows[3]["decision"], rows[3]["reason"]) == ("decline", "empty")
    assert (rows[5]["decision"], rows[5]["reason"]) == ("decline", "off_topic")
    assert rows[1]["lang"] == "zh-Hant"
    assert rows[1]["section"] == "lost-card"
    assert rows[4]["section"] in {"backup", "unbind-services"}
    assert all(len(row["candidates"]) <= 3 for row in rows)


def test_ask_without_a_question_is_a_usage_error(cli: InProcessCli) -> None:
    assert cli("ask").returncode == 2


def test_eval_prints_per_language_figures(cli: InProcessCli, tmp_path: Path) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        '- {q: "第四步", lang: zh-Hans, expect: [visit-store]}\n'
        '- {q: "hello", lang: en, expect: [out-of-scope]}\n',
        encoding="utf-8",
    )
    result = cli("eval", str(labelled))
    assert result.returncode == 0
    assert "top-1 zh-Hans" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("summary: top-1 zh-Hans 1.000")


def test_eval_json_is_one_object_with_declines_and_choices_per_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        '- {q: "第四步", lang: zh-Hans, expect: [visit-store]}\n'
        '- {q: "护照", lang: zh-Hans, expect: [store-documents]}\n'  # one word: a "did you mean"
        '- {q: "how long does pizza take", lang: en, expect: [backup]}\n'  # declined: a false decline
        '- {q: "hello", lang: en, expect: [out-of-scope]}\n',
        encoding="utf-8",
    )
    other = tmp_path / "other.txt"
    other.write_text("how long does pizza take\n我的中国移动卡怎么注销\n", encoding="utf-8")
    assert main(["eval", str(labelled), "--out-of-scope", str(other), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)  # one JSON object, nothing else
    labelled_result = result["labelled"]
    assert labelled_result["did_you_mean_by_lang"]["zh-Hans"] == {"rate": 0.5, "hits": 1, "total": 2}
    assert labelled_result["wrongly_declined_by_lang"]["en"] == {"rate": 1.0, "hits": 1, "total": 1}
    assert labelled_result["top1"]["zh-Hans"]["hits"] == 2
    [file] = result["out_of_scope"]
    assert file["given_no_section"] == {"rate": 1.0, "hits": 2, "total": 2}


def test_eval_on_a_malformed_file_names_the_item(cli: InProcessCli, tmp_path: Path) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text("- {q: x, lang: fr, expect: [overview]}\n", encoding="utf-8")
    result = cli("eval", str(labelled))
    assert result.returncode == 2
    assert "set.yaml:1" in result.stderr


def test_chat_holds_a_conversation_with_follow_ups(cli: InProcessCli) -> None:
    result = cli("chat", stdin="第四步\n下一步\n详细点\n上一步\n/quit\n")
    out = result.stdout
    assert result.returncode == 0
    assert out.index("第 4 步") < out.index("第 4.1 步")
    assert "第 4.4 步" not in out.split("第 4.1 步", 1)[0]


@pytest.mark.slow
def test_run_without_a_token_exits_two_with_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("run", env={"HOME": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_run_with_a_malformed_token_never_echoes_it(tmp_path: Path) -> None:
    token = "12345:not-a-real-token"
    result = run_cli("run", env={"HOME": str(tmp_path), "TELEGRAM_BOT_TOKEN": token}, cwd=tmp_path)
    assert result.returncode == 2
    assert "malformed" in result.stderr
    assert token not in result.stderr + result.stdout
    assert "not-a-real" not in result.stderr


def test_version_prints_the_installed_version_and_exits_zero(cli: InProcessCli) -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"albania-sim-bot {version}\n"


@pytest.mark.slow
def test_commands_work_from_any_directory(tmp_path: Path) -> None:
    result = run_cli("ask", "第四步", env={"HOME": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "去营业厅办理" in result.stdout.splitlines()[0]


def test_bot_kb_dir_from_the_environment_is_the_knowledge_base_ask_uses(
    cli: InProcessCli, tmp_path: Path, retitled_kb: Path
) -> None:
    result = cli("ask", "第四步", env={"HOME": str(tmp_path), "BOT_KB_DIR": str(retitled_kb)})
    assert result.returncode == 0, result.stderr
    assert "复制品里的第四步" in result.stdout.splitlines()[0]


def test_bot_kb_dir_from_dot_env_in_the_working_directory_is_honoured(
    cli: InProcessCli, tmp_path: Path, retitled_kb: Path
) -> None:
    (tmp_path / ".env").write_text(f"BOT_KB_DIR={retitled_kb}\n", encoding="utf-8")
    result = cli("chat", stdin="第四步\n/quit\n", env={"HOME": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "复制品里的第四步" in result.stdout


def test_kb_on_the_command_line_wins_over_bot_kb_dir(
    cli: InProcessCli, tmp_path: Path, retitled_kb: Path
) -> None:
    env = {"HOME": str(tmp_path), "BOT_KB_DIR": str(tmp_path / "missing")}
    result = cli("ask", "第四步", "--kb", str(retitled_kb), env=env)
    assert result.returncode == 0, result.stderr
    assert "复制品里的第四步" in result.stdout.splitlines()[0]
    assert cli("check", str(retitled_kb), env=env).returncode == 0


@pytest.mark.parametrize(
    ("args", "env", "origin"),
    [
        (["check", "{missing}"], {}, "given on the command line"),
        (["ask", "第四步", "--kb", "{missing}"], {}, "given on the command line"),
        (["chat"], {"BOT_KB_DIR": "{missing}"}, "set by BOT_KB_DIR"),
        (["eval", "set.yaml"], {"BOT_KB_DIR": "{missing}"}, "set by BOT_KB_DIR"),
    ],
)
def test_a_missing_knowledge_base_directory_is_one_line_naming_it_and_where_it_came_from(
    cli: InProcessCli, tmp_path: Path, args: list[str], env: dict[str, str], origin: str
) -> None:
    missing = str(tmp_path / "no-such-kb")
    filled = {key: value.format(missing=missing) for key, value in env.items()}
    result = cli(
        *(arg.format(missing=missing) for arg in args), env={"HOME": str(tmp_path), **filled}, cwd=tmp_path
    )
    assert result.returncode == 2
    assert result.stderr == f"error: knowledge-base directory {missing} does not exist ({origin})\n"


@pytest.mark.slow
def test_run_with_a_missing_knowledge_base_directory_is_one_line_naming_it(tmp_path: Path) -> None:
    # A regression here would start polling: the unreachable API makes it fail fast instead.
    missing = str(tmp_path / "no-such-kb")
    env = {
        "HOME": str(tmp_path),
        "BOT_KB_DIR": missing,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
        "BOT_HTTP_TIMEOUT": "1",
    }
    result = run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"error: knowledge-base directory {missing} does not exist (set by BOT_KB_DIR)\n"
    assert TOKEN not in result.stderr
