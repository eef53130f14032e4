"""A fake Telegram Bot API on 127.0.0.1 for the bot's end-to-end tests and benchmarks.

It speaks the real wire protocol, so python-telegram-bot talks to it exactly as to
api.telegram.org: PTB's request layer, JSON decoding, ``Update.de_json``, polling and error
mapping all run for real. It implements what the bot calls and behaves like Telegram for those
calls; it is a test kit (not shipped in the wheel)::

    async with FakeBotApi(token=TOKEN, username="SimHelpBot") as api:
        # the bot runs with TELEGRAM_API_BASE_URL=api.root_url
        mark = api.mark()
        api.inject_message("/start", user_id=42)
        [reply] = await api.wait_for_sent(42, since=mark)

How it mirrors Telegram (so the bot's mistakes show up here):

* The bot can only write to chats it knows (``inject_*`` and ``ensure_chat`` register them):
  400 "chat not found"; 403 once the person blocked it (``block_user``) or the bot left a group.
* ``parse_mode=HTML`` is parsed into entities with UTF-16 offsets; broken markup is 400 "can't
  parse entities"; surrounding whitespace is stripped; more than 4,096 UTF-16 units is 400
  "message is too long". /commands, @mentions and links in injected messages get entities.
* A reply to a message in a forum topic stays in the topic; topic messages "reply" to the
  topic's creation message unless they are real replies.
* getUpdates: offset confirmation, limit, long polling, ``allowed_updates`` (types not allowed
  are dropped; chat_member and reactions only when asked for), 409 when a second getUpdates
  supersedes a long poll or a webhook is set.
* Callback and inline query ids are the injected ones, each answerable once.
* Privacy mode (``FakeBotApi(privacy_mode=True)``, off by default; the rules are in
  ``fake_telegram.privacy``). ``set_admin(chat_id)``, or a promotion by
  ``inject_my_chat_member``, lets the bot see every message of that group. Messages from other
  bots never reach it. A withheld message is stored (people can reply to it) and listed in
  ``withheld``; the dict its ``inject_*`` returns has no ``update_id``.

Not implemented: parse modes other than HTML, files, and every method the bot does not call
(see ``fake_telegram.methods``), which answer 404 as unknown methods do on Telegram.

Faults: ``fail_next`` / ``delay_next`` / ``drop_next`` / ``malformed_next`` / ``stall_next``
script the next answers of a method; ``inject_poison`` / ``inject_raw`` queue updates PTB cannot parse;
``FakeBotApi(token_rejected=True)`` / ``reject_token()`` answer 401 to everything;
``FakeBotApi(reachable=False)`` / ``set_reachable()`` refuse connections at the same address;
``push_update`` delivers an update to the bot's webhook with its secret header.
"""

from fake_telegram.api import DEFAULT_TOKEN, FakeBotApi
from fake_telegram.chats import ChatType, MemberStatus
from fake_telegram.faults import PoisonKind
from fake_telegram.media import MediaKind
from fake_telegram.wire import Call

__all__ = ["DEFAULT_TOKEN", "Call", "ChatType", "FakeBotApi", "MediaKind", "MemberStatus", "PoisonKind"]
