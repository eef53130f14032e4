"""The figures of one `make bench` run, as typed records: measured first, rendered after.

Every benchmark returns one of these records; bench/run.py writes them all to
bench/results.json and bench/report.py renders RESULTS.md from that file alone. Worker
processes hand their record back as JSON, validated here on the way in, so a field that a
worker forgot or misnamed fails loudly instead of rendering as "0".
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.text.language import Lang

Pair = tuple[int, int]  # hits, total


class Record(BaseModel):
    """A frozen record that refuses unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --- shared pieces -------------------------------------------------------------------------------


class Latency(Record):
    """Per-call latency over `count` calls: wall clock, and the CPU the calling thread used.

    On a shared machine the wall-clock tail includes time the process was not running at all;
    the CPU-time p99 is the same tail without it.
    """

    count: int
    median_us: float
    p99_us: float
    max_us: float
    cpu_p99_us: float


class ProfileLine(Record):
    """One function of a cProfile run: its share of the profiled time."""

    function: str
    calls: int
    own_share: float
    cumulative_share: float


class MemoryLine(Record):
    """One source line holding memory after a build (tracemalloc)."""

    line: str
    mb: float
    share: float


# --- 1. quality ----------------------------------------------------------------------------------

Matcher = Literal["ours", "bm25", "fuzzy"]


class QualityRow(Record):
    """One matcher on one labelled set (bot.understanding.evaluation.EvalReport, as counts)."""

    matcher: Matcher
    threshold: float | None  # the baseline's decline threshold; None for ours (its own decision)
    top1: dict[Lang, Pair]
    top3: Pair
    out_of_scope_declined: Pair
    small_talk: Pair
    wrongly_declined: Pair


class LabelledSet(Record):
    """Every matcher on one labelled set."""

    name: str
    questions: int
    note: str
    rows: list[QualityRow]


OutOfScopeKind = Literal["decline", "small talk", "either"]


class OutOfScopeFile(Record):
    """Every matcher on one file of text the bot must not answer with a section."""

    file: str
    corpus: Literal["shared", "extra"]  # ../shared/eval/out-of-scope or out-of-scope-extra
    kind: OutOfScopeKind  # what the right answer is (out-of-scope-extra/README.md)
    lines: int  # lines scored (the same lines for every matcher)
    skipped_trained: int  # lines left out because our matcher was trained on them
    no_section: dict[str, Pair]  # matcher → lines given no section (declined or small talk)
    ours_small_talk: int  # of ours' lines with no section, those answered as small talk


class QualityResult(Record):
    """Answer quality: labelled sets, then out-of-scope files."""

    thresholds: dict[str, float]  # each baseline's decline threshold, tuned on dev
    labelled: list[LabelledSet]
    out_of_scope: list[OutOfScopeFile]


# --- 2. speed ------------------------------------------------------------------------------------


class SpeedRun(Record):
    """One matcher at one knowledge-base size, measured in a fresh process."""

    matcher: Literal["ours", "bm25"]
    scale: int
    labels: int
    texts: int
    build_s: float
    builds: int
    build_note: str = ""  # how the index was built when not by the bot's own code alone
    rss_retained_mb: float | None = None
    rss_peak_mb: float | None = None
    traced_retained_mb: float | None = None
    traced_peak_mb: float | None = None
    latency: dict[str, Latency]  # operation → latency
    profiled: str = ""  # which operation `profile` is of
    profile: list[ProfileLine] = []
    memory: list[MemoryLine] = []


class BuildGrowth(Record):
    """The bot's own index build at one size, with a time limit (it grows faster than linearly)."""

    scale: int
    labels: int
    texts: int
    seconds: float | None  # None: did not finish within `limit_s`
    limit_s: float


# --- 3. end to end -------------------------------------------------------------------------------


class LoadPhase(Record):
    """One batch of questions against a running bot."""

    questions: int
    window: int
    answered: int
    seconds: float
    per_second: float
    latency_median_ms: float
    latency_p99_ms: float
    latency_max_ms: float
    bot_cpu_s: float
    fake_cpu_s: float
    users: int


class BotRun(Record):
    """One bot process: start-up, load, stop."""

    kind: Literal["ours", "echo", "echo-same-client"]
    ready_s: float = 0.0
    rss_ready_mb: float = 0.0
    rss_after_mb: float = 0.0
    peak_rss_mb: float = 0.0
    phases_rss_mb: dict[str, float] = {}
    loaded: LoadPhase | None = None
    unloaded: LoadPhase | None = None
    extra_replies: int = 0
    failed_calls: int = 0
    stop_s: float = 0.0
    exit_code: int | None = None
    error: str | None = None


class BotProfile(Record):
    """A bot process under cProfile: entry points' cumulative time per message, top own time."""

    messages: int
    busy_per_message_ms: float
    per_message_ms: dict[str, float]
    top_own: list[ProfileLine]


class PersistenceTick(Record):
    """One persistence run after `people` changed."""

    people: int
    seconds: float


class EndToEndResult(Record):
    """This bot and an echo bot against the fake Bot API."""

    questions: int
    window: int
    runs: dict[str, BotRun]  # "echo", "ours", "echo-again", "echo-same-client"
    echo_per_second: float
    throughput_ratio: float | None
    same_client_ratio: float | None = None  # ours / the echo bot on our HTTP client
    cpu_per_message_ms: dict[str, float]
    cpu_ratio: float | None
    profiles: dict[str, BotProfile]
    persistence: list[PersistenceTick]


# --- 4. start-up ---------------------------------------------------------------------------------


class ColdRuns(Record):
    """Wall time and peak RSS of fresh processes."""

    runs: int
    median_s: float
    min_s: float
    max_s: float
    peak_rss_mb: float


class StartupPhase(Record):
    """Time spent in, and RSS after, one phase of a start-up."""

    phase: str
    seconds: float
    rss_mb: float


class PackageTime(Record):
    """Import time of one top-level package."""

    package: str
    ms: float


class StartupResult(Record):
    """`python -m bot ask` from cold, and where its time goes."""

    question: str
    ask: ColdRuns
    interpreter: ColdRuns
    imports: ColdRuns
    phases: list[StartupPhase]
    imports_by_package: list[PackageTime]
    build_profile: list[ProfileLine]  # cProfile of building the responder (index and small talk)
    converters_mb: dict[str, float]


# --- what-ifs ------------------------------------------------------------------------------------


class WhatIf(Record):
    """One change suggested for a missed budget: the figure now, with the change, and its cost."""

    budget: str  # the key of the budget it helps (bench.budgets.Budget.key)
    change: str
    now: str
    then: str
    cost: str


# --- the run -------------------------------------------------------------------------------------


class Machine(Record):
    """What the figures were measured on."""

    cpu: str
    cores: int | None
    usable_cores: int | None
    memory_gb: float | None
    os: str
    python: str
    packages: dict[str, str]


class StateMemorySnapshot(Record):
    """The bot process at one moment of bench/state_memory.py."""

    moment: str
    rss_mb: float
    users_in_memory: int
    chats_in_memory: int
    users_on_disk: int
    chats_on_disk: int


class StateMemoryResult(Record):
    """Memory with many people: `people` per wave, a snapshot at each moment."""

    people: int
    snapshots: list[StateMemorySnapshot]


class BenchResults(Record):
    """Everything one `make bench` run measured."""

    date: str
    commit: str
    duration_s: float
    load_before: str
    load_after: str
    machine: Machine
    quality: QualityResult
    speed: list[SpeedRun]
    build_growth: list[BuildGrowth]
    end_to_end: EndToEndResult
    startup: StartupResult
    trades: list[WhatIf]
    state_memory: StateMemoryResult | None = None  # absent from runs before it joined make bench
