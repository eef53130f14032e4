"""The index kept between starts: used only when it is the very index, never trusted blindly."""

from __future__ import annotations

import dataclasses
import json
import math
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import resolve_cache_dir
from bot.kb.base import KnowledgeBase
from bot.storage.cache_files import packed, unpacked_doubles, unpacked_integers
from bot.text.normalize import normalize_text
from bot.understanding.evaluation import load_labelled_questions
from bot.understanding.exact import ExactExamples, key_digest
from bot.understanding.index_cache import CACHE_FILE, FORMAT, cached_index, index_key, load_saved_index
from bot.understanding.match import MatchSettings, SectionIndex

HELD_OUT = Path(__file__).resolve().parent / "data" / "holdout.yaml"
MARKER_QUESTION = "zzqx marker wqzz"  # no example says this: only a planted exact match answers it


def ranking_signature(index: SectionIndex, questions: list[str]) -> list[object]:
    signature: list[object] = []
    for question in questions:
        ranking = index.rank(normalize_text(question), limit=3)
        signature.append(
            (
                [(label.id, label.score) for label in ranking.labels],
                ranking.coverage,
                ranking.exact,
                ranking.ours,  # the topic model came back too
            )
        )
    return signature


def plant_marker(cache_dir: Path, section_id: str) -> None:
    """Edit the saved index so that MARKER_QUESTION is an exact example of `section_id`."""
    path = cache_dir / CACHE_FILE
    saved = json.loads(path.read_text(encoding="utf-8"))
    state = saved["state"]
    exact = ExactExamples.from_state(state["exact"], len(state["labels"]))
    planted = (key_digest(MARKER_QUESTION), state["labels"].index(section_id))
    pairs = sorted([*zip(exact.digests, exact.labels, strict=True), planted])
    state["exact"] = ExactExamples(
        array("Q", (digest for digest, _ in pairs)), array("I", (label for _, label in pairs))
    ).to_state()
    path.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def kb(kb: KnowledgeBase) -> KnowledgeBase:
    """The real knowledge base with a few texts per label. The cache's mechanics are the same for
    any index, and this one builds in a tenth of the real one's time (1.7 s once round 5 of
    issue 16 doubled the examples), which every test here pays once or twice."""
    return dataclasses.replace(
        kb,
        examples={
            section: {lang: texts[:8] for lang, texts in by_lang.items()}
            for section, by_lang in kb.examples.items()
        },
        out_of_scope={lang: texts[:20] for lang, texts in kb.out_of_scope.items()},
        negatives={source: lines[:50] for source, lines in kb.negatives.items()},
    )


@pytest.fixture(scope="module")
def saved_index(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The index file a start saves for this module's knowledge base (the small one above), built once."""
    cache_dir = tmp_path_factory.mktemp("built")
    cached_index(kb, MatchSettings(), cache_dir)
    return (cache_dir / CACHE_FILE).read_bytes()


def saved_in(cache_dir: Path, saved_index: bytes) -> Path:
    """`cache_dir` as a start leaves it: the index saved there (a copy of the module's one)."""
    path = cache_dir / CACHE_FILE
    path.write_bytes(saved_index)
    return path


@pytest.fixture(scope="module")
def questions() -> list[str]:
    return [question.q for question in load_labelled_questions(HELD_OUT)]


def test_a_loaded_index_ranks_exactly_like_a_built_one(
    kb: KnowledgeBase, tmp_path: Path, questions: list[str]
) -> None:
    built = cached_index(kb, MatchSettings(), tmp_path)
    assert (tmp_path / CACHE_FILE).is_file()
    plant_marker(tmp_path, "visit-store")
    loaded = cached_index(kb, MatchSettings(), tmp_path)
    assert loaded.rank(normalize_text(MARKER_QUESTION)).exact == "visit-store"  # it was loaded
    assert built.rank(normalize_text(MARKER_QUESTION)).exact is None
    assert ranking_signature(loaded, questions) == ranking_signature(built, questions)
    for question in questions[:60]:  # the nearest examples' vote came back too
        normalized = normalize_text(question)
        among = [label.id for label in built.rank(normalized).labels[:3]]
        assert loaded.neighbour_votes(normalized, among) == built.neighbour_votes(normalized, among)
    # The typo corrector came back too.
    assert loaded.rank(normalize_text("how to cancle my sim")).labels[0].id == (
        built.rank(normalize_text("how to cancle my sim")).labels[0].id
    )


def test_a_different_knowledge_base_or_setting_builds_afresh(kb: KnowledgeBase, tmp_path: Path) -> None:
    cached_index(kb, MatchSettings(), tmp_path)
    plant_marker(tmp_path, "visit-store")
    edited = dataclasses.replace(
        kb, out_of_scope={**kb.out_of_scope, "en": (*kb.out_of_scope["en"], "what time is the match")}
    )
    assert index_key(edited, MatchSettings()) != index_key(kb, MatchSettings())
    assert cached_index(edited, MatchSettings(), tmp_path).rank(MARKER_QUESTION).exact is None

    cached_index(kb, MatchSettings(), tmp_path)
    plant_marker(tmp_path, "visit-store")
    other = MatchSettings(smoothing=0.06)
    assert cached_index(kb, other, tmp_path).rank(MARKER_QUESTION).exact is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\xff\xfe binary",
        b'{"format": 1, "key": "',
        b"[]",
        b'{"format": 999, "key": "x", "state": {}}',
    ],
    ids=["empty", "binary", "truncated", "not an object", "other format"],
)
def test_an_unusable_file_is_replaced_by_a_fresh_index(
    kb: KnowledgeBase, tmp_path: Path, questions: list[str], content: bytes
) -> None:
    (tmp_path / CACHE_FILE).write_bytes(content)
    index = cached_index(kb, MatchSettings(), tmp_path)
    assert ranking_signature(index, questions[:10]) == ranking_signature(
        cached_index(kb, MatchSettings(), None), questions[:10]
    )
    assert json.loads((tmp_path / CACHE_FILE).read_text(encoding="utf-8"))["key"] == index_key(
        kb, MatchSettings()
    )


def with_packed(state: dict[str, Any], part: str, change: Callable[[list[Any]], object]) -> dict[str, Any]:
    """The saved state with one packed column of numbers changed (as a list) and packed again."""
    typecode = "d" if part in ("lift_values", "informativeness", "topic_weights") else "I"
    numbers = list(unpacked_doubles(state[part]) if typecode == "d" else unpacked_integers(state[part]))
    change(numbers)
    return {**state, part: packed(numbers, typecode)}


def set_first(value: object) -> Callable[[list[Any]], object]:
    return lambda numbers: numbers.__setitem__(0, value)


@pytest.mark.parametrize(
    ("part", "change"),
    [
        ("lift_labels", set_first(10_000)),  # a label that does not exist
        ("lift_terms", set_first(10**6)),  # a term that does not exist
        ("known", set_first(10**6)),
        ("lift_values", set_first(math.nan)),
        ("lift_values", set_first(math.inf)),
        ("informativeness", set_first(-math.inf)),
        ("lift_sizes", set_first(10**6)),  # postings that do not add up
        ("lift_values", list.pop),  # one value short
        ("topic_weights", set_first(math.nan)),  # the topic model's weights are numbers too
        ("topic_terms", set_first(10**6)),
        ("topic_weights", list.pop),
    ],
    ids=[
        "label",
        "term",
        "known",
        "nan",
        "inf",
        "-inf",
        "sizes",
        "short",
        "topic nan",
        "topic term",
        "topic short",
    ],
)
def test_a_right_key_with_broken_contents_is_not_trusted(
    kb: KnowledgeBase, tmp_path: Path, saved_index: bytes, part: str, change: Callable[[list[Any]], object]
) -> None:
    path = saved_in(tmp_path, saved_index)
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["state"] = with_packed(saved["state"], part, change)
    path.write_text(json.dumps(saved), encoding="utf-8")
    key = index_key(kb, MatchSettings())
    assert load_saved_index(path, key, kb, MatchSettings()) is None
    index = cached_index(kb, MatchSettings(), tmp_path)
    assert index.rank(normalize_text("保号卡怎么注销")).labels[0].id == "overview"
    assert load_saved_index(path, key, kb, MatchSettings()) is not None  # saved afresh


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("unknown_weight", "nan"),  # float("nan") would have taken it
        ("unknown_weight", True),
        ("unknown_weight", 10**400),  # too large for a float
        ("lift_values", "not base64!"),
        ("lift_values", "AAAA"),  # three bytes: not a whole double
        ("known", [1, 2, 3]),  # a list where packed numbers belong
        ("typo_deletions", {"cancl": ["cancel"]}),  # a list where the words are one string
        ("exact", {"some question": "no-such-label"}),  # the shape before digests
        ("exact", {"digests": packed([2, 1], "Q"), "labels": packed([0, 0], "I")}),  # not ascending
        ("exact", {"digests": packed([1, 2], "Q"), "labels": packed([0], "I")}),  # a label missing
        ("exact", {"digests": packed([1], "Q"), "labels": packed([999], "I")}),  # no such label
        ("topic_bias", "nan"),
        ("topic_bias", None),
    ],
)
def test_values_of_the_wrong_kind_are_refused(
    kb: KnowledgeBase, tmp_path: Path, saved_index: bytes, part: str, value: object
) -> None:
    path = saved_in(tmp_path, saved_index)
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["state"][part] = value
    path.write_text(json.dumps(saved), encoding="utf-8")
    assert load_saved_index(path, index_key(kb, MatchSettings()), kb, MatchSettings()) is None


def test_equal_postings_and_words_are_loaded_as_one_object(
    kb: KnowledgeBase, tmp_path: Path, saved_index: bytes
) -> None:
    loaded = load_saved_index(
        saved_in(tmp_path, saved_index), index_key(kb, MatchSettings()), kb, MatchSettings()
    )
    assert loaded is not None
    # The index's own tables (private: what is shared is a matter of memory, not of behaviour).
    postings = [posting for found in loaded._lift.values() for posting in found]
    assert len({id(posting) for posting in postings}) == len(set(postings)) < len(postings)
    known = {word: word for word in loaded._typos.known}
    words = [word for found in loaded._typos.by_deletion.values() for word in found]
    assert all(known[word] is word for word in words)


def test_a_cache_directory_that_cannot_be_written_only_costs_the_speed(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory", encoding="utf-8")
    index = cached_index(kb, MatchSettings(), blocked / "cache")
    assert index.rank(normalize_text("保号卡怎么注销")).labels[0].id == "overview"
    assert list(tmp_path.iterdir()) == [blocked]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    state=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=12,
    )
)
def test_any_json_saved_under_the_right_key_loads_or_is_refused_never_raises(
    kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory, state: object
) -> None:
    path = tmp_path_factory.mktemp("cache") / CACHE_FILE
    key = index_key(kb, MatchSettings())
    path.write_text(json.dumps({"format": FORMAT, "key": key, "state": state}), encoding="utf-8")
    loaded = load_saved_index(path, key, kb, MatchSettings())
    assert loaded is None or isinstance(loaded, SectionIndex)


def test_where_the_cache_lives(tmp_path: Path) -> None:
    assert resolve_cache_dir({"BOT_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert resolve_cache_dir({"BOT_CACHE_DIR": "off"}) is None
    assert resolve_cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "albania-sim-bot"
    assert resolve_cache_dir({}) == Path.home() / ".cache" / "albania-sim-bot"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3000) | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def saved_state(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    cache_dir = tmp_path_factory.mktemp("state")
    cached_index(kb, MatchSettings(), cache_dir)
    state: dict[str, object] = json.loads((cache_dir / CACHE_FILE).read_text(encoding="utf-8"))["state"]
    return state


@pytest.mark.slow  # 150 loads of the whole saved index: 18 s
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_saved_index_with_one_part_replaced_loads_and_answers_or_is_refused(
    kb: KnowledgeBase,
    tmp_path_factory: pytest.TempPathFactory,
    saved_state: dict[str, object],
    data: st.DataObject,
) -> None:
    part = data.draw(st.sampled_from(sorted(saved_state)))
    state = {**saved_state, part: data.draw(JSON_VALUES)}
    path = tmp_path_factory.mktemp("cache") / CACHE_FILE
    key = index_key(kb, MatchSettings())
    path.write_text(json.dumps({"format": FORMAT, "key": key, "state": state}), encoding="utf-8")
    loaded = load_saved_index(path, key, kb, MatchSettings())
    if loaded is not None:  # whatever it says, asking it must not fail
        loaded.rank(normalize_text("保号卡怎么注销 how to cancle my sim"))
