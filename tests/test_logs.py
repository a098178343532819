"""Logging never shows the bot token or the webhook secret, at any level."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from telegram.error import InvalidToken
from telegram.ext import CommandHandler

from bot.app import build_application
from bot.knowledge import load_knowledge
from bot.logs import REDACTED, Redactor, configure_logging
from tests.telegram_helpers import (
    TOKEN,
    USER_ID,
    ask,
    captured_logs,
    make_settings,
    running_bot,
)

SECRET = "webhook-Secret_123"


@pytest.fixture(name="log_stream")
def log_stream_fixture() -> Iterator[io.StringIO]:
    """Everything the bot logs at DEBUG, through its own redacting handler."""
    with captured_logs([TOKEN, SECRET, None]) as stream:
        yield stream


def test_every_form_of_a_secret_is_redacted():
    redact = Redactor([TOKEN, SECRET, None, ""])
    for form in (TOKEN, quote(TOKEN, safe=""), SECRET):
        assert redact(f"GET https://x/bot{form}/getMe") == f"GET https://x/bot{REDACTED}/getMe"
    assert redact("nothing secret") == "nothing secret"


def test_message_arguments_exceptions_and_stacks_are_redacted(log_stream):
    log = logging.getLogger("test.logs")
    log.info("token %s and %r", TOKEN, {"secret": SECRET})
    try:
        raise RuntimeError(f"request to /bot{quote(TOKEN, safe='')}/sendMessage failed")
    except RuntimeError:
        log.exception("failed with %s", TOKEN)
    log.warning("where am I", stack_info=True, extra={"token": TOKEN})
    text = log_stream.getvalue()
    assert TOKEN not in text and quote(TOKEN, safe="") not in text and SECRET not in text
    assert text.count(REDACTED) >= 4
    assert "RuntimeError: request to /bot[redacted]/sendMessage failed" in text


def test_info_level_keeps_httpx_quiet(log_stream):
    configure_logging("INFO", [TOKEN], stream=log_stream)
    assert logging.getLogger("httpx").level == logging.WARNING
    assert len([h for h in logging.getLogger().handlers
                if getattr(h, "stream", None) is log_stream]) == 1


async def test_a_running_bot_at_debug_never_logs_the_token(api, knowledge_dir, log_stream):
    async def broken(update, context):
        raise RuntimeError(f"a bug while using {context.bot.token}")

    async with running_bot(api, knowledge_dir) as app:
        app.add_handler(CommandHandler("broken", broken), group=-2)
        await ask(api, "how much did the EU pledge")
        apology, _unknown = await ask(api, "/broken", count=2)
    text = log_stream.getvalue()
    assert apology["text"].startswith("Sorry, something went wrong")
    assert "HTTP Request: POST" in text  # httpx logged the request URLs at DEBUG...
    assert f"/bot{REDACTED}/sendMessage" in text  # ...without the token
    assert "RuntimeError: a bug while using [redacted]" in text
    assert re.search(r"ERROR bot.handlers: update \d+ failed", text)
    assert TOKEN not in text and TOKEN.split(":")[1] not in text


async def test_a_rejected_token_is_logged_without_the_token(api, knowledge_dir, log_stream):
    wrong = "654321:" + TOKEN.split(":")[1]
    configure_logging("DEBUG", [wrong], stream=log_stream)
    app = build_application(make_settings(api, knowledge_dir, token=wrong),
                            load_knowledge(knowledge_dir))
    with pytest.raises(InvalidToken) as raised:
        await app.initialize()
    await app.bot.request.shutdown()  # a failed initialize leaves its HTTP client open
    logging.getLogger("bot").error("cannot start", exc_info=raised.value)
    text = log_stream.getvalue()
    assert "was rejected by the server" in text
    assert wrong not in text and REDACTED in text
    assert not api.messages_to(USER_ID)
