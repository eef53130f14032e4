"""Watch the knowledge-base directory and reload after every change, for as long as the bot runs.

Files change in more ways than an edit in place: editors write a new file and rename it over
the old one, and deploys replace the whole directory (`rm -rf knowledge && cp -r
knowledge.new knowledge`, or re-point a `knowledge` symlink). A watch on the directory alone
ends with the directory it watched, silently. So the parent directory is watched too (not
recursively: only its own entries), and the watch is armed again whenever the directory
itself changes (device, inode or change time, symlinks followed). Changes made while the watch
is being re-armed are caught by comparing a snapshot of the files whenever the watch is quiet.

Nothing but cancellation ends the watch: any error is logged and the watch starts again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from watchfiles import Change, DefaultFilter, awatch

DEBOUNCE_MS = 500  # an editor's save is several events; one reload for all of them
RECHECK_MS = 2_000  # how often to compare snapshots when no event comes
RETRY_SECONDS = (1, 2, 5, 10, 30)  # pauses before watching again after 1, 2, ... failures
KNOWLEDGE_SUFFIX = ".yaml"  # the knowledge base reads nothing else

logger = logging.getLogger("bot.watcher")

FileState = tuple[str, int, int, int]  # name, inode, size, modification time (ns)


@dataclass(frozen=True)
class Snapshot:
    """The directory itself (device, inode, change time) and the knowledge files in it.

    The change time tells a new directory from the old one even when the new one reuses the
    old inode number (as `rm -rf` then `cp -r` often does); it also changes when a file is
    renamed into place, which costs a harmless re-arm.
    """

    place: tuple[int, int, int]
    files: frozenset[FileState]


def take_snapshot(directory: Path) -> Snapshot | None:
    """The directory as it is now, or None while it does not exist."""
    try:
        status = os.stat(directory)
        files = frozenset(
            _file_state(entry) for entry in os.scandir(directory) if entry.name.endswith(KNOWLEDGE_SUFFIX)
        )
    except (FileNotFoundError, NotADirectoryError):
        return None
    return Snapshot((status.st_dev, status.st_ino, status.st_ctime_ns), files)


def _file_state(entry: os.DirEntry[str]) -> FileState:
    try:
        status = entry.stat()  # through a symlink: the file it points to
    except OSError:  # a dangling symlink
        status = entry.stat(follow_symlinks=False)
    return (entry.name, status.st_ino, status.st_size, status.st_mtime_ns)


def _place(snapshot: Snapshot | None) -> tuple[int, int, int] | None:
    return snapshot.place if snapshot else None


def _files(snapshot: Snapshot | None) -> frozenset[FileState] | None:
    return snapshot.files if snapshot else None


async def watch_knowledge_base(directory: Path, reload: Callable[[], Awaitable[object]]) -> None:
    """Call `reload` after every change to `directory` (swaps included), until cancelled."""
    logger.info("watching %s for changes", directory)
    last = _files(take_snapshot(directory))
    failures = 0
    while True:
        pause = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
        try:
            last = await _watch_until_replaced(directory, reload, last)
        except OSError as exc:  # the directory or its parent is gone, or no inotify watch is left
            logger.warning("cannot watch %s (%s); trying again in %d s", directory, exc, pause)
        except Exception:  # the watch must outlive any error; cancellation still ends it
            logger.exception("watching %s failed; trying again in %d s", directory, pause)
        else:
            failures = 0
            continue
        failures += 1
        await asyncio.sleep(pause)


async def _watch_until_replaced(
    directory: Path, reload: Callable[[], Awaitable[object]], last: frozenset[FileState] | None
) -> frozenset[FileState] | None:
    """Reload on changes until the directory itself changes; returns the files last reloaded."""
    armed = take_snapshot(directory)
    absolute, target = directory.absolute(), directory.resolve()
    watched = [absolute.parent, target] if armed is not None else [absolute.parent]
    itself = {str(absolute), str(target)}  # the same unless a symlink
    inside = tuple(f"{path}{os.sep}" for path in itself)
    ignored = DefaultFilter()  # editors' swap and backup files

    def concerns_directory(change: Change, path: str) -> bool:
        knowledge_file = path.startswith(inside) and path.endswith(KNOWLEDGE_SUFFIX)
        return (path in itself or knowledge_file) and ignored(change, path)

    batches = awatch(
        *watched,
        watch_filter=concerns_directory,
        recursive=False,
        debounce=DEBOUNCE_MS,
        rust_timeout=RECHECK_MS,
        yield_on_timeout=True,
    )
    async with contextlib.aclosing(batches):  # stop the OS watch before arming a new one
        async for changes in batches:
            now = take_snapshot(directory)
            # An event always reloads (an edit can keep size and mtime); a quiet timeout only
            # if the files differ from the last reload (changed while the watch was re-armed).
            if now is not None and (changes or now.files != last):
                await _reload_logging_errors(reload)
                last = now.files
            if _place(now) != _place(armed):
                logger.debug("%s was replaced, removed or renamed into; watching it afresh", directory)
                return last
    return last


async def _reload_logging_errors(reload: Callable[[], Awaitable[object]]) -> None:
    try:
        await reload()
    except Exception:
        logger.exception("reloading the knowledge base after a change failed")
