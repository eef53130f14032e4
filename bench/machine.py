"""The machine a run was measured on: figures mean little without it."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

from bench.results import Machine

PACKAGES = (
    "python-telegram-bot",
    "httpx",
    "pydantic",
    "PyYAML",
    "opencc",
    "aiohttp",
    "bm25s",
    "jieba",
    "rapidfuzz",
    "numpy",
)


def _cpuinfo(key: str) -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        return None
    return None


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        return None
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> Machine:
    """CPU model, cores (all and usable), memory, OS, Python and the versions that matter."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return Machine(
        cpu=_cpuinfo("model name") or platform.processor() or platform.machine(),
        cores=os.cpu_count(),
        usable_cores=usable,
        memory_gb=_memory_gb(),
        os=platform.platform(),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        packages={package: _version(package) for package in PACKAGES},
    )
