"""The Bot API stand-in itself: HTML parsing, validation, long polling, faults, PTB interop."""

from __future__ import annotations

import asyncio
import html
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.standin import (
    DEFAULT_GROUP_ID,
    DEFAULT_TOKEN,
    KINDS,
    BotAPIStandIn,
    FaultPlan,
    HTMLParseError,
    parse_html,
    utf16_len,
)
from tests.standin.ptb import ptb_builder, running_polling

USER = 1001
PREFIX = "Bad Request: can't parse entities: "
KEYBOARD = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}


@pytest.fixture
def api() -> Iterator[BotAPIStandIn]:
    with BotAPIStandIn(token=DEFAULT_TOKEN) as standin:
        yield standin


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def call(client: httpx.Client, api: BotAPIStandIn, method: str, **params: Any) -> httpx.Response:
    """POST ``params`` form-encoded, nested objects as JSON strings – the way PTB sends them."""
    data = {
        k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items() if v is not None
    }
    return client.post(api.method_url(method), data=data)


def error(response: httpx.Response) -> str:
    body = response.json()
    assert body["ok"] is False
    assert body["error_code"] == response.status_code
    return body["description"]


# -- parse_html ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        (
            "<b>bold <i>both</i></b>",
            "bold both",
            [
                {"type": "bold", "offset": 0, "length": 9},
                {"type": "italic", "offset": 5, "length": 4},
            ],
        ),
        (
            '<a href="https://example.com/a?b=1&amp;c=2">site</a>',
            "site",
            [
                {
                    "type": "text_link",
                    "offset": 0,
                    "length": 4,
                    "url": "https://example.com/a?b=1&c=2",
                }
            ],
        ),
        (
            "<blockquote expandable>long\nquote</blockquote>",
            "long\nquote",
            [{"type": "expandable_blockquote", "offset": 0, "length": 10}],
        ),
        ("<blockquote>q</blockquote>", "q", [{"type": "blockquote", "offset": 0, "length": 1}]),
        ("Tom &amp; Jerry", "Tom & Jerry", []),
        ("Tom & Jerry", "Tom & Jerry", []),
        ("&nbsp;&copy; stay", "&nbsp;&copy; stay", []),
        ("&lt;b&gt; &quot;q&quot; &#33; &#x21; &#65", '<b> "q" ! ! A', []),
        ("😀 <b>😀</b>", "😀 😀", [{"type": "bold", "offset": 3, "length": 2}]),
        (
            '<s>a</s><u>b</u><tg-spoiler>c</tg-spoiler><span class="tg-spoiler">d</span>',
            "abcd",
            [
                {"type": "strikethrough", "offset": 0, "length": 1},
                {"type": "underline", "offset": 1, "length": 1},
                {"type": "spoiler", "offset": 2, "length": 1},
                {"type": "spoiler", "offset": 3, "length": 1},
            ],
        ),
        (
            '<pre><code class="language-python">x = 1</code></pre> <code>y</code>',
            "x = 1 y",
            [
                {"type": "pre", "offset": 0, "length": 5, "language": "python"},
                {"type": "code", "offset": 6, "length": 1},
            ],
        ),
        (
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
            "👍",
            [
                {
                    "type": "custom_emoji",
                    "offset": 0,
                    "length": 2,
                    "custom_emoji_id": "5368324170671202286",
                }
            ],
        ),
        ("<B>x</B><b></b>", "x", [{"type": "bold", "offset": 0, "length": 1}]),
    ],
)
def test_parse_html_accepts_what_telegram_accepts(source, text, entities):
    assert parse_html(source) == (text, entities)


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("привет <p>x</p>", 'Unsupported start tag "p" at byte offset 13'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<blockquote>a<blockquote>b</blockquote></blockquote>",
            "Nested blockquotes are not supported at byte offset 13",
        ),
    ],
)
def test_parse_html_rejects_with_telegrams_message(source, detail):
    with pytest.raises(HTMLParseError) as caught:
        parse_html(source)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == PREFIX + detail
    assert caught.value.description == PREFIX + detail


@given(st.text())
def test_escaped_text_parses_back_to_itself(text):
    assert parse_html(html.escape(text)) == (text, [])


@given(st.text(min_size=1), st.text())
def test_entity_offsets_are_utf16(inside, before):
    plain, entities = parse_html(f"{html.escape(before)}<b>{html.escape(inside)}</b>")
    assert plain == before + inside
    assert entities == [{"type": "bold", "offset": utf16_len(before), "length": utf16_len(inside)}]


# -- transport, tokens, encodings -----------------------------------------------------------------


def test_wrong_token_and_unknown_method_are_404(api, client):
    wrong = client.post(api.method_url("getMe", token="999:WRONG"))
    assert wrong.status_code == 404
    assert wrong.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    unknown = client.post(api.method_url("sendTelepathy"))
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert client.get(api.method_url("GETME")).json()["result"]["username"] == "talks_test_bot"


def test_get_me_and_keep_alive(api, client):
    me = [client.post(api.method_url("getMe")) for _ in range(3)]
    assert me[0].json()["result"] == {
        "id": 123456789,
        "is_bot": True,
        "first_name": "Talks Test Bot",
        "username": "talks_test_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": True,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }
    assert all(r.headers["connection"] == "keep-alive" for r in me)
    assert api.base_url == f"http://127.0.0.1:{api.port}/bot"


@pytest.mark.parametrize("encoding", ["form", "json", "multipart"])
def test_all_body_encodings_decode_to_the_same_params(api, client, encoding):
    params = {
        "chat_id": USER,
        "text": "123",
        "reply_markup": KEYBOARD,
        "disable_notification": True,
    }
    url = api.method_url("sendMessage")
    if encoding == "json":
        response = client.post(url, json=params)
    else:
        data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        files = {"unused": ("a.txt", b"x", "text/plain")} if encoding == "multipart" else None
        response = client.post(url, data=data, files=files)
    assert response.status_code == 200, response.text
    recorded = api.calls[-1]
    assert recorded.encoding == encoding
    assert {k: recorded.params[k] for k in params} == params
    message = response.json()["result"]
    assert message["text"] == "123"
    assert message["reply_markup"] == KEYBOARD


# -- sendMessage --------------------------------------------------------------------------------


def test_send_message_shapes_a_telegram_message(api, client):
    update = api.push_update(api.private_message("hello", user_id=USER))
    asked = update["message"]
    first = call(client, api, "sendMessage", chat_id=USER, text="one").json()["result"]
    second = call(
        client,
        api,
        "sendMessage",
        chat_id=USER,
        text="<b>two</b>",
        parse_mode="HTML",
        reply_parameters={"message_id": asked["message_id"]},
        reply_markup=KEYBOARD,
    ).json()["result"]
    other = call(client, api, "sendMessage", chat_id=5, text="elsewhere").json()["result"]

    assert asked["message_id"] == 1
    assert (first["message_id"], second["message_id"], other["message_id"]) == (2, 3, 1)
    assert first["from"] == api.bot_user
    assert first["chat"] == {
        "id": USER,
        "type": "private",
        "first_name": "User1001",
        "username": "user1001",
    }
    assert isinstance(first["date"], int)
    assert second["text"] == "two"
    assert second["entities"] == [{"type": "bold", "offset": 0, "length": 3}]
    assert second["reply_to_message"]["text"] == "hello"
    assert second["reply_markup"] == KEYBOARD
    assert api.texts_to(USER) == ["one", "two"]
    assert [c.method for c in api.sent] == ["sendMessage"] * 3


def test_reply_to_a_missing_message(api, client):
    missing = call(
        client, api, "sendMessage", chat_id=USER, text="x", reply_parameters={"message_id": 99}
    )
    assert missing.status_code == 400
    assert error(missing) == "Bad Request: message to be replied not found"
    allowed = call(
        client,
        api,
        "sendMessage",
        chat_id=USER,
        text="x",
        reply_parameters={"message_id": 99, "allow_sending_without_reply": True},
    )
    assert allowed.status_code == 200
    assert "reply_to_message" not in allowed.json()["result"]
    assert len(api.delivered) == 1


def test_html_errors_come_back_as_400(api, client):
    for text, detail in [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<marquee>x</marquee>", 'Unsupported start tag "marquee" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ]:
        response = call(client, api, "sendMessage", chat_id=USER, text=text, parse_mode="HTML")
        assert response.status_code == 400
        assert error(response) == PREFIX + detail
    assert api.delivered == []


def test_length_is_counted_in_utf16_after_parsing(api, client):
    def send(text: str, **kwargs: Any) -> httpx.Response:
        return call(client, api, "sendMessage", chat_id=USER, text=text, **kwargs)

    too_long = send("😀" * 4096)  # 4096 characters, 8192 UTF-16 code units
    assert too_long.status_code == 400
    assert error(too_long) == "Bad Request: message is too long"
    assert error(send("a" * 4097)) == "Bad Request: message is too long"
    assert send("😀" * 2048).status_code == 200
    assert send("a" * 4096).status_code == 200
    assert send("<b>" + "a" * 4096 + "</b>", parse_mode="HTML").status_code == 200
    assert error(send("&amp;" * 4097, parse_mode="HTML")) == "Bad Request: message is too long"
    assert error(send("<b> </b>\n", parse_mode="HTML")) == "Bad Request: message text is empty"
    assert error(send("   ")) == "Bad Request: message text is empty"
    assert error(send("")) == "Bad Request: message text is empty"
    assert len(api.delivered) == 3


def test_edit_text_validates_length_too(api, client):
    sent = call(client, api, "sendMessage", chat_id=USER, text="x").json()["result"]
    response = call(
        client,
        api,
        "editMessageText",
        chat_id=USER,
        message_id=sent["message_id"],
        text="😀" * 4096,
    )
    assert error(response) == "Bad Request: message is too long"


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"text": "x", "callback_data": "a" * 65}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x", "callback_data": "я" * 33}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x", "callback_data": ""}, "Bad Request: BUTTON_DATA_INVALID"),
        (
            {"text": "x"},
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        (
            {"text": "x", "url": "https://example.com", "callback_data": "a"},
            "Bad Request: can't parse inline keyboard button: "
            "exactly one of the optional fields must be used, found url, callback_data",
        ),
        (
            {"text": "x", "url": "not a url"},
            "Bad Request: inline keyboard button URL 'not a url' is invalid: Wrong HTTP URL",
        ),
    ],
)
def test_inline_keyboard_validation(api, client, button, description):
    markup = {"inline_keyboard": [[button]]}
    response = call(client, api, "sendMessage", chat_id=USER, text="x", reply_markup=markup)
    assert response.status_code == 400
    assert error(response) == description


def test_callback_data_of_64_bytes_is_fine(api, client):
    for data in ("a" * 64, "я" * 32, "x"):
        markup = {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}
        response = call(client, api, "sendMessage", chat_id=USER, text="x", reply_markup=markup)
        assert response.status_code == 200, response.text


def article(n: int, text: str = "answer") -> dict[str, Any]:
    return {
        "type": "article",
        "id": str(n),
        "title": f"Result {n}",
        "input_message_content": {"message_text": text},
    }


def test_answer_inline_query(api, client):
    def answer(results: list[dict[str, Any]]) -> httpx.Response:
        query = api.inline_query("harbour")["inline_query"]
        return call(client, api, "answerInlineQuery", inline_query_id=query["id"], results=results)

    assert error(answer([article(n) for n in range(51)])) == "Bad Request: RESULTS_TOO_MUCH"
    assert error(answer([article(1), article(1)])) == "Bad Request: RESULT_ID_DUPLICATE"
    assert error(answer([article(1, "😀" * 4096)])) == "Bad Request: message is too long"
    assert answer([article(n) for n in range(50)]).status_code == 200

    query = api.inline_query("again")["inline_query"]
    ok = call(client, api, "answerInlineQuery", inline_query_id=query["id"], results=[])
    assert ok.json() == {"ok": True, "result": True}
    twice = call(client, api, "answerInlineQuery", inline_query_id=query["id"], results=[])
    unknown = call(client, api, "answerInlineQuery", inline_query_id="42", results=[])
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert error(twice) == error(unknown) == too_old


def test_answer_callback_query_once(api, client):
    sent = call(client, api, "sendMessage", chat_id=USER, text="q", reply_markup=KEYBOARD)
    update = api.push_update(api.callback_query("yes", sent.json()["result"], user_id=USER))
    query = update["callback_query"]
    assert query["message"]["reply_markup"] == KEYBOARD
    assert query["data"] == "yes"
    first = call(client, api, "answerCallbackQuery", callback_query_id=query["id"], text="ok")
    assert first.json() == {"ok": True, "result": True}
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    again = call(client, api, "answerCallbackQuery", callback_query_id=query["id"])
    assert error(again) == too_old
    assert error(call(client, api, "answerCallbackQuery", callback_query_id="1")) == too_old
    assert api.callback_answers[query["id"]]["text"] == "ok"


def test_edit_and_delete(api, client):
    sent = call(client, api, "sendMessage", chat_id=USER, text="v1", reply_markup=KEYBOARD)
    message_id = sent.json()["result"]["message_id"]
    same = call(
        client,
        api,
        "editMessageText",
        chat_id=USER,
        message_id=message_id,
        text="v1",
        reply_markup=KEYBOARD,
    )
    assert error(same).startswith("Bad Request: message is not modified: ")
    edited = call(client, api, "editMessageText", chat_id=USER, message_id=message_id, text="v2")
    result = edited.json()["result"]
    assert result["text"] == "v2"
    assert "reply_markup" not in result
    assert "edit_date" in result
    markup_same = call(client, api, "editMessageReplyMarkup", chat_id=USER, message_id=message_id)
    assert error(markup_same).startswith("Bad Request: message is not modified: ")
    missing = call(client, api, "editMessageText", chat_id=USER, message_id=77, text="x")
    assert error(missing) == "Bad Request: message to edit not found"
    assert api.message(USER, message_id)["text"] == "v2"
    assert api.messages_to(USER)[0]["text"] == "v1"  # delivered: as sent

    assert call(client, api, "deleteMessage", chat_id=USER, message_id=message_id).json()["ok"]
    gone = call(client, api, "deleteMessage", chat_id=USER, message_id=message_id)
    assert error(gone) == "Bad Request: message to delete not found"
    assert api.deleted == [(USER, message_id)]


def test_commands_webhook_info_and_chat_actions(api, client):
    commands = [{"command": "ask", "description": "Ask a question"}]
    assert call(client, api, "setMyCommands", commands=commands).json()["result"] is True
    assert call(client, api, "getMyCommands").json()["result"] == commands
    bad = call(client, api, "setMyCommands", commands=[{"command": "a b", "description": "x"}])
    assert error(bad) == "Bad Request: BOT_COMMAND_INVALID"
    assert call(client, api, "deleteMyCommands").json()["result"] is True
    assert call(client, api, "getMyCommands").json()["result"] == []

    info = call(client, api, "getWebhookInfo").json()["result"]
    assert info == {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
    assert call(client, api, "deleteWebhook", drop_pending_updates=True).json()["result"]
    assert call(client, api, "sendChatAction", chat_id=USER, action="typing").json()["ok"]
    wrong = call(client, api, "sendChatAction", chat_id=USER, action="dancing")
    assert error(wrong) == "Bad Request: wrong parameter action in request"
    assert api.chat_actions == [(USER, "typing")]
    assert call(client, api, "close").json()["result"] is True
    assert call(client, api, "logOut").json()["result"] is True


def test_blocked_user_gets_403(api, client):
    api.block(USER)
    response = call(client, api, "sendMessage", chat_id=USER, text="x")
    assert response.status_code == 403
    assert error(response) == "Forbidden: bot was blocked by the user"


# -- updates ------------------------------------------------------------------------------------


def test_long_poll_returns_early_when_an_update_is_pushed(api, client):
    timer = threading.Timer(0.2, lambda: api.push_update(api.private_message("wake up")))
    timer.start()
    started = time.monotonic()
    response = call(client, api, "getUpdates", timeout=5)
    elapsed = time.monotonic() - started
    timer.join()
    assert 0.15 <= elapsed < 2
    assert [u["message"]["text"] for u in response.json()["result"]] == ["wake up"]


def test_long_poll_waits_for_the_timeout(api, client):
    started = time.monotonic()
    response = call(client, api, "getUpdates", timeout=0.3)
    assert response.json() == {"ok": True, "result": []}
    assert 0.25 <= time.monotonic() - started < 2


def test_offset_semantics(api, client):
    pushed = api.push_updates(api.private_message(f"m{n}") for n in range(5))
    ids = [u["update_id"] for u in pushed]
    assert ids == [1, 2, 3, 4, 5]

    def fetch(**params: Any) -> list[int]:
        return [u["update_id"] for u in call(client, api, "getUpdates", **params).json()["result"]]

    assert fetch() == ids
    assert fetch(limit=2) == [1, 2]
    assert api.pending_updates == 5  # fetched but not confirmed
    assert fetch(offset=3) == [3, 4, 5]
    assert api.confirmed_offset == 3
    assert api.pending_updates == 3
    assert fetch(offset=1) == [3, 4, 5]  # confirmed updates are gone for good
    assert fetch(offset=-1) == [5]
    assert fetch(offset=6) == []
    assert api.pending_updates == 0
    assert api.push_update({"message": pushed[0]["message"]})["update_id"] == 6
    assert api.redelivered_updates() == [1, 2, 3, 4, 5]


def test_allowed_updates(api, client):
    sent = call(client, api, "sendMessage", chat_id=USER, text="q", reply_markup=KEYBOARD)
    api.push_update(api.callback_query("yes", sent.json()["result"]))
    api.push_update(api.private_message("hi"))
    got = call(client, api, "getUpdates", allowed_updates=["message"]).json()["result"]
    assert [next(k for k in u if k != "update_id") for u in got] == ["message"]
    assert len(api.filtered_updates) == 1


def test_webhook_conflicts_with_get_updates_and_delivers(api, client):
    received: list[tuple[dict[str, Any], str | None]] = []

    class Receiver(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((json.loads(body), self.headers["X-Telegram-Bot-Api-Secret-Token"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        assert call(client, api, "setWebhook", url=url, secret_token="s3cret").json()["result"]
        conflict = call(client, api, "getUpdates")
        assert conflict.status_code == 409
        assert error(conflict).startswith("Conflict: can't use getUpdates method while webhook")
        api.push_update(api.private_message("via webhook"))
        api.wait_for(lambda: received and api.pending_updates == 0)
        assert received[0][0]["message"]["text"] == "via webhook"
        assert received[0][1] == "s3cret"
        assert call(client, api, "getWebhookInfo").json()["result"]["url"] == url
        assert call(client, api, "deleteWebhook").json()["result"] is True
        assert call(client, api, "getUpdates").status_code == 200
    finally:
        receiver.shutdown()
        receiver.server_close()
        thread.join()


def test_update_builders():
    api = BotAPIStandIn()  # builders work without a running server
    command = api.group_message("/ask@talks_test_bot where?")["message"]
    assert command["chat"] == {"id": DEFAULT_GROUP_ID, "type": "supergroup", "title": "Test Group"}
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 19}]
    mention = api.group_message("hi 😀 @talks_test_bot", reply_to=command)["message"]
    assert mention["entities"] == [{"type": "mention", "offset": 6, "length": 15}]
    assert mention["reply_to_message"]["message_id"] == command["message_id"]
    assert mention["message_id"] == command["message_id"] + 1
    assert api.group_message("x", from_bot=True)["message"]["from"]["is_bot"] is True
    assert api.private_message("/start")["message"]["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 6}
    ]
    edited = api.edited_message(command, "/ask@talks_test_bot where exactly?")["edited_message"]
    assert edited["message_id"] == command["message_id"]
    assert "edit_date" in edited
    sticker = api.sticker_message(emoji="🔥")["message"]["sticker"]
    assert sticker["emoji"] == "🔥"
    assert sticker["type"] == "regular"
    joined = api.new_chat_members()["message"]
    assert joined["new_chat_members"] == [api.bot_user]
    assert api.inline_query("q")["inline_query"]["query"] == "q"


def test_privacy_mode_drops_what_telegram_would_not_send():
    with BotAPIStandIn(privacy_mode=True) as api:
        api.push_update(api.group_message("just chatting"))
        command = api.push_update(api.group_message("/ask@talks_test_bot x"))
        api.push_update(api.group_message("/ask@other_bot x"))
        api.push_update(api.private_message("private is always delivered"))
        assert api.pending_updates == 2
        assert len(api.filtered_updates) == 2
        assert command["update_id"] == 2


def test_wait_helpers(api):
    threading.Timer(0.1, lambda: api.push_update(api.private_message("x"))).start()
    assert api.wait_for(lambda: api.pending_updates, timeout=2) == 1
    with pytest.raises(TimeoutError, match="pending_updates=1"):
        api.wait_until_idle(timeout=0.2)


async def test_async_wait_helpers_do_not_block_the_loop(api):
    async def later() -> None:
        await asyncio.sleep(0.1)
        api.push_update(api.private_message("x"))

    task = asyncio.create_task(later())
    assert await api.await_for(lambda: api.pending_updates, timeout=2) == 1
    await task
    with pytest.raises(TimeoutError):
        await api.await_for(lambda: False, timeout=0.05)


# -- faults -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "description"),
    [
        ("429", 429, "Too Many Requests: retry after 7"),
        ("500", 500, "Internal Server Error"),
        ("502-json", 502, "Bad Gateway"),
        ("403", 403, "Forbidden: bot was blocked by the user"),
        ("400-reply", 400, "Bad Request: message to be replied not found"),
    ],
)
def test_json_faults_have_no_side_effect(api, client, kind, status, description):
    api.fail_next("sendMessage", kind, retry_after=7)
    failed = call(client, api, "sendMessage", chat_id=USER, text="x")
    assert failed.status_code == status
    assert error(failed) == description
    if kind == "429":
        assert failed.json()["parameters"] == {"retry_after": 7}
    assert api.delivered == []
    assert call(client, api, "sendMessage", chat_id=USER, text="x").status_code == 200
    assert len(api.delivered) == 1
    assert len(api.calls_of("sendMessage")) == 2
    assert api.fault_counts == {kind: 1}
    assert api.calls[0].fault == kind
    assert api.delivered[0]["message_id"] == 1  # the failed attempt used no message_id


def test_502_is_an_html_page(api, client):
    api.fail_next("sendMessage", "502")
    failed = call(client, api, "sendMessage", chat_id=USER, text="x")
    assert failed.status_code == 502
    assert failed.headers["content-type"] == "text/html"
    assert b"502 Bad Gateway" in failed.content
    assert api.delivered == []


def test_drop_closes_without_answer(api, client):
    api.fail_next("sendMessage", "drop")
    with pytest.raises(httpx.TransportError):
        call(client, api, "sendMessage", chat_id=USER, text="x")
    assert api.delivered == []
    assert api.calls[-1].status is None
    assert api.fault_counts["drop"] == 1
    assert call(client, api, "sendMessage", chat_id=USER, text="x").status_code == 200


def test_hang_outlives_the_client_and_confirms_nothing(api):
    api.push_updates([api.private_message("a"), api.private_message("b")])
    api.fail_next("getUpdates", "hang")
    with httpx.Client(timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        call(impatient, api, "getUpdates", offset=2, timeout=0)
    api.wait_for(lambda: api.hanging == 0, timeout=3)  # noticed the client went away
    assert api.pending_updates == 2  # the hung call's offset was not applied
    assert api.calls[-1].fault == "hang"
    assert api.calls[-1].status is None
    with httpx.Client(timeout=5) as client:
        assert len(call(client, api, "getUpdates").json()["result"]) == 2


def test_slow_answers_late_but_does_the_work(api, client):
    api.fail_next("sendMessage", "slow", delay=0.3)
    started = time.monotonic()
    response = call(client, api, "sendMessage", chat_id=USER, text="x")
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    assert len(api.delivered) == 1
    assert api.fault_counts == {"slow": 1}


def test_fault_plan_is_deterministic():
    def pattern(seed: int) -> list[str | None]:
        plan = FaultPlan(rate=0.3, seed=seed, kinds=KINDS)
        decisions = []
        for n in range(300):
            spec = plan.decide("sendMessage" if n % 2 else "getUpdates")
            decisions.append(spec.kind if spec else None)
        return decisions

    assert pattern(1) == pattern(1)
    assert pattern(1) != pattern(2)
    faults = [kind for kind in pattern(1) if kind]
    assert 60 <= len(faults) <= 120
    assert set(faults) == set(KINDS)
    # 400-reply/403 only for calls aimed at a chat
    get_updates = [kind for n, kind in enumerate(pattern(1)) if n % 2 == 0 and kind]
    assert not {"400-reply", "403"} & set(get_updates)
    assert FaultPlan(rate=1.0).decide("getMe") is None  # exempt unless named


def test_fault_plan_on_the_server_counts_attempts_and_deliveries(api, client):
    api.faults = FaultPlan(rate=0.25, seed=7, kinds=["429", "500", "403"], methods={"sendMessage"})
    for n in range(80):
        call(client, api, "sendMessage", chat_id=USER, text=f"m{n}")
        call(client, api, "getMe")
    failed = [c for c in api.calls_of("sendMessage") if not c.ok]
    assert len(api.calls_of("sendMessage")) == 80
    assert len(failed) == sum(api.fault_counts.values()) > 0
    assert len(api.delivered) == 80 - len(failed)
    assert all(c.ok for c in api.calls_of("getMe"))
    assert [m["message_id"] for m in api.delivered] == list(range(1, len(api.delivered) + 1))


# -- real python-telegram-bot -----------------------------------------------------------------


async def test_ptb_application_polls_and_replies(api):
    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]])
        await update.message.reply_text(
            f"<b>echo</b> {html.escape(update.message.text)}",
            parse_mode="HTML",
            reply_markup=keyboard,
            do_quote=True,
        )

    async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("asked: " + " ".join(context.args))

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("pressed")
        await update.callback_query.edit_message_text("done")

    app = ptb_builder(api).build()
    app.add_handler(CommandHandler("ask", on_ask))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(on_button))
    async with running_polling(app):
        asked = api.say("1 < 2 & so on")["message"]
        reply = (await api.await_for(lambda: api.messages_to(USER)))[0]
        assert reply["text"] == "echo 1 < 2 & so on"
        assert reply["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
        assert reply["reply_to_message"]["message_id"] == asked["message_id"]
        assert reply["reply_markup"] == {
            "inline_keyboard": [[{"text": "Again", "callback_data": "again"}]]
        }

        api.say_in_group("/ask@talks_test_bot where is it?")
        group = await api.await_for(lambda: api.messages_to(DEFAULT_GROUP_ID))
        assert group[0]["text"] == "asked: where is it?"

        query = api.push_update(api.callback_query("again", reply))["callback_query"]
        await api.await_for(lambda: api.edits)
        assert api.callback_answers[query["id"]]["text"] == "pressed"
        assert api.message(USER, reply["message_id"])["text"] == "done"
        await api.await_until_idle(timeout=5)

    send = api.calls_of("sendMessage")[0]
    assert send.encoding == "form"  # PTB posts application/x-www-form-urlencoded ...
    assert isinstance(send.raw_params["reply_markup"], str)  # ... with JSON strings inside
    assert isinstance(send.params["reply_markup"], dict)
    assert isinstance(send.params["reply_parameters"], dict)
    assert api.pending_updates == 0
    assert api.redelivered_updates() == []
    assert api.internal_errors == []


async def test_ptb_polling_survives_get_updates_faults(api):
    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("ok")

    app = ptb_builder(api).build()
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    async with running_polling(app):
        await api.await_for(lambda: api.calls_of("getUpdates"))
        api.fail_next("getUpdates", "500")
        api.say("still there?")
        await api.await_for(lambda: api.delivered, timeout=10)
    assert api.fault_counts == {"500": 1}
    assert len(api.delivered) == 1


@pytest.mark.parametrize(
    ("kind", "exception", "text"),
    [
        ("429", RetryAfter, "Flood control exceeded. Retry in 0:00:03"),
        ("403", Forbidden, "Forbidden: bot was blocked by the user"),
        ("400-reply", BadRequest, "Message to be replied not found"),
        ("500", NetworkError, "Internal Server Error"),
        ("502", NetworkError, "Bad Gateway (502)"),
        ("drop", NetworkError, ""),
        ("hang", TimedOut, ""),
    ],
)
async def test_ptb_sees_each_fault_as_telegram_would_raise_it(
    api, monkeypatch, kind, exception, text
):
    # Without PTB_TIMEDELTA, PTB's own RetryAfter warns (PTBDeprecationWarning) when built.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    request = HTTPXRequest(read_timeout=0.5)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        api.fail_next("sendMessage", kind, retry_after=3)
        with pytest.raises(exception) as caught:
            await bot.send_message(USER, "x")
        assert text in str(caught.value)
        assert api.delivered == []
        message = await bot.send_message(USER, "x")
        assert message.message_id == 1


async def test_ptb_wrong_token_is_invalid_token(api):
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=api.base_url):
            pass
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        async with Bot(api.token, base_url=api.base_url) as bot:
            await bot.send_message(USER, "1 < 2", parse_mode="HTML")
