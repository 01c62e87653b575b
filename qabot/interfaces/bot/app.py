"""The Telegram bot: all wiring in :func:`build_application`, running in :func:`run_bot`.

Long polling by default, a webhook when ``telegram_webhook_url`` is set. SIGINT/SIGTERM stop
it cleanly: no new updates are taken, answers in progress are finished and sent, then it
exits. Flood control (429 ``retry_after``) is obeyed and the request retried, as are
transient network errors; the token is masked in every log line.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
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

from qabot.errors import ConfigError, QabotError
from qabot.interfaces.bot import admin, alerts, handlers, health, inline, schedule, status
from qabot.interfaces.bot.logs import protect, redact, setup_logging
from qabot.interfaces.bot.state import KEY, NO_PREVIEW, BotState, state
from qabot.settings import Settings

if TYPE_CHECKING:
    from qabot.service.qa import QAService

log = logging.getLogger(__name__)

UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
FLOOD_RETRIES = 5
NETWORK_RETRIES = 3


class RetryingRateLimiter(AIORateLimiter):
    """PTB's limiter (Telegram's send rates, waits out 429 ``retry_after`` and retries) that
    also retries a request that failed on the network, with a short backoff."""

    async def process_request(self, callback: Any, args: Any, kwargs: Any, endpoint: str, data: dict[str, Any], rate_limit_args: Any) -> Any:  # noqa: E501
        for attempt in range(NETWORK_RETRIES + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:  # a NetworkError subclass, but retrying cannot fix it
                raise
            except NetworkError as e:
                if attempt == NETWORK_RETRIES:
                    raise
                log.warning("%s failed (%s); retrying", endpoint, e)
                await asyncio.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")


def file_url(api_url: str) -> str:
    """``https://host/bot`` -> ``https://host/file/bot`` (where the Bot API serves files)."""
    head, sep, tail = api_url.rpartition("/bot")
    return f"{head}/file/bot{tail}" if sep else api_url.rstrip("/") + "/file/bot"


async def post_init(application: Application) -> None:
    """Registers the command list Telegram shows in the "/" menu."""
    commands = [BotCommand(name, text) for name, text in handlers.COMMANDS]
    try:
        await application.bot.set_my_commands(commands)
    except TelegramError as e:  # the menu is a convenience; answering matters more
        log.warning("Could not register the command list: %s", e)
    log.info("Bot @%s is ready", application.bot.username)


async def post_stop(application: Application) -> None:
    """Stops waiting for a background refresh so the process can exit."""
    tasks = state(application).tasks
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    if tasks:
        log.warning("Shutting down during a refresh: it is abandoned; the last published index stays.")


def build_application(settings: Settings, service: QAService) -> Application:
    """The bot with every handler wired to ``service``; not started."""
    token = settings.telegram_token.get_secret_value()
    if not token:
        raise ConfigError(
            "telegram_token: no bot token; set QABOT_TELEGRAM_TOKEN (or TELEGRAM_BOT_TOKEN) to the token from @BotFather"
        )
    protect(token)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs hold the token
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_url)
        .base_file_url(file_url(settings.telegram_api_url))
        .concurrent_updates(True)
        # a reply still goes out if the reader deleted the question meanwhile
        .defaults(Defaults(allow_sending_without_reply=True, link_preview_options=NO_PREVIEW))
        .rate_limiter(RetryingRateLimiter(max_retries=FLOOD_RETRIES))
        .post_init(post_init)
        .post_stop(post_stop)
        .build()
    )
    application.bot_data[KEY] = BotState.create(settings, service)

    new = filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, health.remember_admin), group=-2)
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    for name, callback in [
        ("start", handlers.start),
        ("help", handlers.help_command),
        ("ask", handlers.ask),
        ("search", handlers.search),
        ("latest", handlers.latest),
        ("today", handlers.today),
        ("sources", handlers.sources),
        ("reset", handlers.reset),
        ("status", status.status),
        ("follow", alerts.follow),
        ("following", alerts.following),
        ("unfollow", alerts.unfollow),
        ("stats", admin.stats),
        ("refresh", admin.refresh),
    ]:
        application.add_handler(CommandHandler(name, callback, filters=new))
    application.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, handlers.on_text))
    application.add_handler(MessageHandler(new & filters.COMMAND & filters.ChatType.PRIVATE, handlers.unknown))
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(InlineQueryHandler(inline.on_inline))
    application.add_error_handler(handlers.on_error)
    schedule.schedule(application)
    return application


def webhook_secret(token: str) -> str:
    """A secret Telegram sends back with each webhook call, so strangers cannot post updates."""
    return hashlib.sha256(f"qabot-webhook:{token}".encode()).hexdigest()[:48]


def run_bot(settings: Settings) -> None:
    """Serve readers until SIGINT/SIGTERM. Raises QabotError (token masked) if it cannot start."""
    token = settings.telegram_token.get_secret_value()
    if not token:
        raise ConfigError(
            "telegram_token: no bot token; set QABOT_TELEGRAM_TOKEN (or TELEGRAM_BOT_TOKEN) to the token from @BotFather"
        )
    setup_logging(token)
    from qabot.wiring import build_service  # loads the model and index: not at import time

    service = build_service(settings)
    service.search("warm up", k=1)  # load the model now, not while the first reader waits
    application = build_application(settings, service)
    try:
        if settings.telegram_webhook_url:
            url = settings.telegram_webhook_url
            application.run_webhook(
                listen=settings.telegram_webhook_listen,
                port=settings.telegram_webhook_port,
                url_path=urlsplit(url).path.lstrip("/"),
                webhook_url=url,
                secret_token=webhook_secret(token),
                allowed_updates=UPDATES,
                bootstrap_retries=3,
            )
        else:
            application.run_polling(allowed_updates=UPDATES, bootstrap_retries=3)
    except InvalidToken:
        raise ConfigError(
            "telegram_token: Telegram rejected the bot token; check QABOT_TELEGRAM_TOKEN with @BotFather"
        ) from None
    except TelegramError as e:
        raise QabotError(f"Telegram: {redact(str(e))}") from None
