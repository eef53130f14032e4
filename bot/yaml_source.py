"""Safe YAML reading that remembers where every value came from.

Authors need `file:line` in error messages, and PyYAML's safe_load forgets positions and
silently keeps the last of two duplicate keys. So we compose the node tree with the safe
loader and build plain Python values ourselves, recording the line of every path, refusing
duplicate keys and any tag beyond the plain YAML types (`!!python/object` above all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.problems import KnowledgeBaseError, Problem, format_field_path

MAX_FILE_BYTES = 1_000_000
# Aliases can make a tiny file expand into a huge tree ("billion laughs"): cap the work.
MAX_NODES = 200_000

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
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KnowledgeBaseError([Problem(name, 0, "", "file is missing")]) from None
    except OSError as exc:
        raise KnowledgeBaseError([Problem(name, 0, "", f"cannot read file: {exc.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        message = f"file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit"
        raise KnowledgeBaseError([Problem(name, 0, "", message)])
    return parse_yaml_text(_decode_utf8(raw, name), name)


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
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = " ".join(part for part in (exc.context, exc.problem) if part)
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


class _Builder:
    """Turns a composed node tree into plain values, recording lines and collecting problems."""

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.problems: list[Problem] = []
        self.nodes_seen = 0
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.nodes_seen += 1
        if self.nodes_seen > MAX_NODES:
            if self.nodes_seen == MAX_NODES + 1:
                self._fail(node, path, f"document too large (over {MAX_NODES:,} values; aliases?)")
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
