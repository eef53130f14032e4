"""How the bot's own index build grows with the knowledge base (1×, 2×, 4× … under a time limit).

Each size is built in a fresh process (`python -m bench.growth 4`) by bot.understanding.match.SectionIndex
exactly as the bot builds it; the sizes double until one does not finish within the limit.
How the build grows with the size of the knowledge base, measured rather than assumed.
"""

from __future__ import annotations

import subprocess
import sys
import time

from bench.common import emit, progress, run_worker
from bench.results import BuildGrowth
from bench.speed import index_input
from bot.kb.base import load_knowledge_base
from bot.understanding.match import SectionIndex

SCALES = (1, 2, 4, 8, 16)
LIMIT_S = 90.0


def build_seconds(scale: int) -> float:
    """Build the bot's index at `scale` once (inside the worker process)."""
    kb = load_knowledge_base()
    source = index_input(kb, scale)
    started = time.perf_counter()
    SectionIndex.learn(source.documents, source.topic_texts, kb.synonyms)
    return time.perf_counter() - started


def measure_size(scale: int, limit_s: float) -> BuildGrowth:
    """One size: its label and text counts, and the build time if it finished within `limit_s`."""
    source = index_input(load_knowledge_base(), scale)
    progress(f"growth: the bot's own index build at {scale}× ({len(source.documents):,} labels)")
    try:
        seconds: float | None = float(run_worker("growth", str(scale), timeout=limit_s)["seconds"])
    except subprocess.TimeoutExpired:
        seconds = None
    return BuildGrowth(
        scale=scale, labels=len(source.documents), texts=source.text_count, seconds=seconds, limit_s=limit_s
    )


def run_growth(scales: tuple[int, ...] = SCALES, limit_s: float = LIMIT_S) -> list[BuildGrowth]:
    """Build at each size until one does not finish within `limit_s` (start-up included)."""
    rows: list[BuildGrowth] = []
    for scale in scales:
        rows.append(measure_size(scale, limit_s))
        if rows[-1].seconds is None:
            break
    return rows


if __name__ == "__main__":
    emit({"seconds": build_seconds(int(sys.argv[1]))})
