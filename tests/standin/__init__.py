"""A local stand-in for the Telegram Bot API server, for tests and benchmarks.

Quick start::

    from tests.standin import BotAPIStandIn, FaultPlan

    with BotAPIStandIn(token="123:ABC") as api:   # or: api = BotAPIStandIn().start() ... api.stop()
        app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
        ...
        api.push_update(api.private_message("hi", user_id=1001))
        api.wait_for(lambda: api.messages_to(1001))       # async code: await api.await_for(...)

Server: ``BotAPIStandIn(token=DEFAULT_TOKEN, *, host, port=0, username="talks_test_bot", ...)``
with ``start()/stop()``, ``with``/``async with``, ``base_url`` (``http://127.0.0.1:PORT/bot``),
``base_file_url``, ``method_url(method)``.

Updates: ``push_update(dict)`` / ``push_updates(list)`` (update_id assigned, long polls woken),
builders ``private_message``, ``group_message``, ``edited_message``, ``callback_query``,
``inline_query``, ``sticker_message``, ``new_chat_members``, ``my_chat_member``, ``user``;
shortcuts ``say(text, user_id)``, ``say_in_group(text, chat_id, user_id)``;
``pending_updates``, ``confirmed_offset``, ``update_deliveries``, ``redelivered_updates()``.

Records: ``calls`` (every attempt, :class:`Call`), ``sent`` (successful acting calls),
``calls_of(method, ok=None)``, ``delivered`` (messages successfully sent), ``messages_to(chat)``,
``texts_to(chat)``, ``edits``, ``deleted``, ``callback_answers``, ``inline_answers``,
``commands``, ``chat_actions``, ``message(chat, id)``, ``chat_history(chat)``,
``clear_records()``.

Waiting: ``wait_for(pred, timeout)``, ``wait_until_idle(timeout, quiet)``; async
``await_for(pred, timeout)``, ``await_until_idle(timeout, quiet)``.

Faults: ``api.faults = FaultPlan(rate, seed, kinds, methods)``, ``fail_next(method, kind,
times=1, retry_after=1, delay=None)``, ``clear_faults()``, ``fault_counts``, ``faults_injected``;
``block(user_id)`` makes sends to that user answer 403 for real.

HTML: ``telegram_html.parse_html(text) -> (plain_text, entities)``, raising ``HTMLParseError``.
"""

from .builders import DEFAULT_GROUP_ID, DEFAULT_USER_ID, OTHER_BOT_ID, detect_entities
from .faults import KINDS, FaultPlan, FaultSpec
from .server import DEFAULT_TOKEN, APIError, BotAPIStandIn, Call
from .telegram_html import HTMLParseError, parse_html, utf16_len

__all__ = [
    "DEFAULT_GROUP_ID",
    "DEFAULT_TOKEN",
    "DEFAULT_USER_ID",
    "KINDS",
    "OTHER_BOT_ID",
    "APIError",
    "BotAPIStandIn",
    "Call",
    "FaultPlan",
    "FaultSpec",
    "HTMLParseError",
    "detect_entities",
    "parse_html",
    "utf16_len",
]
