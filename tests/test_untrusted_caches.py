"""Derived files are never trusted: a start-up cache that was crafted or damaged — nested too
deep for the parser, holding NaN, conversions altered — is ignored and made afresh, in a real
`python -m bot` process, and never reported as a problem of the YAML."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.kb.base import KnowledgeBase, load_knowledge_base
from bot.kb.conversions import CACHE_FILE as CONVERSIONS_FILE
from bot.kb.saved import CACHE_FILE as KNOWLEDGE_FILE
from bot.storage.cache_files import packed, unpacked_doubles
from bot.understanding.index_cache import CACHE_FILE as INDEX_FILE
from tests.kb_copies import small_knowledge_copy

REPO = Path(__file__).resolve().parent.parent
NESTED = 200_000


def run_bot(kb_dir: Path, cache_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cache_dir),
        "BOT_CACHE_DIR": str(cache_dir),
        "BOT_KB_DIR": str(kb_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The knowledge base with few examples: every start here builds its index afresh."""
    return small_knowledge_copy(tmp_path_factory.mktemp("kb") / "knowledge")


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory, small_kb: Path) -> Path:
    """A cache directory as a first start leaves it (both files written)."""
    cache_dir = tmp_path_factory.mktemp("cache")
    assert run_bot(small_kb, cache_dir, "ask", "第四步").returncode == 0
    assert (cache_dir / INDEX_FILE).is_file()
    assert (cache_dir / CONVERSIONS_FILE).is_file()
    assert (cache_dir / KNOWLEDGE_FILE).is_file()
    return cache_dir


def copy_of(warm_cache: Path, tmp_path: Path) -> Path:
    for name in (INDEX_FILE, CONVERSIONS_FILE, KNOWLEDGE_FILE):
        (tmp_path / name).write_bytes((warm_cache / name).read_bytes())
    return tmp_path


@pytest.mark.slow  # `python -m bot` in fresh processes
@pytest.mark.parametrize("name", [INDEX_FILE, CONVERSIONS_FILE, KNOWLEDGE_FILE])
def test_a_cache_nested_too_deep_for_the_parser_is_made_afresh(
    warm_cache: Path, small_kb: Path, tmp_path: Path, name: str
) -> None:
    cache_dir = copy_of(warm_cache, tmp_path)
    (cache_dir / name).write_text("[" * NESTED + "]" * NESTED)
    asked = run_bot(small_kb, cache_dir, "ask", "第四步")  # before: RecursionError, on every start
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.startswith("第 4 步")
    assert "Traceback" not in asked.stderr
    assert json.loads((cache_dir / name).read_text(encoding="utf-8"))["format"]  # rewritten whole


@pytest.mark.slow  # `python -m bot` in fresh processes
@pytest.mark.parametrize("written", ["as JSON", "packed"])
def test_nan_in_a_saved_index_is_not_a_number_the_bot_uses(
    warm_cache: Path, small_kb: Path, tmp_path: Path, written: str
) -> None:
    cache_dir = copy_of(warm_cache, tmp_path)
    text = (cache_dir / INDEX_FILE).read_text(encoding="utf-8")
    saved = json.loads(text)
    if written == "as JSON":
        saved["state"]["unknown_weight"] = float("nan")  # json writes NaN
    else:
        lifts = unpacked_doubles(saved["state"]["lift_values"])
        saved["state"]["lift_values"] = packed([float("nan")] * len(lifts), "d")
    (cache_dir / INDEX_FILE).write_text(json.dumps(saved), encoding="utf-8")
    asked = run_bot(small_kb, cache_dir, "ask", "保号卡怎么注销", "--json")
    assert asked.returncode == 0, asked.stderr
    rewritten = json.loads((cache_dir / INDEX_FILE).read_text(encoding="utf-8"))["state"]
    assert math.isfinite(rewritten["unknown_weight"])  # before: accepted
    assert all(map(math.isfinite, unpacked_doubles(rewritten["lift_values"])))
    assert "NaN" not in asked.stdout


@pytest.mark.slow  # `python -m bot` in fresh processes
def test_altered_conversions_are_discarded_not_blamed_on_the_yaml(
    warm_cache: Path, small_kb: Path, tmp_path: Path, kb: KnowledgeBase
) -> None:
    cache_dir = copy_of(warm_cache, tmp_path)
    (cache_dir / KNOWLEDGE_FILE).unlink()  # else the knowledge base saved whole is used, as it should
    saved = json.loads((cache_dir / CONVERSIONS_FILE).read_text(encoding="utf-8"))
    for source in saved["traditional"]:
        saved["traditional"][source] = "<b>"  # fails every check of shown text
    (cache_dir / CONVERSIONS_FILE).write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    checked = run_bot(small_kb, cache_dir, "check")  # before: problems at guide.yaml lines that are fine
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "guide.yaml" not in checked.stdout + checked.stderr
    reloaded = load_knowledge_base(small_kb, cache_dir=cache_dir)
    assert reloaded.section("overview").title["zh-Hant"] == kb.section("overview").title["zh-Hant"]
