"""The Telegram application: handlers wired in one block, start-up work, polling or webhook.

``build_application`` is shared by production (``run``) and the tests, which point
``settings.api_url`` at a local Bot API stand-in.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from typing import Any
from urllib.parse import urlparse

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import handlers
from bot.config import ConfigError, Settings
from bot.knowledge import KnowledgeBase
from bot.logs import Redactor, configure_logging
from bot.matcher import Index
from bot.phrases import phrase

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = ("start", "help", "ask", "topics", "source", "why")
GROUP_COMMANDS = ("ask", "help", "source")
LANGUAGES = ("en", "ru")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
# A 5xx or a dropped connection from the Bot API usually clears within a second or two.
RETRY_DELAYS = (0.2, 1.0, 3.0)


class RetryingRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (it waits out a 429 and retries) that also retries transient
    failures: a 5xx answer, a dropped connection, a timeout (``NetworkError``).

    A refusal (``BadRequest``, a NetworkError subclass; ``Forbidden``) is final. A timeout
    or a drop can come after Telegram took the message, so a retry may repeat an answer:
    a person who asked is better served by a rare duplicate than by silence.
    """

    async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any],
                              endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        for delay in RETRY_DELAYS:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                      rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as exc:
                log.warning("%s failed (%s); retrying in %.1fs", endpoint, exc, delay)
                await asyncio.sleep(delay)
        return await super().process_request(callback, args, kwargs, endpoint, data,
                                              rate_limit_args)


def build_application(settings: Settings, kb: KnowledgeBase, *, index: Index | None = None,
                      store: Any = None,
                      rate_limit: bool = True) -> Application:
    """The bot, ready to run: handlers registered, knowledge and store in ``bot_data``.

    ``store`` is the question log (:class:`bot.store.Store`) or None to record nothing.
    """
    builder = (ApplicationBuilder().token(settings.token).base_url(settings.api_url)
               .base_file_url(file_url(settings.api_url))
               .defaults(Defaults(parse_mode=ParseMode.HTML,
                                  link_preview_options=LinkPreviewOptions(is_disabled=True)))
               .post_init(post_init).post_shutdown(post_shutdown))
    if rate_limit:
        # PTB retries nothing by itself: the rate limiter waits out a 429 (retry_after) and
        # retries; ours also retries 5xx answers and dropped connections.
        builder = builder.rate_limiter(RetryingRateLimiter(max_retries=3))
    application = builder.build()
    index = index if index is not None and index.kb is kb else Index(kb)
    application.bot_data.update(kb=kb, index=index, settings=settings, store=store)

    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    admins = filters.User(user_id=settings.admin_ids)
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    application.add_handler(CommandHandler("start", handlers.start))
    application.add_handler(CommandHandler("help", handlers.help_command))
    application.add_handler(CommandHandler("ask", handlers.ask))
    application.add_handler(CommandHandler("topics", handlers.topics))
    application.add_handler(CommandHandler("source", handlers.source))
    application.add_handler(CommandHandler("why", handlers.why))
    application.add_handler(CommandHandler("stats", handlers.stats, filters=admins))
    application.add_handler(CommandHandler("reload", handlers.reload, filters=admins))
    application.add_handler(MessageHandler(filters.COMMAND & private, handlers.unknown_command))
    application.add_handler(MessageHandler((filters.TEXT | filters.CAPTION) & private,
                                           handlers.private_message))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & groups,
                                           handlers.group_message))
    application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE
                                           & ~filters.StatusUpdate.ALL, handlers.not_text))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    application.add_error_handler(handlers.error)
    return application


def file_url(api_url: str) -> str:
    """The Bot API file URL beside ``api_url`` (``.../bot`` becomes ``.../file/bot``)."""
    root, slash, last = api_url.rstrip("/").rpartition("/")
    return f"{root}/file/{last}" if slash else f"{api_url}/file/bot"


def _commands(names: tuple[str, ...], language: str) -> list[BotCommand]:
    return [BotCommand(name, phrase(language, f"cmd_{name}")) for name in names]


async def post_init(application: Application) -> None:
    """Set the command menus (private chats, groups; English and Russian); log who we are."""
    bot = application.bot
    for language in LANGUAGES:
        code = None if language == "en" else language
        await bot.set_my_commands(_commands(PRIVATE_COMMANDS, language),
                                  scope=BotCommandScopeAllPrivateChats(), language_code=code)
        await bot.set_my_commands(_commands(GROUP_COMMANDS, language),
                                  scope=BotCommandScopeAllGroupChats(), language_code=code)
    kb: KnowledgeBase = application.bot_data["kb"]
    log.info("serving as @%s: %d article(s), %d entries", bot.username, len(kb.articles),
             len(kb.entries))


async def post_shutdown(application: Application) -> None:
    """Let the question log write what it has queued."""
    store = application.bot_data.get("store")
    if store is not None:
        store.close()


def webhook_path(settings: Settings) -> str:
    """Where the webhook listens: WEBHOOK_URL's own path, then a name derived from the token.

    A hash rather than the token itself, so the token never appears in URLs or proxy logs.
    """
    digest = hashlib.sha256(f"talks-bot webhook {settings.token}".encode()).hexdigest()[:32]
    prefix = urlparse(settings.webhook_url or "").path.strip("/")
    return f"{prefix}/{digest}" if prefix else digest


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or one derived from the token so the webhook is never left open."""
    if settings.webhook_secret:
        return settings.webhook_secret
    return hmac.new((settings.token or "").encode(), b"webhook secret", "sha256").hexdigest()


def run(settings: Settings, index: Index, webhook: bool = False) -> None:
    """Run the bot until SIGINT/SIGTERM: long polling, or a webhook server on PORT."""
    webhook = webhook or bool(settings.webhook_url)
    if webhook and not settings.webhook_url:
        raise ConfigError("WEBHOOK_URL must be set to run a webhook (the public https URL "
                          "Telegram should call)")
    secret = webhook_secret(settings) if webhook else None
    redact = Redactor([settings.token, secret])
    configure_logging(settings.log_level, [settings.token, secret])
    from bot.store import Store  # sqlite and the writer thread only for a running bot

    application = build_application(settings, index.kb, index=index,
                                    store=Store.open(settings))
    try:
        if webhook:
            url = urlparse(settings.webhook_url)
            path = webhook_path(settings)
            # A loopback WEBHOOK_URL means a local stand-in: do not listen on every interface.
            listen = "127.0.0.1" if url.hostname in LOOPBACK else "0.0.0.0"
            application.run_webhook(
                listen=listen, port=settings.port, url_path=path,
                webhook_url=f"{url.scheme}://{url.netloc}/{path}", secret_token=secret,
                allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    except InvalidToken:
        raise ConfigError("Telegram rejected TELEGRAM_BOT_TOKEN; copy it again from "
                          "@BotFather") from None
    except NetworkError as exc:
        raise ConfigError(f"cannot reach the Bot API at TELEGRAM_API_URL: "
                          f"{redact(str(exc))}") from None
