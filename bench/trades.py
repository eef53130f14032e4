"""What each change suggested for a missed budget would give, measured here — bot/ is not changed.

The owner of bot/ decides; these figures say what each option buys and costs on this machine
(two earlier ones were taken: the index is kept between starts, bot/understanding/index_cache.py, and the
simplified-only characters are derived before the traditional converter is released):

- the synonyms regex with a first-character look-ahead (cold start, every turn): same output;
- numpy for the naive Bayes posting sums (the 100× rank budget; its speed-up is measured by
  bench/speed.py on the 100× index) — what importing it costs at every start.

Each measurement runs in a fresh process (`python -m bench.trades NAME`); times are CPU seconds
(process_time, the best of three) so that other work on the machine does not blur the comparison.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.common import emit, proc_status, progress, run_worker
from bench.results import SpeedRun, WhatIf

T = Callable[[], Any]


def _rss_mb() -> float:
    return proc_status().get("VmRSS", 0) / 1024


def _cpu_best(call: T, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        call()
        times.append(time.process_time() - started)
    return min(times)


def synonyms_lookahead() -> dict[str, float]:
    """Synonyms.canonicalize over every indexed text, as written vs with a first-character look-ahead."""
    from bot.kb.base import load_knowledge_base
    from bot.text.normalize import normalize_text
    from bot.understanding.match import section_documents
    from bot.understanding.synonyms import _spaced

    kb = load_knowledge_base()
    synonyms = kb.synonyms
    texts = [normalize_text(text) for texts in section_documents(kb).values() for text in texts]
    pattern = synonyms._pattern
    assert pattern is not None
    first = "".join(sorted({variant[0] for variant in synonyms._canonical}))
    faster = re.compile(f"(?=[{re.escape(first)}])(?:{pattern.pattern})")

    def replace(found: re.Match[str]) -> str:  # as Synonyms.canonicalize replaces (spacing included)
        return _spaced(synonyms._canonical[found.group(0)], found)

    if [faster.sub(replace, text) for text in texts] != [synonyms.canonicalize(text) for text in texts]:
        raise RuntimeError("bench.trades: the look-ahead regex changes the output")
    return {
        "own_s": _cpu_best(lambda: [synonyms.canonicalize(text) for text in texts]),
        "lookahead_s": _cpu_best(lambda: [faster.sub(replace, text) for text in texts]),
        "texts": len(texts),
    }


def numpy_import() -> dict[str, float]:
    """What `import numpy` costs a process: wall seconds and RSS."""
    before, started = _rss_mb(), time.perf_counter()
    import numpy  # noqa: F401  # the import is what is measured

    return {"seconds": time.perf_counter() - started, "mb": _rss_mb() - before}


def numpy_rank(index: Any) -> Callable[[str], object]:
    """What-if: rank's per-label work in numpy (posting sums, softmax, top 3, negative share).

    Built from the index's own postings (SectionIndex._lift); not the bot's code.
    """
    import numpy as np

    from bot.text.normalize import normalize_text
    from bot.understanding.match import is_negative

    arrays = {
        term: (np.array([p for p, _ in postings], dtype=np.int32), np.array([lift for _, lift in postings]))
        for term, postings in index._lift.items()
    }
    negative = np.array([is_negative(label) for label in index.labels])

    def rank(text: str) -> object:
        scores = np.zeros(len(index.labels))
        for term, count in index._terms(normalize_text(text)).items():
            if term in arrays:
                positions, lifts = arrays[term]
                scores[positions] += count * lifts
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        return np.argpartition(-probabilities, 3)[:3], float(probabilities[negative].sum())

    return rank


WORKERS: dict[str, Callable[..., Any]] = {
    "lookahead": synonyms_lookahead,
    "numpy": numpy_import,
}


def measure_all() -> dict[str, dict[str, Any]]:
    """Every worker's figures, each from a fresh process."""
    found = {}
    for name in WORKERS:
        progress(f"trades: {name}")
        found[name] = run_worker("trades", name)
    return found


def _numpy_rank_figures(speed: Sequence[SpeedRun]) -> tuple[str, str]:
    """(now, then) at 100×: Responder.rank vs the numpy what-if, from bench/speed.py's run."""
    run = next((run for run in speed if run.matcher == "ours" and run.scale == 100), None)
    if run is None or "rank" not in run.latency or "numpy-what-if" not in run.latency:
        return "not measured", "not measured"
    now, then = run.latency["rank"], run.latency["numpy-what-if"]
    return (
        f"`Responder.rank` at 100×: p99 {now.p99_us / 1000:.1f} ms (CPU {now.cpu_p99_us / 1000:.1f} ms)",
        f"p99 {then.p99_us / 1000:.2f} ms (CPU {then.cpu_p99_us / 1000:.2f} ms)",
    )


def run_trades(speed: Sequence[SpeedRun]) -> list[WhatIf]:
    """Every what-if (the numpy one reads bench/speed.py's 100× run)."""
    found = measure_all()
    numpy_now, numpy_then = _numpy_rank_figures(speed)
    lookahead, numpy = found["lookahead"], found["numpy"]
    return [
        WhatIf(
            budget="cold-start",
            change="`understanding.synonyms.Synonyms`: a first-character look-ahead before the alternation"
            " (the same output, checked); used at every start and every turn",
            now=f"canonicalize {lookahead['texts']:,} texts {lookahead['own_s']:.2f} s CPU",
            then=f"{lookahead['lookahead_s']:.2f} s",
            cost="none found",
        ),
        WhatIf(
            budget="scaled-rank",
            change="numpy arrays for the naive Bayes postings, softmax and top-k in"
            " `bot.understanding.match.SectionIndex.rank`",
            now=numpy_now,
            then=numpy_then,
            cost=f"`import numpy` at every start: +{numpy['seconds']:.2f} s, +{numpy['mb']:.0f} MB RSS"
            " (against the cold-start and memory budgets), a runtime dependency",
        ),
    ]


if __name__ == "__main__":
    emit(WORKERS[sys.argv[1]](*sys.argv[2:]))
