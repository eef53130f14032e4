"""Reading and writing the cache's JSON files: bounded reads, atomic writes, never a crash.

A cache only saves time, so nothing here may stop the bot: a file that cannot be read is
"nothing saved", one that cannot be written is "saved next time". Nor is a cache trusted: a
file nested too deep for the parser (RecursionError), or holding NaN or an infinity — which no
file this bot writes contains — is unusable, not a crash and not a number.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import logging
import math
import os
import sys
import tempfile
from array import array
from collections.abc import Iterable
from pathlib import Path

MAX_CACHE_BYTES = 64 * 1024 * 1024  # an index for a knowledge base 100 times ours is ~60 MB
_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # bot/: every source file of the package is hashed
logger = logging.getLogger("bot.cache")


@functools.cache
def code_digest() -> str:
    """A hash of every source file of the bot package (computed once per process): part of every
    cache key, so that any change to the code, even a comment, makes the caches afresh."""
    digest = hashlib.sha256()
    for source in sorted(_PACKAGE_DIR.rglob("*.py")):
        digest.update(str(source.relative_to(_PACKAGE_DIR)).encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def read_saved(path: Path, file_format: int) -> dict[str, object] | None:
    """The JSON object saved at `path` in `file_format`, or None (logged when the file was unusable)."""
    try:
        saved = read_json(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        logger.info("%s is not usable (%s); it will be made afresh", path, type(exc).__name__)
        return None
    if not isinstance(saved, dict) or saved.get("format") != file_format:
        return None
    return saved


def read_json(path: Path) -> object:
    """The JSON value saved at `path`; OSError, ValueError (NaN and infinities included) or
    RecursionError when there is none to be had."""
    if not path.is_file():
        raise FileNotFoundError(path)
    if path.stat().st_size > MAX_CACHE_BYTES:
        raise ValueError(f"larger than {MAX_CACHE_BYTES} bytes")
    return json.loads(path.read_bytes(), parse_constant=_no_constant, parse_float=_finite)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number this bot saves")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise ValueError("a number too large to be finite")
    return value


def packed(values: Iterable[int] | Iterable[float], typecode: str) -> str:
    """Numbers as one string: the base64 of their machine values (typecode "I": unsigned 32-bit
    integers, "d": doubles), little-endian whatever the machine.

    For the long columns of numbers in a cache (the index's postings): one string parses into
    one object, where a JSON list of them made one object per number, all alive at once and
    scattered among the long-lived ones, which kept the heap large after they were freed.
    Doubles come back bit for bit, so a loaded index scores exactly like the one saved.
    """
    numbers = array(typecode, values)
    if sys.byteorder == "big":
        numbers.byteswap()
    return base64.b64encode(numbers.tobytes()).decode("ascii")


def unpacked_integers(text: object, typecode: str = "I") -> array[int]:
    """The integers packed(…, typecode) made ("I", or "Q" for unsigned 64-bit ones; ValueError or
    TypeError when `text` is not such a string)."""
    integers: array[int] = array(typecode)
    _unpack_into(integers, text)
    return integers


def unpacked_doubles(text: object) -> array[float]:
    """The doubles packed(…, "d") made, all finite: NaN or an infinity is no number this bot saves
    (ValueError or TypeError when `text` is not such a string)."""
    doubles: array[float] = array("d")
    _unpack_into(doubles, text)
    if not all(map(math.isfinite, doubles)):
        raise ValueError("a number that is not finite")
    return doubles


def _unpack_into(numbers: array[int] | array[float], text: object) -> None:
    if not isinstance(text, str):
        raise TypeError("packed numbers are a string")
    numbers.frombytes(base64.b64decode(text, validate=True))  # ValueError: not whole values
    if sys.byteorder == "big":
        numbers.byteswap()


def write_json(path: Path, value: object) -> None:
    """Write `value` atomically: a reader sees the old file or the new one, never half (OSError)."""
    text = json.dumps(value, ensure_ascii=False)
    temporary: str | None = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # files: mkstemp makes them 0600
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp", delete=False
        ) as handle:
            temporary = handle.name
            handle.write(text)
        os.replace(temporary, path)
        temporary = None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
