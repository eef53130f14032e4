"""Safe YAML reading that remembers where every value came from.

Authors need `file:line` in error messages, and PyYAML's safe_load forgets positions and
silently keeps the last of two duplicate keys. So we compose the node tree with the safe
loader and build plain Python values ourselves, recording the line of every path, refusing
duplicate keys and any tag beyond the plain YAML types (`!!python/object` above all).

A knowledge-base file is edited by hand and reloaded by a running bot, so reading one must
never hang or exhaust it: only regular files are read (a named pipe would block for ever,
/dev/zero never ends), their size is checked before reading, and nesting is capped before
PyYAML's recursive composer can overflow the stack.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.kb.problems import KnowledgeBaseError, Problem, format_field_path

# The largest file (examples.yaml) is about 1.1 MB since round 10 of issue 16 taught the retired
# test sets (parsed once, then read from the saved knowledge base); twice that is a mistake, and
# takes seconds to parse.
MAX_FILE_BYTES = 2_000_000
# Aliases can make a tiny file expand into a huge tree ("billion laughs"): cap the work.
MAX_NODES = 200_000
# Lists and mappings inside one another. The real files nest 4 deep (sections → section →
# title → language); PyYAML's composer recurses per level and overflows near 300.
MAX_NESTING_DEPTH = 20
_TOO_DEEP = f"lists and mappings nested more than {MAX_NESTING_DEPTH} deep"
# Opening a named pipe for reading waits for a writer unless told not to.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)

_PLAIN_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"

Path_ = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """A parsed file: its plain data and the 1-based line of every path within it."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line of the deepest recorded prefix of `path` (a missing field points at its parent)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1

    def problem(self, path: Path_, message: str) -> Problem:
        """A problem located at `path` in this file."""
        return Problem(self.file, self.line_of(path), format_field_path(path), message)


def read_yaml_file(path: Path, display_name: str | None = None) -> YamlDocument:
    """Read one YAML file safely, raising KnowledgeBaseError with file:line on any defect."""
    name = display_name or str(path)
    try:
        raw = _read_regular_file(path)
    except _Refused as refused:
        raise KnowledgeBaseError([Problem(name, 0, "", str(refused))]) from None
    except FileNotFoundError:
        raise KnowledgeBaseError([Problem(name, 0, "", "file is missing")]) from None
    except OSError as exc:
        raise KnowledgeBaseError([Problem(name, 0, "", f"cannot read file: {exc.strerror}")]) from None
    return parse_yaml_text(_decode_utf8(raw, name), name)


class _Refused(Exception):
    """A file that is there but must not be read; the text says why."""


def _read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file (symlinks followed) of at most MAX_FILE_BYTES; never blocks.

    The kind and size are checked before reading, and again on the open file, so a file
    swapped for a pipe or a device between the two looks is still refused.
    """
    _refuse_unless_readable(os.stat(path))
    descriptor = os.open(path, _OPEN_FLAGS)
    with os.fdopen(descriptor, "rb") as file:
        _refuse_unless_readable(os.fstat(descriptor))
        raw = file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:  # it grew after the size was checked
        raise _Refused(f"file is over the {MAX_FILE_BYTES:,}-byte limit")
    return raw


def _refuse_unless_readable(status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise _Refused(
            f"is {_kind_of(status.st_mode)}, not a regular file; knowledge files must be plain files"
        )
    if status.st_size > MAX_FILE_BYTES:
        raise _Refused(f"file is {status.st_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit")


def _kind_of(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((kind for test, kind in kinds if test(mode)), "a special file")


def _decode_utf8(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problem = Problem(
            name, line, "", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        )
        raise KnowledgeBaseError([problem]) from None


def parse_yaml_text(text: str, name: str) -> YamlDocument:
    """Parse YAML text into a YamlDocument; `name` is used in error messages."""
    tab_problems = [
        Problem(name, number, "", "tab used for indentation; indent with spaces")
        for number, line in enumerate(text.splitlines(), start=1)
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]
    ]
    if tab_problems:
        raise KnowledgeBaseError(tab_problems)
    try:
        _check_depth(text)
        node = yaml.compose(text, Loader=_FastSafeLoader)
    except _TooDeep as exc:
        raise KnowledgeBaseError([Problem(name, exc.line, "", _TOO_DEEP)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        if "nesting depth" in what:  # LibYAML's own limit (1,000 levels) came first: say it our way
            raise KnowledgeBaseError([Problem(name, line, "", _TOO_DEEP)]) from None
        raise KnowledgeBaseError([Problem(name, line, "", f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError([Problem(name, 0, "", f"YAML error: {exc}")]) from None
    document = YamlDocument(name, None)
    if node is None:
        return document
    builder = _Builder(document)
    document.data = builder.build(node, ())
    if builder.problems:
        raise KnowledgeBaseError(builder.problems)
    return document


class _TooDeep(Exception):
    """Nesting passed MAX_NESTING_DEPTH at this 1-based line."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


# LibYAML's parser when PyYAML was built with it (the wheels are): the pure-Python scanner was
# most of the start-up time with a few thousand example questions. Both build the same nodes.
_FastSafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_depth(text: str) -> None:
    """Refuse lists and mappings nested deeper than MAX_NESTING_DEPTH, before composing them.

    The composers recurse once per level (PyYAML's in Python, LibYAML's in C), so the depth is
    read from the flat event stream first.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_FastSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING_DEPTH:
                raise _TooDeep(event.start_mark.line + 1 if event.start_mark else 0)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _Builder:
    """Turns a composed node tree into plain values, recording lines and collecting problems."""

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.problems: list[Problem] = []
        self.nodes_seen = 0
        self.too_deep = False
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.nodes_seen += 1
        if self.nodes_seen > MAX_NODES:
            if self.nodes_seen == MAX_NODES + 1:
                self._fail(node, path, f"document too large (over {MAX_NODES:,} values; aliases?)")
            return None
        if isinstance(node, yaml.CollectionNode) and len(path) >= MAX_NESTING_DEPTH:
            # Reached through aliases (`&a [*a]` is even a loop): the text itself nests less.
            if not self.too_deep:
                self.too_deep = True
                self._fail(node, path, _TOO_DEEP)
            return None
        self.document.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP_TAG:
            return self._build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ_TAG:
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode) and node.tag in _PLAIN_SCALAR_TAGS:
            return self.constructor.construct_object(node)
        self._fail(node, path, f"tag {node.tag!r} is not allowed; use plain YAML values")
        return None

    def _build_mapping(self, node: yaml.MappingNode, path: Path_) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_SCALAR_TAGS:
                self._fail(key_node, path, "keys must be plain text")
                continue
            key = self.constructor.construct_object(key_node)
            if key_node.tag == "tag:yaml.org,2002:str" and key == "<<":
                self._fail(key_node, path, "merge keys (<<) are not supported; write the fields out")
                continue
            if key in result:
                first = self.document.lines.get((*path, key), 0)
                self._fail(key_node, (*path, key), f"duplicate key (first defined on line {first})")
                continue
            self.document.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, (*path, key))
        return result

    def _fail(self, node: yaml.Node, path: Path_, message: str) -> None:
        line = node.start_mark.line + 1
        self.problems.append(Problem(self.document.file, line, format_field_path(path), message))
