"""`python -m fake_telegram`: the fake Bot API on 127.0.0.1, with a console to talk to the bot.

Try the Telegram side of the bot with no token and no network: start this, start the bot with
the two lines it prints, then type as a person in a private chat.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence

from fake_telegram.api import DEFAULT_TOKEN, FakeBotApi
from fake_telegram.console import ConsoleView, read_lines

EXAMPLE = """example:
  python -m fake_telegram --port 8081
  # in another terminal, with the two lines it prints:
  TELEGRAM_API_BASE_URL=http://127.0.0.1:8081 TELEGRAM_BOT_TOKEN=123456789:AAE2e… python -m bot run
  # then type in the first one: /start, 卡丢了怎么办, #2 (presses the second button), /quit
"""


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line (see --help)."""
    parser = argparse.ArgumentParser(
        prog="python -m fake_telegram",
        description="A fake Telegram Bot API on 127.0.0.1 and a console to chat with the bot through it.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free one)")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the token the bot must use (default: a fake)")
    parser.add_argument("--username", default="SimHelpBot", help="the bot's username (default: SimHelpBot)")
    parser.add_argument("--user-id", type=int, default=42, help="who you are in the chat (default: 42)")
    parser.add_argument(
        "--language", default="zh-hans", help="your Telegram app's language_code (default: zh-hans)"
    )
    parser.add_argument("--privacy-mode", action="store_true", help="Telegram's group privacy mode")
    return parser.parse_args(argv)


async def serve(arguments: argparse.Namespace) -> None:
    """Run the fake and the console until /quit or the end of input."""
    api = FakeBotApi(
        token=arguments.token,
        username=arguments.username,
        privacy_mode=arguments.privacy_mode,
        port=arguments.port,
    )
    async with api:
        print(f"Fake Telegram Bot API on {api.root_url}. Start the bot with:")
        print(f"TELEGRAM_API_BASE_URL={api.root_url}")
        print(f"TELEGRAM_BOT_TOKEN={api.token}")
        print(f"You are user {arguments.user_id} in a private chat. #N presses button N; /quit stops.")
        view = ConsoleView(api, arguments.user_id, arguments.language)
        follower = asyncio.ensure_future(view.follow())
        try:
            await read_lines(view)
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower


def main(argv: Sequence[str] | None = None) -> int:
    """Exit status: 0 after /quit or the end of input, 2 for a bad command line or a busy port."""
    arguments = parse_arguments(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # a pipe sees each line at once
    try:
        asyncio.run(serve(arguments))
    except OSError as exc:  # the port is taken, or not ours to bind
        print(f"cannot listen on 127.0.0.1:{arguments.port}: {exc.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
