"""Real questions people wrote for other assistants: text the bot must learn to decline.

knowledge/negatives/*.txt hold one question a line (blank lines and lines starting with "#"
are skipped); each file is one source and becomes one label of the matcher. Where they come
from and under which licence is in knowledge/negatives/README.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.kb.problems import Problem

NEGATIVE_SUFFIX = ".txt"
MAX_NEGATIVES_BYTES = 2_000_000


def read_negatives(directory: Path, problems: list[Problem]) -> Mapping[str, tuple[str, ...]]:
    """Each `*.txt` file's questions by file stem; unreadable files are added to `problems`."""
    if not directory.is_dir():
        return {}
    negatives: dict[str, tuple[str, ...]] = {}
    for path in sorted(directory.glob("*" + NEGATIVE_SUFFIX)):
        text = _read(path, problems)
        if text is not None:
            negatives[path.stem] = tuple(
                line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
            )
    return negatives


def _read(path: Path, problems: list[Problem]) -> str | None:
    name = str(path)
    try:
        if not path.resolve().is_file():
            problems.append(Problem(name, 0, "", "not a regular file"))
            return None
        size = path.stat().st_size
        if size > MAX_NEGATIVES_BYTES:
            problems.append(Problem(name, 0, "", f"file is {size:,} bytes, over {MAX_NEGATIVES_BYTES:,}"))
            return None
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        problems.append(Problem(name, 0, "", f"cannot read file: {exc.strerror}"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, 0, "", f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8"))
    return None
