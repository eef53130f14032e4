"""The knowledge base's zh-Hant conversions, kept between starts: no 45 MB converter at start-up.

Every zh-Hant text of the knowledge base is derived from its zh-Hans source with OpenCC's
s2twp converter, whose phrase tables take ~0.1 s to load and ~45 MB while loaded (freed after
loading, but the heap keeps part of the peak). The conversions only change when a text or
OpenCC does, so they are saved as JSON with the simplified-only characters derived with the
same converter (language detection needs those) and handed back to bot.text.chinese at the next
load: a start with nothing new to convert never loads the converter.

A file from another OpenCC version, or one that is unreadable or malformed, is ignored and
replaced; a text that is not in it is converted as usual, and the file then rewritten with
exactly the texts this load asked for (old ones drop out).

The file is derived, never a source: if the knowledge base does not validate with the saved
conversions, bot.kb.base discards them (discard_saved_conversions) and loads again from the
YAML alone, so an altered file can never produce a problem reported against the YAML.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.storage.cache_files import read_saved, write_json
from bot.text import chinese

CACHE_FILE = "traditional.json"
FORMAT = 1
logger = logging.getLogger("bot.kb.conversions")


def adopt_saved_conversions(cache_dir: Path) -> bool:
    """Hand the conversions saved in `cache_dir` to bot.text.chinese; whether there were usable ones."""
    saved = read_saved(cache_dir / CACHE_FILE, FORMAT)
    if saved is None:
        return False
    if saved.get("opencc") != chinese.opencc_version():
        return False
    traditional, simplified_only = saved.get("traditional"), saved.get("simplified_only")
    if not isinstance(simplified_only, str) or not simplified_only or not isinstance(traditional, dict):
        return False
    if not all(isinstance(key, str) and isinstance(value, str) for key, value in traditional.items()):
        return False
    chinese.adopt_conversions(traditional, frozenset(simplified_only))
    return True


def save_conversions(cache_dir: Path) -> None:
    """Save the conversions this load asked for, and the simplified-only characters."""
    try:
        write_json(
            cache_dir / CACHE_FILE,
            {
                "format": FORMAT,
                "opencc": chinese.opencc_version(),
                "simplified_only": "".join(sorted(chinese.simplified_only_characters())),
                "traditional": chinese.conversions_asked(),
            },
        )
    except OSError as exc:
        logger.info("the conversions could not be saved in %s (%s)", cache_dir, exc)


def discard_saved_conversions(cache_dir: Path) -> bool:
    """Forget the conversions in memory and delete the saved file; whether there was one."""
    chinese.forget_conversions()
    path = cache_dir / CACHE_FILE
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        logger.info("the saved conversions in %s could not be deleted (%s)", path, exc)
    return True
