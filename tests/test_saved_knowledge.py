"""The validated knowledge base kept between starts: the very one the YAML gives, taken only for the
very same files and code, never trusted blindly, and a warm start imports neither pydantic nor YAML."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.kb.base import DEFAULT_KB_DIR, KnowledgeBase, load_knowledge_base
from bot.kb.problems import KnowledgeBaseError
from bot.kb.saved import CACHE_FILE, FORMAT, knowledge_key, load_saved_knowledge_base
from tests.kb_copies import small_knowledge_copy

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A private copy of the real knowledge base that a test may edit."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KB_DIR, target)
    return target


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory as a first start leaves it."""
    cache_dir = tmp_path_factory.mktemp("cache")
    load_knowledge_base(cache_dir=cache_dir)
    assert (cache_dir / CACHE_FILE).is_file()
    return cache_dir


def copy_of(warm_cache: Path, tmp_path: Path) -> Path:
    cache_dir = tmp_path / "cache"
    shutil.copytree(warm_cache, cache_dir)
    return cache_dir


def rewrite(cache_dir: Path, change: Any) -> None:
    """Edit the saved knowledge base's state in place."""
    path = cache_dir / CACHE_FILE
    saved = json.loads(path.read_text(encoding="utf-8"))
    change(saved["state"])
    path.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")


def test_the_saved_knowledge_base_is_the_one_the_yaml_gives(
    kb: KnowledgeBase, warm_cache: Path, tmp_path: Path
) -> None:
    loaded = load_saved_knowledge_base(DEFAULT_KB_DIR, warm_cache)
    assert loaded == kb  # every field: sections, catalogue, examples, negatives, synonyms, cues
    assert [section.id for section in loaded.sections] == [section.id for section in kb.sections]
    cache_dir = copy_of(warm_cache, tmp_path)
    rewrite(cache_dir, lambda state: state["sections"][0]["title"].update({"en": "Planted"}))
    assert load_knowledge_base(cache_dir=cache_dir).sections[0].title["en"] == "Planted"  # it was used


@pytest.mark.slow  # a fresh Python process: what a warm start imports
def test_a_warm_start_imports_neither_pydantic_nor_yaml(warm_cache: Path) -> None:
    code = (
        "import sys\nfrom bot.cli import main\n"
        "assert main(['ask', '第四步']) == 0\n"
        "print(sorted(name for name in ('pydantic', 'yaml', 'bot.kb.reading') if name in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "BOT_CACHE_DIR": str(warm_cache), "HOME": str(warm_cache)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert completed.stdout.startswith("第 4 步")
    assert completed.stdout.strip().endswith("[]")


def test_an_edited_file_is_read_afresh_and_a_broken_one_reported(kb_copy: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    first = load_knowledge_base(kb_copy, cache_dir)
    key = knowledge_key(kb_copy)
    guide = kb_copy / "guide.yaml"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace(first.sections[0].title["en"], "Edited"), encoding="utf-8"
    )
    assert knowledge_key(kb_copy) != key
    assert load_knowledge_base(kb_copy, cache_dir).sections[0].title["en"] == "Edited"
    negatives = next((kb_copy / "negatives").glob("*.txt"))
    negatives.write_text(negatives.read_text(encoding="utf-8") + "\nhow do I bake bread\n", encoding="utf-8")
    assert "how do I bake bread" in load_knowledge_base(kb_copy, cache_dir).negatives[negatives.stem]
    guide.write_text("sections: 5\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError):  # never the knowledge base saved before the edit
        load_knowledge_base(kb_copy, cache_dir)


def clear_first_title(state: dict[str, Any]) -> None:
    state["sections"][0]["title"] = 5


@pytest.mark.parametrize(
    "change",
    [
        lambda state: state["sections"][0].update({"next": "no-such-section"}),
        lambda state: state["sections"][0].update({"title": 5}),
        lambda state: state["sections"][0]["title"].pop("en"),
        lambda state: state["sections"][0].update({"extra": "field"}),
        lambda state: state["sections"][0].update({"phrase_card": "yes"}),
        lambda state: state["messages"].pop(next(iter(state["messages"]))),
        lambda state: state["examples"].update({"no-such-section": {"zh-Hans": [], "zh-Hant": [], "en": []}}),
        lambda state: state["small_talk"].update({"no-such-kind": []}),
        lambda state: state["synonyms"].update({"groups": "sim, 卡"}),
        lambda state: state["out_of_scope_cues"].update({"elsewhere": [1, 2]}),
        lambda state: state.update({"sections": []}),
        lambda state: state.update({"sections": state["sections"] + state["sections"][:1]}),
    ],
    ids=[
        "unknown next",
        "title not text",
        "language missing",
        "unknown field",
        "flag not a bool",
        "message missing",
        "examples of no section",
        "unknown small talk",
        "groups not a list",
        "cue not text",
        "no sections",
        "a section twice",
    ],
)
def test_a_saved_knowledge_base_that_is_not_one_is_read_afresh(
    kb: KnowledgeBase, warm_cache: Path, tmp_path: Path, change: Any
) -> None:
    cache_dir = copy_of(warm_cache, tmp_path)
    rewrite(cache_dir, change)
    assert load_saved_knowledge_base(DEFAULT_KB_DIR, cache_dir) is None
    assert load_knowledge_base(cache_dir=cache_dir) == kb
    assert load_saved_knowledge_base(DEFAULT_KB_DIR, cache_dir) == kb  # saved afresh


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe", b"{", b"[]", b'{"format": 1}', ("[" * 100_000 + "]" * 100_000).encode()],
    ids=["empty", "binary", "truncated", "not an object", "no key", "nested too deep"],
)
def test_an_unusable_file_is_replaced(
    kb: KnowledgeBase, warm_cache: Path, tmp_path: Path, content: bytes
) -> None:
    cache_dir = copy_of(warm_cache, tmp_path)
    (cache_dir / CACHE_FILE).write_bytes(content)
    assert load_knowledge_base(cache_dir=cache_dir) == kb
    assert load_saved_knowledge_base(DEFAULT_KB_DIR, cache_dir) == kb


def test_without_its_saved_conversions_the_yaml_is_read(
    kb: KnowledgeBase, warm_cache: Path, tmp_path: Path
) -> None:
    cache_dir = copy_of(warm_cache, tmp_path)
    (cache_dir / "traditional.json").unlink()  # language detection needs what was derived with them
    assert load_saved_knowledge_base(DEFAULT_KB_DIR, cache_dir) is None
    assert load_knowledge_base(cache_dir=cache_dir) == kb


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@pytest.fixture(scope="module")
def small_warm_cache(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small copy of the knowledge base and the cache its first load leaves: the test below
    reads, alters and loads the saved file 150 times, and any knowledge base shows the checks."""
    kb_dir = small_knowledge_copy(tmp_path_factory.mktemp("kb") / "knowledge")
    cache_dir = tmp_path_factory.mktemp("cache")
    load_knowledge_base(kb_dir, cache_dir=cache_dir)
    return kb_dir, cache_dir


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_json_saved_under_the_right_key_loads_or_is_refused_never_raises(
    small_warm_cache: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    kb_dir, warm_cache = small_warm_cache
    saved = json.loads((warm_cache / CACHE_FILE).read_text(encoding="utf-8"))
    part = data.draw(st.sampled_from([None, *sorted(saved["state"])]))
    saved["state"] = (
        data.draw(JSON_VALUES) if part is None else {**saved["state"], part: data.draw(JSON_VALUES)}
    )
    cache_dir = tmp_path_factory.mktemp("cache")
    shutil.copy(warm_cache / "traditional.json", cache_dir)
    (cache_dir / CACHE_FILE).write_text(json.dumps({**saved, "format": FORMAT}), encoding="utf-8")
    loaded = load_saved_knowledge_base(kb_dir, cache_dir)
    assert loaded is None or isinstance(loaded, KnowledgeBase)
