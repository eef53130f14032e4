"""A keyed hash of a user id: how the unanswered log finds a person's rows without storing who.

The unanswered log keeps questions, not people; but /forget must find the rows of the person
who asks. So each row carries HMAC-SHA256(key, user id) instead of the id. The key is random,
made once per data directory and kept beside the data (BOT_DATA_DIR/person-key, 0600): a copy
of the log alone does not say who asked (user ids are few enough to try every one against a
bare hash, not against an unknown key). A lost key only means older rows can no longer be
found by /forget; they still go when the log's retention ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_FILE = "person-key"
KEY_BYTES = 32
HASH_HEX_CHARS = 32  # 128 bits: no two people meet by chance


def load_person_key(data_dir: Path) -> bytes:
    """The data directory's key, made (0600, never replaced) the first time it is asked for."""
    path = data_dir / KEY_FILE
    with contextlib.suppress(OSError, ValueError):  # missing or malformed: make a new one
        key = bytes.fromhex(path.read_text(encoding="ascii").strip() or "-")
        if len(key) == KEY_BYTES:
            return key
    key = secrets.token_bytes(KEY_BYTES)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{KEY_FILE}-{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key.hex())
    os.replace(temporary, path)
    return key


def user_key(key: bytes, user_id: int) -> str:
    """The stand-in for `user_id` stored with their rows (hex, never the id itself)."""
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:HASH_HEX_CHARS]
