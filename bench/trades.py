"""What each change suggested for a missed budget would give, measured here — bot/ is not changed.

The owner of bot/ decides; these figures say what each option buys and costs on this machine:

- the responder's index loaded from a pickle instead of built at every start (cold start, memory);
- the synonyms regex with a first-character look-ahead (cold start, every turn): same output;
- bot.chinese.simplified_only_characters() computed while the knowledge base loads, before the
  traditional converter is released, instead of on the first Chinese message (memory);
- numpy for the naive Bayes posting sums (the 100× rank budget; its speed-up is measured by
  bench/speed.py on the 100× index) — what importing it costs at every start.

Each measurement runs in a fresh process (`python -m bench.trades NAME`); times are CPU seconds
(process_time, the best of three) so that other work on the machine does not blur the comparison.
"""

from __future__ import annotations

import gc
import pickle
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
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


def _rss_growth(call: T) -> float:
    gc.collect()
    before = _rss_mb()
    kept = call()
    gc.collect()
    growth = _rss_mb() - before
    del kept
    return growth


def _loaded_kb() -> Any:
    """The knowledge base, with the OpenCC converters an index uses already loaded."""
    from bot.kb import load_knowledge_base
    from bot.normalize import normalize_text

    kb = load_knowledge_base()
    normalize_text("預熱 预热")
    return kb


def index_build(path: str) -> dict[str, float]:
    """Build the index (CPU seconds, RSS growth) and pickle it to `path` for index_load()."""
    from bot.match import build_index

    kb = _loaded_kb()
    built_mb = _rss_growth(lambda: build_index(kb))
    blob = pickle.dumps(build_index(kb), protocol=pickle.HIGHEST_PROTOCOL)
    Path(path).write_bytes(blob)
    return {"build_s": _cpu_best(lambda: build_index(kb)), "built_mb": built_mb, "pickle_mb": len(blob) / 1e6}


def index_load(path: str) -> dict[str, float]:
    """Load the pickled index in a process that never built one: CPU seconds, RSS growth."""
    kb = _loaded_kb()
    blob = Path(path).read_bytes()
    loaded_mb = _rss_growth(lambda: pickle.loads(blob))
    del kb
    return {"load_s": _cpu_best(lambda: pickle.loads(blob)), "loaded_mb": loaded_mb}


def synonyms_lookahead() -> dict[str, float]:
    """Synonyms.canonicalize over every indexed text, as written vs with a first-character look-ahead."""
    from bot.kb import load_knowledge_base
    from bot.match import section_documents
    from bot.normalize import normalize_text

    kb = load_knowledge_base()
    synonyms = kb.synonyms
    texts = [normalize_text(text) for texts in section_documents(kb).values() for text in texts]
    pattern = synonyms._pattern
    assert pattern is not None
    first = "".join(sorted({variant[0] for variant in synonyms._canonical}))
    faster = re.compile(f"(?=[{re.escape(first)}])(?:{pattern.pattern})")

    def replace(found: re.Match[str]) -> str:
        return synonyms._canonical[found.group(0)]

    if [faster.sub(replace, text) for text in texts] != [synonyms.canonicalize(text) for text in texts]:
        raise RuntimeError("bench.trades: the look-ahead regex changes the output")
    return {
        "own_s": _cpu_best(lambda: [synonyms.canonicalize(text) for text in texts]),
        "lookahead_s": _cpu_best(lambda: [faster.sub(replace, text) for text in texts]),
        "texts": len(texts),
    }


def script_set_early(early: bool) -> float:
    """RSS (MB) after start-up and one Chinese turn; `early`: the script set computed before loading."""
    import bot.chinese as chinese
    from bot.answer import build_responder
    from bot.conversation import Conversation, PersonState, Speaker, Text
    from bot.kb import load_knowledge_base

    if early:
        chinese.simplified_only_characters()
    conversation = Conversation(build_responder(load_knowledge_base()))
    conversation.handle(Text("卡丢了还能注销吗"), PersonState(), Speaker(), time.time())
    gc.collect()
    return _rss_mb()


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

    from bot.match import is_negative
    from bot.normalize import normalize_text

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
    "index-build": index_build,
    "index-load": index_load,
    "lookahead": synonyms_lookahead,
    "script-now": lambda: {"mb": script_set_early(False)},
    "script-early": lambda: {"mb": script_set_early(True)},
    "numpy": numpy_import,
}


def measure_all() -> dict[str, dict[str, Any]]:
    """Every worker's figures, each from a fresh process (the index workers share a pickle)."""
    found = {}
    with tempfile.TemporaryDirectory(prefix="bench-trades-") as scratch:
        pickled = str(Path(scratch) / "index.pickle")
        for name in WORKERS:
            progress(f"trades: {name}")
            found[name] = run_worker("trades", name, *([pickled] if name.startswith("index") else []))
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
    cache = found["index-build"] | found["index-load"]
    lookahead, numpy = found["lookahead"], found["numpy"]
    return [
        WhatIf(
            budget="cold-start",
            change="load the built index from a pickle (cached per knowledge-base version) instead of"
            " building it at every start (`bot.answer.build_responder` → `bot.match.build_index`)",
            now=f"build {cache['build_s']:.2f} s CPU",
            then=f"load {cache['load_s'] * 1000:.0f} ms ({cache['pickle_mb']:.1f} MB file)",
            cost="a cache file and its invalidation (hash of knowledge/ and the bot's version); unpickling"
            " only files the bot wrote itself",
        ),
        WhatIf(
            budget="memory",
            change="the same cache: no build peak left in the heap",
            now=f"index RSS +{cache['built_mb']:.0f} MB when built",
            then=f"+{cache['loaded_mb']:.0f} MB when loaded",
            cost="as above",
        ),
        WhatIf(
            budget="cold-start",
            change="`bot.synonyms.Synonyms`: a first-character look-ahead before the alternation"
            " (the same output, checked); used at every start and every turn",
            now=f"canonicalize {lookahead['texts']:,} texts {lookahead['own_s']:.2f} s CPU",
            then=f"{lookahead['lookahead_s']:.2f} s",
            cost="none found",
        ),
        WhatIf(
            budget="memory",
            change="call `bot.chinese.simplified_only_characters()` in `bot.kb.load_knowledge_base` before"
            " `release_traditional()`; today the first Chinese message loads the s2twp converter again",
            now=f"an `ask`-like process: RSS {found['script-now']['mb']:.0f} MB after one Chinese turn",
            then=f"{found['script-early']['mb']:.0f} MB",
            cost="the ~0.1 s the set takes moves from the first Chinese message to start-up; shipping the"
            " set precomputed would save both",
        ),
        WhatIf(
            budget="scaled-rank",
            change="numpy arrays for the naive Bayes postings, softmax and top-k in"
            " `bot.match.SectionIndex.rank`",
            now=numpy_now,
            then=numpy_then,
            cost=f"`import numpy` at every start: +{numpy['seconds']:.2f} s, +{numpy['mb']:.0f} MB RSS"
            " (against the cold-start and memory budgets), a runtime dependency",
        ),
    ]


if __name__ == "__main__":
    emit(WORKERS[sys.argv[1]](*sys.argv[2:]))
