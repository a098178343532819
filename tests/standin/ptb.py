"""Helpers to run a real python-telegram-bot Application against a :class:`BotAPIStandIn`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, ApplicationBuilder

if TYPE_CHECKING:
    from .server import BotAPIStandIn

__all__ = ["ptb_builder", "running_polling"]


def ptb_builder(api: BotAPIStandIn) -> ApplicationBuilder:
    """An ``ApplicationBuilder`` with the stand-in's token, base_url and base_file_url set."""
    return (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
    )


@asynccontextmanager
async def running_polling(
    app: Application, *, timeout: int = 1, poll_interval: float = 0.0, lifecycle: bool = False,
    **polling_kwargs: Any,
) -> AsyncIterator[Application]:
    """initialize + start + updater.start_polling; stops and shuts down on exit.

    ``timeout`` is getUpdates' long-poll timeout: keep it short in tests so stopping is quick.
    ``lifecycle`` also runs ``post_init`` and ``post_shutdown``, as ``run_polling`` does.
    """
    async with app:
        if lifecycle and app.post_init:
            await app.post_init(app)
        await app.start()
        await app.updater.start_polling(
            poll_interval=poll_interval, timeout=timeout, **polling_kwargs
        )
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
    if lifecycle and app.post_shutdown:
        await app.post_shutdown(app)
