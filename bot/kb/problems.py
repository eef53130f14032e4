"""Problems found in the knowledge base, each with the place an author must look."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a knowledge-base file, located to a line and a field path."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class KnowledgeBaseError(Exception):
    """The knowledge base cannot be used; `problems` lists every reason found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: Sequence[Problem] = tuple(sorted(set(problems)))
        super().__init__("\n".join(str(p) for p in self.problems))

    def report(self) -> str:
        """A heading and one `file:line: field: problem` line each, as commands print it."""
        lines = [f"the knowledge base has {len(self.problems)} problem(s):", *(str(p) for p in self.problems)]
        return "\n".join(lines)


def format_field_path(path: Sequence[str | int]) -> str:
    """Render a path like ("sections", 7, "answer", "en") as `sections[7].answer.en`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
