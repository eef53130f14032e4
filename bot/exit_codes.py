"""What `python -m bot` exits with, defined once for every command (like httpie's ExitStatus).

Scripts and service managers branch on these: 1 means "the content needs fixing" (a knowledge
base or labelled set with problems), 2 means "the way it was started needs fixing" (arguments,
a setting, the token, the data directory) — rerunning as is won't help; 69 (sysexits'
EX_UNAVAILABLE) means the Bot API could not be reached or failed at start-up — a restart a little
later may well work, so a supervisor that stops restarting on 2 (docs/deploy) restarts on 69.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit status of every command."""

    OK = 0
    FINDINGS = 1  # the knowledge base or a labelled set has problems
    USAGE = 2  # bad arguments or settings, token refused, data directory unusable or held
    UNAVAILABLE = 69  # the Bot API unreachable or failing (5xx, timeout) at start-up: try again later
