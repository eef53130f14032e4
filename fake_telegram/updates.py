"""How updates reach the bot: the pending queue, getUpdates long polling, or a webhook push."""

from __future__ import annotations

import asyncio
import copy

import aiohttp

from fake_telegram.record import Changes
from fake_telegram.wire import JSON, ApiError

# Telegram sends these only when allowed_updates lists them.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def update_kind(update: JSON) -> str:
    """``message``, ``callback_query``, ... (the update's one field besides update_id)."""
    return next((key for key in update if key != "update_id"), "")


class UpdateQueue:
    """Pending updates with Telegram's rules for offsets, limits, allowed_updates and conflicts."""

    def __init__(self, changes: Changes, first_update_id: int) -> None:
        self._changes = changes
        self._next_id = first_update_id
        self.pending: list[JSON] = []
        self.delivered: set[int] = set()
        self.allowed: list[str] = []
        self.webhook: JSON | None = None
        self.polls_open = 0
        self._generation = 0
        self.closing = False

    def add(self, payload: JSON) -> JSON:
        """Queue one update; ``update_id`` is the next number unless the payload brings one."""
        update = copy.deepcopy(payload)
        if "update_id" in update:
            self._next_id = max(self._next_id, int(update["update_id"]) + 1)
        else:
            update = {"update_id": self._next_id, **update}
            self._next_id += 1
        self.pending.append(update)
        self._changes.notify()
        return copy.deepcopy(update)

    def _deliverable(self, limit: int) -> list[JSON]:
        """Drop what allowed_updates excludes (as Telegram does), then the first `limit`."""
        allowed = set(self.allowed) or None
        self.pending = [
            update
            for update in self.pending
            if (
                update_kind(update) in allowed
                if allowed
                else update_kind(update) not in NOT_DELIVERED_BY_DEFAULT
            )
        ]
        return copy.deepcopy(self.pending[:limit])

    async def get_updates(self, params: JSON) -> list[JSON]:
        """getUpdates: confirm by offset, then answer at once or long-poll up to `timeout`.

        A newer getUpdates ends this one with 409, as when two bot instances poll one token.
        """
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if isinstance(params.get("allowed_updates"), list):
            self.allowed = [str(kind) for kind in params["allowed_updates"]]
        if offset > 0:
            self.pending = [update for update in self.pending if update["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]
        self._generation += 1
        generation = self._generation
        self.polls_open += 1
        self._changes.notify()
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while not (batch := self._deliverable(limit)) and not self.closing:
                if self._generation != generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                await self._changes.next(remaining)
        finally:
            self.polls_open -= 1
        self.delivered.update(update["update_id"] for update in batch)
        return batch

    def set_webhook(self, params: JSON) -> bool:
        """setWebhook (an empty url deletes it); Telegram accepts only https URLs."""
        url = str(params.get("url") or "")
        if not url:
            return self.delete_webhook(params)
        if not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, "secret_token": str(params.get("secret_token") or "")}
        if isinstance(params.get("allowed_updates"), list):
            self.allowed = [str(kind) for kind in params["allowed_updates"]]
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return True

    def delete_webhook(self, params: JSON) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return True

    async def push(self, update: JSON, url: str, secret_token: str | None) -> int:
        """POST `update` to the bot's webhook server like Telegram; on 2xx it counts as delivered.

        ``secret_token=None`` sends the secret the bot registered with setWebhook; ``""`` sends
        no secret header at all.
        """
        secret = (self.webhook or {}).get("secret_token", "") if secret_token is None else secret_token
        headers = {SECRET_HEADER: secret} if secret else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, json=update, headers=headers) as answer,
        ):
            status = answer.status
        if 200 <= status < 300:
            self.pending = [p for p in self.pending if p["update_id"] != update["update_id"]]
            self.delivered.add(int(update["update_id"]))
            self._changes.notify()
        return status
