"""The zh-Hant conversions kept between starts: a start with nothing new to convert loads no converter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.kb.base import KnowledgeBase, load_knowledge_base
from bot.kb.conversions import CACHE_FILE
from bot.kb.saved import CACHE_FILE as KNOWLEDGE_FILE
from bot.text.chinese import opencc_version

REPO = Path(__file__).resolve().parent.parent

# A fresh process loads the knowledge base with the cache and reports what it saw.
LOAD = """
import json, sys
from pathlib import Path
from bot.text.chinese import converters_ever_loaded
from bot.kb.base import load_knowledge_base
kb = load_knowledge_base(cache_dir=Path(sys.argv[1]))
found = {"title": kb.section("overview").title["zh-Hant"], "converters": sorted(converters_ever_loaded())}
print(json.dumps(found))
"""


def load_in_fresh_process(cache_dir: Path) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-c", LOAD, str(cache_dir)], cwd=REPO, capture_output=True, text=True, check=True
    )
    found: dict[str, object] = json.loads(completed.stdout)
    return found


def plant(cache_dir: Path, kb: KnowledgeBase, **changes: object) -> None:
    """Edit the saved file: the overview title's conversion becomes "PLANTED", and `changes`."""
    path = cache_dir / CACHE_FILE
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["traditional"][kb.section("overview").title["zh-Hans"]] = "PLANTED"
    saved.update(changes)
    path.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")


@pytest.mark.slow  # fresh Python processes: what a start loads
def test_the_second_start_loads_no_traditional_converter(kb: KnowledgeBase, tmp_path: Path) -> None:
    first = load_in_fresh_process(tmp_path)
    assert "s2twp" in first["converters"]
    assert first["title"] == kb.section("overview").title["zh-Hant"]
    second = load_in_fresh_process(tmp_path)
    assert "s2twp" not in second["converters"]
    assert second["title"] == kb.section("overview").title["zh-Hant"]
    plant(tmp_path, kb)
    # The whole knowledge base was saved too (bot/kb/saved.py): without it, the YAML is read again.
    (tmp_path / KNOWLEDGE_FILE).unlink()
    assert load_in_fresh_process(tmp_path)["title"] == "PLANTED"  # the saved conversions are what is used


@pytest.mark.slow  # fresh Python processes: what a start loads
def test_conversions_saved_by_another_opencc_are_not_used(kb: KnowledgeBase, tmp_path: Path) -> None:
    load_in_fresh_process(tmp_path)
    plant(tmp_path, kb, opencc="0.0.1")
    found = load_in_fresh_process(tmp_path)
    assert found["title"] == kb.section("overview").title["zh-Hant"]
    assert "s2twp" in found["converters"]
    assert json.loads((tmp_path / CACHE_FILE).read_text(encoding="utf-8"))["opencc"] == opencc_version()


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe", b"{", b"[]", b'{"format": 1, "opencc": "x"}', b'{"format": 1, "traditional": 5}'],
)
def test_an_unusable_file_changes_nothing_and_is_replaced(
    kb: KnowledgeBase, tmp_path: Path, content: bytes
) -> None:
    (tmp_path / CACHE_FILE).write_bytes(content)
    loaded = load_knowledge_base(cache_dir=tmp_path)
    assert [section.title for section in loaded.sections] == [section.title for section in kb.sections]
    assert loaded.messages.texts == kb.messages.texts
    saved = json.loads((tmp_path / CACHE_FILE).read_text(encoding="utf-8"))
    assert saved["opencc"] == opencc_version()
    # Every text this knowledge base converts is saved for the next start.
    sources = {section.title["zh-Hans"] for section in kb.sections}
    assert sources <= set(saved["traditional"])
