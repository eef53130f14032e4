"""Scripted misbehaviour: failing, slow, dropped or garbled answers, and updates PTB cannot parse."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Literal

from fake_telegram.wire import JSON

FaultKind = Literal["error", "delay", "drop", "malformed", "stall", "pass"]
PoisonKind = Literal["message-without-date", "message-is-a-string", "entity-without-type"]
MALFORMED_BODY = b'{"ok":true,"result":{"message_id":'

_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class Fault:
    """What happens to the next ``times`` requests of ``method`` (``"*"``: any method).

    ``processed``: for drop / malformed, the call takes effect before the answer is lost (the
    classic "sent, but the response never arrived"). A ``stall`` never answers and never takes
    effect (the request never got through); a ``pass`` is answered normally (it lets a stall
    start after a number of calls).
    """

    kind: FaultKind
    method: str
    times: int = 1
    status: int = 500
    description: str | None = None
    retry_after: int | None = None
    seconds: float = 0.0
    processed: bool = False

    def error_description(self) -> str:
        """The description given, or the one Telegram uses for that status."""
        if self.description:
            return self.description
        if self.status == 429:
            return f"Too Many Requests: retry after {self.retry_after or 1}"
        return _DESCRIPTIONS.get(self.status, "Error")


class FaultPlan:
    """Faults waiting for their requests, first scripted first used."""

    def __init__(self) -> None:
        self._waiting: list[tuple[Fault, int]] = []  # (fault, requests it still applies to)

    def add(self, fault: Fault) -> None:
        if fault.kind == "error" and fault.status == 429 and fault.retry_after is None:
            fault = replace(fault, retry_after=1)  # Telegram's flood control always says how long to wait
        self._waiting.append((fault, fault.times))

    def take(self, method: str) -> Fault | None:
        """The fault for this request of `method`, if one is scripted."""
        for index, (fault, left) in enumerate(self._waiting):
            if fault.method in {"*", method}:
                if left > 1:
                    self._waiting[index] = (fault, left - 1)
                else:
                    del self._waiting[index]
                return fault
        return None

    def clear(self) -> None:
        self._waiting.clear()


def poison(kind: PoisonKind, message: JSON) -> JSON:
    """A message update PTB cannot turn into an Update (``Update.de_json`` raises), from a good one.

    Telegram never sends these; they stand for an update from a newer or buggier server that
    the library cannot read, which must not stop the bot from reading the rest of the batch.
    """
    if kind == "message-is-a-string":
        return {"message": str(message.get("text", "hello"))}
    broken = copy.deepcopy(message)
    if kind == "message-without-date":
        del broken["date"]
    elif kind == "entity-without-type":
        broken["entities"] = [{"offset": 0, "length": 1}]
    else:
        raise ValueError(f"unknown poison {kind!r}")
    return {"message": broken}
