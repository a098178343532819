"""Fixtures every Telegram-facing test uses: the Bot API stand-in and a test knowledge base."""

from tests.telegram_helpers import api_fixture, knowledge_dir_fixture  # noqa: F401
