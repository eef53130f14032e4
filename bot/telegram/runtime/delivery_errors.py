"""Whether a failed Bot API call may have reached Telegram: the difference between a retry that
is safe and one that answers twice.

Kept apart from the HTTP client (bot.telegram.runtime.transport) so that bot.telegram.replies
can tell them apart without importing aiohttp (`ask` and `check` never load it).
"""

from __future__ import annotations

from telegram.error import NetworkError


class RequestNotSent(NetworkError):
    """No connection could be made (refused, DNS, TLS, connect timeout): Telegram has nothing."""


class RequestMaybeSent(NetworkError):
    """The request was (or may have been) written, and no usable answer came back."""
