"""A local stand-in for the Telegram Bot API server.

``BotAPIStandIn`` is a small HTTP/1.1 server (standard library, one thread per connection,
keep-alive) that answers like ``api.telegram.org`` for the methods a bot uses, validates like
Telegram (same 400 descriptions), records every call, and can inject faults. Point a real PTB
application at it with ``ApplicationBuilder().token(api.token).base_url(api.base_url)``; it works
the same for a bot running in another process.

See ``tests/standin/__init__.py`` for an overview of the test-side API.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import itertools
import json
import re
import select
import socket
import sys
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .builders import DEFAULT_GROUP_ID, DEFAULT_USER_ID, UpdateBuilders
from .faults import FaultPlan, FaultSpec
from .telegram_html import HTMLParseError, parse_html, trim_text, utf16_len

__all__ = ["DEFAULT_TOKEN", "APIError", "BotAPIStandIn", "Call"]

DEFAULT_TOKEN = "123456789:AAStandInTestTokenForTalksBot00000000"
MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA = 64
MAX_INLINE_RESULTS = 50

QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
REPLY_NOT_FOUND = "Bad Request: message to be replied not found"
BLOCKED = "Forbidden: bot was blocked by the user"
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    b"</body>\r\n</html>\r\n"
)

# Parameters that are strings even when they look like numbers, booleans or JSON.
STRING_FIELDS = frozenset(
    "text caption message_text query data parse_mode url secret_token next_offset "
    "callback_query_id inline_query_id inline_message_id language_code action title "
    "description short_description name emoji switch_pm_text switch_pm_parameter "
    "business_connection_id message_effect_id custom_emoji_id ip_address sticker photo "
    "document audio video voice animation thumbnail file_id quote certificate".split()
)
_INT = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")

BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)
INLINE_RESULT_TYPES = frozenset(
    "article photo gif mpeg4_gif video audio voice document location venue contact game "
    "sticker".split()
)
DEFAULT_ALLOWED_UPDATES = None  # Telegram's default: everything but the three below
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_READ_ONLY = frozenset({"getUpdates", "getMe", "getMyCommands", "getWebhookInfo"})
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class APIError(Exception):
    """An error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> APIError:
    return APIError(400, "Bad Request: " + description)


@dataclass(slots=True)
class Call:
    """One request the stand-in received.

    ``status`` is None when no answer was sent ("drop"/"hang"); ``response`` is the JSON answer
    (None for those and for the HTML 502); ``fault`` is the injected fault kind, if any;
    ``encoding`` is how the parameters came: "form", "multipart", "json", "query" or "none".
    """

    seq: int
    method: str
    params: dict[str, Any]
    status: int | None = None
    response: dict[str, Any] | None = None
    fault: str | None = None
    encoding: str = "none"
    started: float = 0.0
    finished: float = 0.0
    raw_params: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result") if self.ok and self.response else None

    @property
    def error(self) -> str | None:
        if self.response is not None and not self.response.get("ok"):
            return self.response.get("description")
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True
    standin: BotAPIStandIn

    def __init__(self, address: tuple[str, int], standin: BotAPIStandIn) -> None:
        self.standin = standin
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away; nothing to report
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BotAPIStandIn/1.0"
    sys_version = ""
    server: _Server

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.server.standin._handle(self)

    do_GET = do_POST

    def read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_body(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            f"Server: {self.server_version}\r\n"
            f"Date: {self.date_time_string()}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Connection: {'close' if self.close_connection else 'keep-alive'}\r\n\r\n"
        )
        try:
            self.wfile.write(head.encode("latin-1") + body)
        except OSError:
            self.close_connection = True

    def client_gone(self) -> bool:
        """True once the client closed its side of the connection."""
        try:
            poller = select.poll()
            poller.register(self.connection, select.POLLIN | select.POLLHUP | select.POLLERR)
            if not poller.poll(0):
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True


def _coerce(name: str, value: str) -> Any:
    """A form/query/multipart value back to what the client JSON-serialised."""
    if name in STRING_FIELDS:
        return value
    if name.endswith("chat_id") or name.endswith("_id") or name in ("offset", "limit", "timeout"):
        if _INT.fullmatch(value):
            return int(value)
        return value
    if value[:1] in ("{", "[", '"'):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if value in ("true", "false"):
        return value == "true"
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    return value


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise _bad("can't parse multipart/form-data: no boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    result: dict[str, Any] = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        part = part.removeprefix(b"\r\n")
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        content = content.removesuffix(b"\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, val = line.partition(":")
            headers[key.strip().lower()] = val.strip()
        disposition = headers.get("content-disposition", "")
        params = dict(
            (k.lower(), v)
            for k, v in re.findall(r';\s*([\w*-]+)="?((?:[^"\\]|\\.)*?)"?(?=;|$)', disposition)
        )
        name = params.get("name")
        if name is None:
            continue
        if "filename" in params:
            result[name] = {
                "filename": params["filename"],
                "content_type": headers.get("content-type", "application/octet-stream"),
                "size": len(content),
                "content": content,
            }
        else:
            result[name] = content.decode("utf-8", "surrogateescape")
    return result


class BotAPIStandIn(UpdateBuilders):
    """A Telegram Bot API server stand-in; see the module and package docstrings.

    ``token``: requests for any other token get 404 "Not Found" (PTB: InvalidToken).
    ``strict_chats``: sending to a chat nobody created (via a builder or ``add_chat``) answers
    "Bad Request: chat not found" instead of inventing the chat.
    ``privacy_mode``: drop pushed group messages a bot with privacy mode on would not get
    (anything but commands, mentions of the bot, replies to the bot and service messages).
    ``query_timeout``: callback/inline queries older than this many seconds can't be answered.
    ``require_https_webhook``: refuse ``setWebhook`` with a non-https URL, as Telegram does.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        username: str = "talks_test_bot",
        first_name: str = "Talks Test Bot",
        bot_id: int | None = None,
        strict_chats: bool = False,
        privacy_mode: bool = False,
        query_timeout: float | None = None,
        first_update_id: int = 1,
        require_https_webhook: bool = False,
        webhook_retry_delay: float = 0.1,
    ) -> None:
        self.token = token
        self.host = host
        self._requested_port = port
        self.strict_chats = strict_chats
        self.privacy_mode = privacy_mode
        self.query_timeout = query_timeout
        self.require_https_webhook = require_https_webhook
        self.webhook_retry_delay = webhook_retry_delay
        prefix = token.split(":", 1)[0]
        if bot_id is None:
            bot_id = int(prefix) if prefix.isdigit() else 123456789
        self._bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        # the bot as a User inside messages (getMe's extra fields are not there)
        self._bot_from = {k: self._bot_user[k] for k in ("id", "is_bot", "first_name", "username")}

        self._lock = threading.RLock()
        self._updates_cond = threading.Condition(self._lock)
        self._changed = threading.Condition(self._lock)
        self._stop_event = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._webhook_thread: threading.Thread | None = None

        # updates
        self._updates: deque[tuple[int, str | None, dict[str, Any]]] = deque()
        self._next_update_id = first_update_id
        self._confirmed_offset = 0
        self._allowed: frozenset[str] | None = DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self.update_deliveries: Counter[int] = Counter()
        self.filtered_updates: list[dict[str, Any]] = []

        # world state
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._store: dict[int, dict[int, dict[str, Any]]] = {}
        self._message_ids: dict[int, int] = {}
        self._blocked: set[int] = set()
        self._callback_queries: dict[str, dict[str, Any]] = {}
        self._inline_queries: dict[str, dict[str, Any]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.chat_actions: list[tuple[int | str, str]] = []
        self.deleted: list[tuple[int, int]] = []
        self._webhook: dict[str, Any] = {}
        self._webhook_generation = 0

        # records
        self._calls: list[Call] = []
        self._seq = itertools.count(1)
        self._delivered: list[dict[str, Any]] = []
        self._delivered_by_chat: dict[int, list[dict[str, Any]]] = {}
        self._edits: list[dict[str, Any]] = []
        self.fault_counts: Counter[str] = Counter()
        self.internal_errors: list[str] = []
        self.faults_injected: list[tuple[str, str]] = []
        self._faults: FaultPlan | None = None
        self._scripted: dict[str, deque[FaultSpec]] = {}
        self._inflight = 0
        self._hanging = 0
        self._last_activity = time.monotonic()

        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {}
        for name in (
            "getMe sendMessage editMessageText editMessageReplyMarkup deleteMessage "
            "answerCallbackQuery answerInlineQuery setMyCommands getMyCommands deleteMyCommands "
            "setWebhook deleteWebhook getWebhookInfo sendChatAction close logOut"
        ).split():
            self._methods[name] = getattr(self, "_m_" + name)
        self._methods["getUpdates"] = self._m_getUpdates_unused
        self._canonical = {name.lower(): name for name in self._methods}

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> BotAPIStandIn:
        if self._server is not None:
            return self
        self._stop_event.clear()
        self._server = _Server((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"BotAPIStandIn:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server = self._server
        if server is None:
            return
        self._stop_event.set()
        with self._lock:
            self._webhook_generation += 1
            self._updates_cond.notify_all()
            self._changed.notify_all()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._webhook_thread is not None:
            self._webhook_thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> BotAPIStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> BotAPIStandIn:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.stop)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the stand-in is not started")
        return self._server.server_address[1]

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends the token and ``/method``."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    def method_url(self, method: str, token: str | None = None) -> str:
        return f"{self.base_url}{self.token if token is None else token}/{method}"

    # -- configuration -----------------------------------------------------------------------

    @property
    def faults(self) -> FaultPlan | None:
        return self._faults

    @faults.setter
    def faults(self, plan: FaultPlan | None) -> None:
        with self._lock:
            self._faults = plan

    def fail_next(
        self,
        method: str = "*",
        kind: str = "500",
        *,
        times: int = 1,
        retry_after: int = 1,
        delay: float | None = None,
    ) -> None:
        """Script a fault for the next ``times`` calls of ``method`` ("*" = any method).

        Scripted faults come before the random plan and apply to any method (even exempt ones).
        """
        spec = FaultSpec(kind, retry_after=retry_after, delay=delay)
        key = method if method == "*" else self._canonical_name(method)
        with self._lock:
            self._scripted.setdefault(key, deque()).extend([spec] * times)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults = None
            self._scripted.clear()

    def register_method(
        self, name: str, func: Callable[[BotAPIStandIn, dict[str, Any]], Any]
    ) -> None:
        """Add (or replace) a method: ``func(api, params)`` runs under the lock and returns the
        result or raises :class:`APIError`."""
        with self._lock:
            self._methods[name] = lambda params: func(self, params)
            self._canonical[name.lower()] = name

    def block(self, user_id: int) -> None:
        """The user blocked the bot: sends to their private chat answer 403."""
        with self._lock:
            self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        with self._lock:
            self._blocked.discard(user_id)

    def add_chat(self, chat: dict[str, Any]) -> None:
        with self._lock:
            self._chats[chat["id"]] = dict(chat)
            if chat.get("username"):
                self._chats["@" + chat["username"].lower()] = self._chats[chat["id"]]

    def _canonical_name(self, method: str) -> str:
        name = self._canonical.get(method.lower())
        if name is None:
            raise ValueError(f"the stand-in has no method {method!r}")
        return name

    # -- updates -----------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates/the webhook; assigns ``update_id`` if missing and wakes
        long-polling clients. Returns the update as queued."""
        return self.push_updates([update])[0]

    def push_updates(self, updates: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Queue several updates at once (one lock, one wake-up)."""
        queued = []
        with self._lock:
            for update in updates:
                update = dict(update)
                if "update_id" in update:
                    self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
                else:
                    update["update_id"] = self._next_update_id
                    self._next_update_id += 1
                kind = next((k for k in update if k != "update_id"), None)
                if self.privacy_mode and not self._passes_privacy(update):
                    self.filtered_updates.append(update)
                    queued.append(update)
                    continue
                self._updates.append((update["update_id"], kind, update))
                queued.append(update)
            self._last_activity = time.monotonic()
            self._updates_cond.notify_all()
            self._changed.notify_all()
        return queued

    def _passes_privacy(self, update: dict[str, Any]) -> bool:
        message = update.get("message") or update.get("edited_message")
        if not message or message.get("chat", {}).get("type") not in ("group", "supergroup"):
            return True
        text = message.get("text") or message.get("caption")
        if text is None:
            return True  # service messages and media without caption... keep it simple
        username = self._bot_user["username"].lower()
        for entity in message.get("entities") or message.get("caption_entities") or []:
            piece = text.encode("utf-16-le")[
                2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])
            ]
            word = piece.decode("utf-16-le").lower()
            if entity["type"] == "bot_command" and (
                "@" not in word or word.endswith("@" + username)
            ):
                return True
            if entity["type"] == "mention" and word == "@" + username:
                return True
        reply = message.get("reply_to_message")
        return bool(reply and reply.get("from", {}).get("id") == self._bot_user["id"])

    @property
    def hanging(self) -> int:
        """How many connections a "hang" fault is holding open right now."""
        with self._lock:
            return self._hanging

    @property
    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    @property
    def confirmed_offset(self) -> int:
        """The highest offset a getUpdates call confirmed with (0 = none yet)."""
        with self._lock:
            return self._confirmed_offset

    @property
    def next_update_id(self) -> int:
        with self._lock:
            return self._next_update_id

    def redelivered_updates(self) -> list[int]:
        """Update ids getUpdates returned more than once (e.g. an unconfirmed batch)."""
        with self._lock:
            return sorted(uid for uid, n in self.update_deliveries.items() if n > 1)

    def _confirm(self, offset: int) -> None:
        updates = self._updates
        if offset > 0:
            while updates and updates[0][0] < offset:
                updates.popleft()
            self._confirmed_offset = max(self._confirmed_offset, offset)
        elif offset < 0:
            while len(updates) > -offset:
                updates.popleft()
            self._confirmed_offset = updates[0][0] if updates else self._next_update_id

    def _drop_disallowed(self) -> None:
        allowed = self._allowed
        if not any(
            (kind in NOT_BY_DEFAULT) if allowed is None else (kind not in allowed)
            for _, kind, _ in self._updates
        ):
            return
        kept = deque()
        for item in self._updates:
            kind = item[1]
            if (kind in NOT_BY_DEFAULT) if allowed is None else (kind not in allowed):
                self.filtered_updates.append(item[2])
            else:
                kept.append(item)
        self._updates = kept

    def _get_updates(self, params: dict[str, Any], handler: _Handler) -> dict[str, Any]:
        try:
            offset = int(params.get("offset") or 0)
            limit = int(params.get("limit") or 100)
            timeout = float(params.get("timeout") or 0)
        except (TypeError, ValueError) as exc:
            raise _bad(f"wrong parameter in getUpdates: {exc}") from None
        limit = min(max(limit, 1), 100)
        timeout = max(timeout, 0.0)
        allowed = params.get("allowed_updates")
        with self._lock:
            if self._webhook.get("url"):
                raise APIError(409, WEBHOOK_CONFLICT)
            if allowed is not None:
                if isinstance(allowed, str):
                    allowed = [allowed]
                self._allowed = frozenset(allowed) if allowed else None
            self._confirm(offset)
            self._poll_generation += 1
            generation = self._poll_generation
            self._updates_cond.notify_all()  # an older long poll ends with 409
            deadline = time.monotonic() + timeout
            while True:
                if generation != self._poll_generation:
                    raise APIError(409, POLL_CONFLICT)
                self._drop_disallowed()
                if self._updates or self._stop_event.is_set():
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._updates_cond.wait(min(remaining, 1.0))
                if handler.client_gone():
                    break
            batch = [update for _, _, update in itertools.islice(self._updates, limit)]
            for update in batch:
                self.update_deliveries[update["update_id"]] += 1
            return {"ok": True, "result": batch}

    def _m_getUpdates_unused(self, params: dict[str, Any]) -> Any:  # pragma: no cover
        raise AssertionError("getUpdates is handled by _get_updates")

    # -- request handling ------------------------------------------------------------------

    def _handle(self, h: _Handler) -> None:
        started = time.monotonic()
        body = h.read_body()
        path, _, query = h.path.partition("?")
        parts = path.split("/")
        if len(parts) != 3 or not parts[1].startswith("bot") or parts[1][3:] != self.token:
            h.send_body(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
            return
        name = self._canonical.get(parts[2].lower())
        try:
            raw, encoding = self._decode(h, body, query)
        except APIError as exc:
            self._finish(
                h, Call(next(self._seq), name or parts[2], {}), started, exc.payload(), exc.code
            )
            return
        params = {
            k: _coerce(k, v) if isinstance(v, str) and encoding != "json" else v
            for k, v in raw.items()
        }
        if encoding == "json":
            for key, value in params.items():
                if isinstance(value, str) and key not in STRING_FIELDS and value[:1] in ("{", "["):
                    with contextlib.suppress(ValueError):
                        params[key] = json.loads(value)
        call = Call(next(self._seq), name or parts[2], params, encoding=encoding, raw_params=raw)
        if name is None:
            self._finish(
                h, call, started, {"ok": False, "error_code": 404, "description": "Not Found"}, 404
            )
            return

        with self._lock:
            spec = self._take_fault(name)
            if name != "getUpdates":
                self._inflight += 1
            self._last_activity = time.monotonic()
        try:
            if spec is not None:
                call.fault = spec.kind
                if spec.kind == "slow":
                    self._stop_event.wait(0.5 if spec.delay is None else spec.delay)
                elif self._inject(h, call, spec, started):
                    return
            try:
                if name == "getUpdates":
                    payload = self._get_updates(params, h)
                else:
                    with self._lock:
                        payload = {"ok": True, "result": self._methods[name](params)}
                status = 200
            except APIError as exc:
                payload, status = exc.payload(), exc.code
            except Exception as exc:  # a bug in the stand-in: answer 500 and keep it visible
                self.internal_errors.append(traceback.format_exc())
                payload = APIError(500, f"Internal Server Error (stand-in bug: {exc!r})").payload()
                status = 500
            self._finish(h, call, started, payload, status)
        finally:
            with self._lock:
                if name != "getUpdates":
                    self._inflight -= 1
                self._last_activity = time.monotonic()
                self._changed.notify_all()

    def _decode(self, h: _Handler, body: bytes, query: str) -> tuple[dict[str, Any], str]:
        raw: dict[str, Any] = {}
        encoding = "none"
        if query:
            raw.update(parse_qsl(query, keep_blank_values=True))
            encoding = "query"
        if not body:
            return raw, encoding
        content_type = h.headers.get("Content-Type") or ""
        mime = content_type.split(";", 1)[0].strip().lower()
        try:
            if mime == "application/json":
                data = json.loads(body)
                if not isinstance(data, dict):
                    raise _bad("can't parse JSON object")
                raw.update(data)
                return raw, "json"
            if mime == "multipart/form-data":
                raw.update(_parse_multipart(body, content_type))
                return raw, "multipart"
            raw.update(
                parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            )
            return raw, "form"
        except UnicodeDecodeError:
            raise _bad("strings must be encoded in UTF-8") from None
        except ValueError:
            raise _bad("can't parse JSON object") from None

    def _take_fault(self, method: str) -> FaultSpec | None:
        for key in (method, "*"):
            queue = self._scripted.get(key)
            if queue:
                spec = queue.popleft()
                break
        else:
            spec = self._faults.decide(method) if self._faults is not None else None
        if spec is not None:
            self.fault_counts[spec.kind] += 1
            self.faults_injected.append((method, spec.kind))
        return spec

    def _inject(self, h: _Handler, call: Call, spec: FaultSpec, started: float) -> bool:
        """Answer with the fault; False for "slow" (then the call proceeds normally)."""
        kind = spec.kind
        if kind == "drop":
            h.close_connection = True
            self._finish(h, call, started, None, None)
            return True
        if kind == "hang":
            deadline = time.monotonic() + (30.0 if spec.delay is None else spec.delay)
            with self._lock:
                self._record(call, started)
                self._hanging += 1
            try:
                while time.monotonic() < deadline and not self._stop_event.is_set():
                    if h.client_gone():
                        break
                    self._stop_event.wait(0.02)
            finally:
                with self._lock:
                    self._hanging -= 1
                    call.finished = time.monotonic()
                    self._changed.notify_all()
            h.close_connection = True
            return True
        if kind == "502":
            h.close_connection = True
            with self._lock:
                call.status = 502
                self._record(call, started)
            h.send_body(502, BAD_GATEWAY_HTML, "text/html")
            return True
        error = {
            "429": APIError(
                429,
                f"Too Many Requests: retry after {spec.retry_after}",
                {"retry_after": spec.retry_after},
            ),
            "500": APIError(500, "Internal Server Error"),
            "502-json": APIError(502, "Bad Gateway"),
            "403": APIError(403, BLOCKED),
            "400-reply": APIError(400, REPLY_NOT_FOUND),
        }[kind]
        self._finish(h, call, started, error.payload(), error.code)
        return True

    def _record(self, call: Call, started: float) -> None:
        call.started = started
        call.finished = time.monotonic()
        self._calls.append(call)
        self._last_activity = call.finished
        self._changed.notify_all()

    def _finish(
        self,
        h: _Handler,
        call: Call,
        started: float,
        payload: dict[str, Any] | None,
        status: int | None,
    ) -> None:
        call.status = status
        call.response = payload
        body = None
        if payload is not None:
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(
                "utf-8", "surrogatepass"
            )
        with self._lock:
            self._record(call, started)
        if body is None:
            h.close_connection = True
        else:
            h.send_body(status or 200, body)

    # -- validation helpers ------------------------------------------------------------------

    def _chat(self, chat_id: Any, *, sending: bool = True) -> dict[str, Any]:
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if isinstance(chat_id, str):
            if _INT.fullmatch(chat_id.strip()):
                chat_id = int(chat_id)
            elif chat_id.startswith("@"):
                chat = self._chats.get(chat_id.lower())
                if chat is None:
                    raise _bad("chat not found")
                chat_id = chat["id"]
            else:
                raise _bad("chat not found")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise _bad("chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            if self.strict_chats:
                raise _bad("chat not found")
            if chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
            else:
                chat = {
                    "id": chat_id,
                    "type": "supergroup" if chat_id <= -1000000000000 else "group",
                    "title": "Test Group",
                }
            self._chats[chat_id] = chat
        if sending and chat_id in self._blocked:
            raise APIError(403, BLOCKED)
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        with self._lock:
            n = self._message_ids.get(chat_id, 0) + 1
            self._message_ids[chat_id] = n
            return n

    def _format(
        self, text: Any, parse_mode: Any, entities: Any
    ) -> tuple[str, list[dict[str, Any]]]:
        if text is None or text == "":
            raise _bad("message text is empty")
        if not isinstance(text, str):
            text = json.dumps(text) if isinstance(text, (dict, list, bool)) else str(text)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise _bad("text must be encoded in UTF-8") from None
        if entities not in (None, "", []):
            if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
                raise _bad("can't parse entities JSON object")
            plain, found = text, [dict(e) for e in entities]
        elif parse_mode:
            mode = str(parse_mode).lower()
            if mode == "html":
                try:
                    plain, found = parse_html(text)
                except HTMLParseError as exc:
                    raise APIError(400, exc.description) from None
            elif mode in ("markdown", "markdownv2"):
                plain, found = text, []  # not validated by the stand-in
            else:
                raise _bad("unsupported parse_mode")
        else:
            plain, found = text, []
        plain, found = trim_text(plain, found)
        if not plain:
            raise _bad("message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        return plain, found

    def _reply_markup(self, markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
        """Validate reply_markup; returns the inline keyboard to echo in the Message, if any."""
        if markup is None or markup == "":
            return None
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError:
                raise _bad("can't parse reply keyboard markup JSON object") from None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            keyboard = markup["inline_keyboard"]
            if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
                raise _bad(
                    'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array '
                    "of Arrays"
                )
            count = 0
            for row in keyboard:
                for button in row:
                    count += 1
                    self._check_button(button)
            if count > 100:
                raise _bad("reply markup is too long")
            return {"inline_keyboard": keyboard}
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            keyboard = markup["keyboard"]
            if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
                raise _bad(
                    'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
                )
            return None
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return None
        raise _bad("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_button(button: Any) -> None:
        prefix = "can't parse inline keyboard button: "
        if not isinstance(button, dict):
            raise _bad(prefix + "InlineKeyboardButton must be an Object")
        if not isinstance(button.get("text"), str):
            raise _bad(prefix + 'Field "text" must be of type String')
        actions = [key for key in BUTTON_ACTIONS if button.get(key) is not None]
        if not actions:
            raise _bad(prefix + "Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            # Telegram's own text is not known here; the stand-in insists on exactly one action.
            raise _bad(
                prefix
                + "exactly one of the optional fields must be used, found "
                + ", ".join(actions)
            )
        if "callback_data" in actions:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
                raise _bad("BUTTON_DATA_INVALID")
        if "url" in actions:
            url = button["url"]
            if not isinstance(url, str) or not _valid_button_url(url):
                raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _resolve_reply(self, chat: dict[str, Any], params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if reply in (None, ""):
            if params.get("reply_to_message_id") in (None, ""):
                return None
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if not isinstance(reply, dict):
            raise _bad("can't parse reply parameters JSON object")
        target = chat
        if reply.get("chat_id") not in (None, "", chat["id"]):
            target = self._chat(reply["chat_id"], sending=False)
        try:
            message_id = int(reply.get("message_id"))
        except (TypeError, ValueError):
            raise _bad("message to be replied not found") from None
        original = self._store.get(target["id"], {}).get(message_id)
        if original is None:
            allow = reply.get("allow_sending_without_reply") or params.get(
                "allow_sending_without_reply"
            )
            if allow in (True, "true"):
                return None
            raise APIError(400, REPLY_NOT_FOUND)
        return {k: v for k, v in original.items() if k != "reply_to_message"}

    def _message_to_edit(self, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        chat = self._chat(params.get("chat_id"), sending=False)
        if params.get("message_id") in (None, ""):
            raise _bad("message identifier is not specified")
        try:
            message_id = int(params["message_id"])
        except (TypeError, ValueError):
            raise _bad("message identifier is not specified") from None
        message = self._store.get(chat["id"], {}).get(message_id)
        if message is None:
            raise _bad("message to edit not found")
        if message.get("from", {}).get("id") != self._bot_user["id"]:
            raise _bad("message can't be edited")
        return chat, message

    # -- methods -----------------------------------------------------------------------------

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self._bot_user)

    @property
    def me(self) -> dict[str, Any]:
        """What getMe answers."""
        return dict(self._bot_user)

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        text, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = self._reply_markup(params.get("reply_markup"))
        reply = self._resolve_reply(chat, params)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self._bot_from,
            "chat": chat,
            "date": int(time.time()),
        }
        if params.get("message_thread_id") not in (None, ""):
            message["message_thread_id"] = params["message_thread_id"]
        if reply is not None:
            message["reply_to_message"] = reply
        message["text"] = text
        if entities:
            message["entities"] = entities
        if markup is not None:
            message["reply_markup"] = markup
        self._store.setdefault(chat["id"], {})[message["message_id"]] = message
        self._delivered.append(message)
        self._delivered_by_chat.setdefault(chat["id"], []).append(message)
        return message

    def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        if params.get("inline_message_id") not in (None, ""):
            self._format(params.get("text"), params.get("parse_mode"), params.get("entities"))
            self._reply_markup(params.get("reply_markup"), inline_only=True)
            self._edits.append(
                {"inline_message_id": params["inline_message_id"], "text": params.get("text")}
            )
            return True
        _chat, message = self._message_to_edit(params)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        text, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = self._reply_markup(params.get("reply_markup"), inline_only=True)
        if (
            text == message.get("text")
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise APIError(400, NOT_MODIFIED)
        edited = {k: v for k, v in message.items() if k not in ("entities", "reply_markup")}
        edited["text"] = text
        if entities:
            edited["entities"] = entities
        if markup is not None:
            edited["reply_markup"] = markup
        edited["edit_date"] = int(time.time())
        self._store[message["chat"]["id"]][message["message_id"]] = edited
        self._edits.append(edited)
        return edited

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        if params.get("inline_message_id") not in (None, ""):
            self._reply_markup(params.get("reply_markup"), inline_only=True)
            return True
        _chat, message = self._message_to_edit(params)
        markup = self._reply_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.get("reply_markup"):
            raise APIError(400, NOT_MODIFIED)
        edited = {k: v for k, v in message.items() if k != "reply_markup"}
        if markup is not None:
            edited["reply_markup"] = markup
        edited["edit_date"] = int(time.time())
        self._store[message["chat"]["id"]][message["message_id"]] = edited
        self._edits.append(edited)
        return edited

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params.get("chat_id"), sending=False)
        try:
            message_id = int(params.get("message_id"))
        except (TypeError, ValueError):
            raise _bad("message identifier is not specified") from None
        if self._store.get(chat["id"], {}).pop(message_id, None) is None:
            raise _bad("message to delete not found")
        self.deleted.append((chat["id"], message_id))
        return True

    def _query(self, registry: dict[str, dict[str, Any]], query_id: Any) -> dict[str, Any]:
        entry = registry.get(str(query_id)) if query_id not in (None, "") else None
        if entry is None or entry["answered"]:
            raise APIError(400, QUERY_INVALID)
        if (
            self.query_timeout is not None
            and time.monotonic() - entry["created"] > self.query_timeout
        ):
            raise APIError(400, QUERY_INVALID)
        return entry

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        entry = self._query(self._callback_queries, params.get("callback_query_id"))
        entry["answered"] = True
        self.callback_answers[str(params["callback_query_id"])] = params
        return True

    def _m_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad("can't parse inline query results JSON object")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict):
                raise _bad("can't parse inline query result: InlineQueryResult must be an Object")
            if result.get("type") not in INLINE_RESULT_TYPES:
                raise _bad(
                    "can't parse inline query result: Unsupported inline query result type "
                    f'"{result.get("type")}"'
                )
            result_id = result.get("id")
            if result_id is None or not 1 <= len(str(result_id).encode("utf-8")) <= 64:
                raise _bad("RESULT_ID_INVALID")
            if str(result_id) in seen:
                raise _bad("RESULT_ID_DUPLICATE")
            seen.add(str(result_id))
            if result.get("reply_markup") is not None:
                self._reply_markup(result["reply_markup"], inline_only=True)
            content = result.get("input_message_content")
            if result["type"] == "article" and not isinstance(content, dict):
                raise _bad(
                    "can't parse inline query result: "
                    'Field "input_message_content" must be of type Object'
                )
            if isinstance(content, dict) and "message_text" in content:
                self._format(
                    content["message_text"], content.get("parse_mode"), content.get("entities")
                )
        next_offset = params.get("next_offset")
        if next_offset is not None and len(str(next_offset).encode("utf-8")) > 64:
            raise _bad("NEXT_OFFSET_INVALID")
        entry = self._query(self._inline_queries, params.get("inline_query_id"))
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad("RESULTS_TOO_MUCH")
        entry["answered"] = True
        self.inline_answers[str(params["inline_query_id"])] = params
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if isinstance(scope, str):
            scope = json.loads(scope)
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand: BotCommand must be an Object")
            name = str(command.get("command", "")).lower().removeprefix("/")
            if not _COMMAND.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            description = str(command.get("description", "")).strip()
            if not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self.commands[self._commands_key(params)] = cleaned
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self.commands.get(self._commands_key(params), []))

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params.get("chat_id"))
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((chat["id"], action))
        return True

    def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True

    # -- webhooks ----------------------------------------------------------------------------

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return self._m_deleteWebhook(params)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _bad("bad webhook: Failed to resolve host: Name or service not known")
        if self.require_https_webhook and parts.scheme != "https":
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret not in (None, "") and not _SECRET.fullmatch(str(secret)):
            raise _bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates") in (True, "true"):
            self._updates.clear()
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed = frozenset(allowed) if allowed else None
        self._webhook = {
            "url": url,
            "secret_token": None if secret in (None, "") else str(secret),
            "max_connections": int(params.get("max_connections") or 40),
        }
        self._webhook_generation += 1
        generation = self._webhook_generation
        self._webhook_thread = threading.Thread(
            target=self._webhook_loop, args=(generation,), name="BotAPIStandIn-webhook", daemon=True
        )
        self._webhook_thread.start()
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates") in (True, "true"):
            self._updates.clear()
        self._webhook = {}
        self._webhook_generation += 1
        self._updates_cond.notify_all()
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook.get("url"):
            info["max_connections"] = self._webhook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if self._allowed is not None:
                info["allowed_updates"] = sorted(self._allowed)
        for key in ("last_error_date", "last_error_message"):
            if key in self._webhook:
                info[key] = self._webhook[key]
        return info

    def _webhook_loop(self, generation: int) -> None:
        connection: http.client.HTTPConnection | None = None
        while True:
            with self._lock:
                while (
                    generation == self._webhook_generation
                    and not self._stop_event.is_set()
                    and not self._updates
                ):
                    self._updates_cond.wait(0.5)
                    self._drop_disallowed()
                if generation != self._webhook_generation or self._stop_event.is_set():
                    break
                update_id, _, update = self._updates[0]
                url = urlsplit(self._webhook["url"])
                secret = self._webhook.get("secret_token")
            body = json.dumps(update, ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json"}
            if secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            error = None
            try:
                if connection is None:
                    cls = (
                        http.client.HTTPSConnection
                        if url.scheme == "https"
                        else http.client.HTTPConnection
                    )
                    connection = cls(url.hostname, url.port, timeout=10)
                path = (url.path or "/") + (f"?{url.query}" if url.query else "")
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if not 200 <= response.status < 300:
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (OSError, http.client.HTTPException) as exc:
                error = f"Connection error: {exc}"
                with contextlib.suppress(Exception):
                    if connection is not None:
                        connection.close()
                connection = None
            with self._lock:
                self.update_deliveries[update_id] += 1
                if error is None:
                    if self._updates and self._updates[0][0] == update_id:
                        self._updates.popleft()
                        self._confirmed_offset = max(self._confirmed_offset, update_id + 1)
                else:
                    self._webhook["last_error_date"] = int(time.time())
                    self._webhook["last_error_message"] = error
                self._last_activity = time.monotonic()
                self._changed.notify_all()
            if error is not None:
                self._stop_event.wait(self.webhook_retry_delay)
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    # -- records -----------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every request received, in order (faulted and failed ones included)."""
        with self._lock:
            return list(self._calls)

    @property
    def sent(self) -> list[Call]:
        """The successful calls that act (all but getUpdates/getMe/getMyCommands/getWebhookInfo)."""
        with self._lock:
            return [c for c in self._calls if c.ok and c.method not in _READ_ONLY]

    def calls_of(self, method: str, *, ok: bool | None = None) -> list[Call]:
        name = self._canonical.get(method.lower(), method)
        with self._lock:
            return [c for c in self._calls if c.method == name and (ok is None or c.ok == ok)]

    @property
    def delivered(self) -> list[dict[str, Any]]:
        """Messages the bot successfully sent, as they were sent (later edits not applied)."""
        with self._lock:
            return list(self._delivered)

    @property
    def edits(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._edits)

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot successfully sent to ``chat_id``, in order, as sent."""
        with self._lock:
            return list(self._delivered_by_chat.get(chat_id, ()))

    def texts_to(self, chat_id: int) -> list[str]:
        return [m.get("text", "") for m in self.messages_to(chat_id)]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current version of a stored message (edits applied; None once deleted)."""
        with self._lock:
            return self._store.get(chat_id, {}).get(message_id)

    def chat_history(self, chat_id: int) -> list[dict[str, Any]]:
        """All current messages of a chat, users' and the bot's, by message_id."""
        with self._lock:
            chat = self._store.get(chat_id, {})
            return [chat[k] for k in sorted(chat)]

    def clear_records(self) -> None:
        """Forget recorded calls, deliveries and fault counts (not chats, messages or updates)."""
        with self._lock:
            self._calls.clear()
            self._delivered.clear()
            self._delivered_by_chat.clear()
            self._edits.clear()
            self.fault_counts.clear()
            self.faults_injected.clear()
            self.update_deliveries.clear()

    # -- waiting -----------------------------------------------------------------------------

    def _is_idle(self, quiet: float) -> bool:
        return (
            not self._updates
            and self._inflight == 0
            and time.monotonic() - self._last_activity >= quiet
        )

    def _timeout_error(self, what: str, timeout: float) -> TimeoutError:
        with self._lock:
            recent = ", ".join(
                f"{c.method}->{c.status}{'/' + c.fault if c.fault else ''}"
                for c in self._calls[-8:]
            )
            return TimeoutError(
                f"{what} not reached within {timeout}s (pending_updates={len(self._updates)}, "
                f"in_flight={self._inflight}, last calls: {recent or 'none'})"
            )

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Block until ``predicate()`` is truthy (re-checked on every call/update); returns its
        value or raises TimeoutError. Not for use on an event loop thread: use ``await_for``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._timeout_error("condition", timeout)
                self._changed.wait(min(remaining, 0.05))

    def wait_until_idle(self, timeout: float = 10.0, quiet: float = 0.1) -> None:
        """Block until no update is pending, no request is in flight and nothing happened for
        ``quiet`` seconds (a bot that is still computing without calling the API looks idle)."""
        self.wait_for(lambda: self._is_idle(quiet), timeout)

    async def await_for(
        self, predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.005
    ) -> Any:
        """``wait_for`` for asyncio code: polls with ``asyncio.sleep`` so the loop keeps running."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise self._timeout_error("condition", timeout)
            await asyncio.sleep(interval)

    async def await_until_idle(self, timeout: float = 10.0, quiet: float = 0.1) -> None:
        await self.await_for(lambda: self._is_idle(quiet), timeout)

    async def await_idle(self, timeout: float = 10.0, quiet: float = 0.1) -> None:
        await self.await_until_idle(timeout, quiet)

    # -- conveniences ------------------------------------------------------------------------

    def say(self, text: str, user_id: int = DEFAULT_USER_ID, **kwargs: Any) -> dict[str, Any]:
        """Push a private message from ``user_id``; returns the update."""
        return self.push_update(self.private_message(text, user_id, **kwargs))

    def say_in_group(
        self,
        text: str,
        chat_id: int = DEFAULT_GROUP_ID,
        user_id: int = DEFAULT_USER_ID,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Push a group message; returns the update."""
        return self.push_update(self.group_message(text, chat_id, user_id, **kwargs))


def _valid_button_url(url: str) -> bool:
    if not url or any(ch.isspace() for ch in url):
        return False
    scheme, sep, rest = url.partition("://")
    if sep:
        scheme = scheme.lower()
        if scheme in ("tg", "ton"):
            return bool(rest)
        return scheme in ("http", "https") and bool(urlsplit(url).hostname)
    host = url.split("/", 1)[0].split(":", 1)[0]
    return "." in host.strip(".")
