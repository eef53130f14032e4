"""Examples written exactly alike, kept as digests (bot/understanding/exact.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.understanding.exact import ExactExamples, key_digest

KEYS = st.dictionaries(st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=30), max_size=60)


@given(KEYS)
def test_every_key_is_found_with_its_label(label_of_key: dict[str, int]) -> None:
    exact = ExactExamples.of(label_of_key)
    assert all(exact.label_of(key) == label for key, label in label_of_key.items())
    assert list(exact.digests) == sorted(set(exact.digests))


@given(KEYS, st.text(max_size=40))
def test_a_key_that_is_no_example_is_not_found(label_of_key: dict[str, int], other: str) -> None:
    if other not in label_of_key:
        assert ExactExamples.of(label_of_key).label_of(other) is None


@given(KEYS)
def test_what_is_saved_reads_back_the_same(label_of_key: dict[str, int]) -> None:
    exact = ExactExamples.of(label_of_key)
    loaded = ExactExamples.from_state(exact.to_state(), label_count=31)
    assert loaded == exact
    assert all(loaded.label_of(key) == label for key, label in label_of_key.items())


def test_a_digest_is_the_same_in_another_process() -> None:
    """Saved digests are looked up by later processes: hash() would differ per run (PYTHONHASHSEED)."""
    code = "from bot.understanding.exact import key_digest; print(key_digest('保号卡 怎么 注销'))"
    other = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(other.stdout) == key_digest("保号卡 怎么 注销")


def test_a_saved_label_beyond_the_index_is_refused() -> None:
    state = ExactExamples.of({"a question": 5}).to_state()
    with pytest.raises(ValueError, match="not one of the index's"):
        ExactExamples.from_state(state, label_count=5)
