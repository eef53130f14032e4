"""The bot's Bot API client (bot/telegram/runtime/transport.py), over real HTTP on 127.0.0.1.

PTB's Bot runs on AiohttpRequest against the fake Bot API — what Telegram would receive and
answer — and, for file uploads (which the fake does not take), against a small aiohttp server
that keeps what it was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram import replies
from bot.telegram.runtime.delivery_errors import RequestMaybeSent, RequestNotSent
from bot.telegram.runtime.transport import AiohttpRequest, certificate_check
from fake_telegram import FakeBotApi
from tests.fake_telegram.conftest import TOKEN, USER

# A certificate for 127.0.0.1 that no public authority signed, valid for 100 years, made with
# openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
#   -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 (a file: no test dependency for it)
TLS = Path(__file__).parent / "data" / "tls"


def client(read_timeout: float = 5.0, connections: int = 4) -> AiohttpRequest:
    return AiohttpRequest(
        connections=connections,
        read_timeout=read_timeout,
        write_timeout=5.0,
        connect_timeout=5.0,
        pool_timeout=5.0,
    )


@contextlib.asynccontextmanager
async def local_server(
    answer: Callable[[web.Request], Awaitable[web.Response]], ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[int]:
    """A small aiohttp server on 127.0.0.1 answering every POST with `answer`; yields its port."""
    app = web.Application()
    app.router.add_post("/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    try:
        yield site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    finally:
        await runner.cleanup()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="SimHelpBot") as fake:
        yield fake


def bot_on(api: FakeBotApi, request: AiohttpRequest, token: str = TOKEN) -> Bot:
    return Bot(token, base_url=api.base_url, request=request, get_updates_request=client())


async def test_a_message_with_markup_arrives_as_telegram_reads_it(api: FakeBotApi) -> None:
    api.ensure_chat(USER)
    question = api.inject_message("怎么注销", chat_id=USER)["message"]
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("第 4 步", callback_data="step:4")]])
    async with bot_on(api, client()) as bot:
        sent = await bot.send_message(
            USER,
            "<b>注销</b> &amp; 下一步",
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            reply_parameters=ReplyParameters(question["message_id"]),
        )
    call = api.calls_of("sendMessage")[-1]
    assert call.params["chat_id"] == USER  # a number, not a string: the body is JSON
    assert call.params["reply_markup"] == keyboard.to_dict()
    assert call.params["reply_parameters"]["message_id"] == question["message_id"]
    assert sent.text == "注销 & 下一步"
    assert sent.reply_markup == keyboard
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.message_id == question["message_id"]


async def test_updates_come_in_and_the_offset_confirms_them(api: FakeBotApi) -> None:
    api.ensure_chat(USER)
    api.inject_message("hello", chat_id=USER)
    async with bot_on(api, client()) as bot:
        updates = await bot.get_updates(timeout=0)
        assert [update.effective_message.text for update in updates if update.effective_message] == ["hello"]
        assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_a_slow_answer_is_a_timeout_that_names_no_token(api: FakeBotApi) -> None:
    api.ensure_chat(USER)
    api.delay_next("sendMessage", 2.0)
    async with bot_on(api, client(read_timeout=0.2)) as bot:
        with pytest.raises(TimedOut) as caught:
            await bot.send_message(USER, "late")
        assert TOKEN not in str(caught.value)
        assert caught.value.__cause__ is None
        assert caught.value.__suppress_context__
        # the connection it gave up on is not reused; the next call goes through
        assert (await bot.send_message(USER, "on time")).text == "on time"


async def test_a_dropped_connection_is_a_network_error_that_names_no_token(api: FakeBotApi) -> None:
    api.ensure_chat(USER)
    api.drop_next("sendMessage")
    async with bot_on(api, client()) as bot:
        with pytest.raises(RequestMaybeSent) as caught:  # written before the cut: may have arrived
            await bot.send_message(USER, "dropped")
        assert not isinstance(caught.value, TimedOut)
        assert "aiohttp." in str(caught.value)
        assert TOKEN not in str(caught.value)
        assert (await bot.send_message(USER, "again")).text == "again"


async def test_no_server_is_a_network_error_that_names_no_token(api: FakeBotApi) -> None:
    await api.set_reachable(False)
    request = client()
    await request.initialize()
    try:
        with pytest.raises(RequestNotSent) as caught:  # nothing left the machine: safe to send again
            await request.post(f"{api.base_url}{TOKEN}/getMe")
        assert TOKEN not in str(caught.value)
        assert TOKEN not in repr(caught.value)
    finally:
        await request.shutdown()


async def test_a_rejected_token_is_ptbs_invalid_token(api: FakeBotApi) -> None:
    wrong = "987654321:AAE2eSomeOtherTokenThatTheFakeDoesNotKnow"
    request = client()
    await request.initialize()
    try:
        with pytest.raises(InvalidToken):
            await request.post(f"{api.base_url}{wrong}/getMe")
    finally:
        await request.shutdown()


async def test_it_must_be_initialized_and_can_be_again_after_a_shutdown(api: FakeBotApi) -> None:
    request = client()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{api.base_url}{TOKEN}/getMe", "POST")
    for _ in range(2):
        await request.initialize()
        await request.initialize()  # PTB may call it twice: one session, not two
        status, body = await request.do_request(f"{api.base_url}{TOKEN}/getMe", "POST")
        assert status == 200
        assert json.loads(body)["result"]["username"] == "SimHelpBot"
        await request.shutdown()
        await request.shutdown()


async def test_a_full_pool_waits_for_a_connection(api: FakeBotApi) -> None:
    api.ensure_chat(USER)
    api.delay_next("sendMessage", 0.2, times=3)
    async with bot_on(api, client(connections=1)) as bot:
        sent = await asyncio.gather(*(bot.send_message(USER, f"m{n}") for n in range(3)))
    assert [message.text for message in sent] == ["m0", "m1", "m2"]


async def test_files_go_as_multipart_form_data() -> None:
    received: dict[str, Any] = {}

    async def keep(request: web.Request) -> web.Response:
        form = await request.post()
        for key, value in form.items():  # a file part is read here: it is closed after the answer
            received[key] = value if isinstance(value, str) else (value.filename, value.file.read())
        return web.json_response({"ok": True, "result": True})

    request = client()
    await request.initialize()
    async with local_server(keep) as port:
        upload = InputFile(b"\x00\x01 bytes", filename="card.bin", attach=True)
        data = RequestData(
            [
                RequestParameter("chat_id", USER, None),
                RequestParameter.from_input("document", upload),
                RequestParameter("caption", "卡 card", None),
            ]
        )
        await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/sendDocument", data)
    await request.shutdown()
    assert received["chat_id"] == str(USER)
    assert received["caption"] == "卡 card"
    assert received[upload.attach_name or ""] == ("card.bin", b"\x00\x01 bytes")
    assert received["document"] == upload.attach_uri


@settings(max_examples=40, deadline=None)
@given(text=st.text(min_size=1, max_size=300).filter(lambda text: text.strip()))
def test_any_text_is_delivered_as_it_was_written(text: str) -> None:
    async def send() -> None:
        async with FakeBotApi(token=TOKEN, username="SimHelpBot") as api:
            api.ensure_chat(USER)
            async with bot_on(api, client()) as bot:
                sent = await bot.send_message(USER, text)
            assert api.calls_of("sendMessage")[-1].params["text"] == text
            assert sent.text == text.strip()  # Telegram trims a message's text, and so does the fake

    asyncio.run(send())


async def test_a_certificate_that_certifi_does_not_vouch_for_is_refused() -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(TLS / "self-signed.crt", TLS / "self-signed.key")
    answered: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        answered.append(request.path)
        return web.json_response({"ok": True, "result": True})

    request = client()
    await request.initialize()
    async with local_server(answer, server_context) as port:
        with pytest.raises(NetworkError, match=r"(?i)certificate") as caught:
            await request.post(f"https://127.0.0.1:{port}/bot{TOKEN}/getMe")
    await request.shutdown()
    assert TOKEN not in str(caught.value)
    assert answered == []  # nothing reached the impostor


def test_the_system_authorities_are_used_and_certifi_only_when_there_are_none(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_bytes((TLS / "self-signed.crt").read_bytes())
    empty_dir = tmp_path / "certs"
    empty_dir.mkdir()

    def paths(cafile: Path | None, capath: Path | None) -> ssl.DefaultVerifyPaths:
        return ssl.DefaultVerifyPaths(str(cafile or ""), str(capath or ""), "", "", "", "")

    assert certificate_check(paths(bundle, None)) is True
    assert certificate_check(paths(None, TLS)) is True  # a directory of certificates
    for nothing in (paths(None, None), paths(tmp_path / "missing.pem", empty_dir)):
        fallback = certificate_check(nothing)
        assert isinstance(fallback, ssl.SSLContext)
        assert fallback.verify_mode == ssl.CERT_REQUIRED
        assert fallback.check_hostname
        assert fallback.cert_store_stats()["x509_ca"] > 100  # certifi's bundle


async def test_an_unreadable_200_may_have_been_acted_on(api: FakeBotApi) -> None:
    api.ensure_chat(USER)
    api.malformed_next("sendMessage", processed=True)
    async with bot_on(api, client()) as bot:
        with pytest.raises(RequestMaybeSent):  # before: PTB's plain TelegramError, retried
            await bot.send_message(USER, "garbled answer")
    assert [m["text"] for m in api.sent(USER)] == ["garbled answer"]


async def test_deliver_retries_only_what_never_reached_telegram(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[str] = []

    async def call(error: Exception) -> str:
        attempts.append(type(error).__name__)
        if len(attempts) == 1:
            raise error
        return "sent"

    monkeypatch.setattr(replies, "FIRST_BACKOFF_SECONDS", 0.01)
    assert await replies.with_retries(lambda: call(RequestNotSent("refused"))) == "sent"
    assert attempts == ["RequestNotSent", "RequestNotSent"]
    for error in (RequestMaybeSent("cut"), TimedOut("slow")):
        attempts.clear()
        with pytest.raises(type(error)):
            await replies.with_retries(lambda error=error: call(error))  # type: ignore[misc]
        assert len(attempts) == 1
