"""What the handlers share: the service, the feedback store, rate limits, recent answers,
and the small async helpers for calling the service and replying."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import CallbackContext

from qabot.interfaces.deeplink import TokenIndex
from qabot.interfaces.ratelimit import RateLimiter
from qabot.models import Answer
from qabot.settings import Settings
from qabot.state.feedback import FeedbackStore, open_feedback
from qabot.state.followup import answer_from_value, answer_to_value

if TYPE_CHECKING:
    from qabot.service.qa import QAService

log = logging.getLogger(__name__)
T = TypeVar("T")
KEY = "qabot"
RECENT_ANSWERS = 500
SHARED_ANSWERS = 5000  # kept in the shared state for the "Sources" button
ANSWERS = "answers"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass
class BotState:
    settings: Settings
    service: QAService
    feedback: FeedbackStore
    questions: RateLimiter
    inline: RateLimiter
    answers: OrderedDict[int, Answer] = field(default_factory=OrderedDict)
    refresh: asyncio.Future | None = None
    tasks: set[asyncio.Task] = field(default_factory=set)
    tokens: TokenIndex = field(default_factory=TokenIndex)  # deep-link tokens -> article ids
    admins_seen: set[int] = field(default_factory=set)

    @classmethod
    def create(cls, settings: Settings, service: QAService) -> BotState:
        return cls(
            settings=settings,
            service=service,
            feedback=open_feedback(settings),
            questions=RateLimiter(settings.rate_limit_count, settings.rate_limit_window),
            # inline queries arrive as the reader types, so they get a wider budget
            inline=RateLimiter(settings.rate_limit_count * 10, settings.rate_limit_window),
        )

    def remember(self, answer_id: int, answer: Answer) -> None:
        """Keep recent answers so their "Sources" button works after later questions, after a
        restart and on another replica (shared state, namespace ``answers``). Blocking: call
        it off the event loop."""
        self.answers[answer_id] = answer
        while len(self.answers) > RECENT_ANSWERS:
            self.answers.popitem(last=False)
        store = self.service.state
        store.put(ANSWERS, str(answer_id), answer_to_value(answer))
        store.delete(ANSWERS, str(answer_id - SHARED_ANSWERS))  # ids grow by one: keeps it bounded

    def recall(self, answer_id: int) -> Answer | None:
        """A recent answer by its id, from memory or the shared state. Blocking."""
        answer = self.answers.get(answer_id)
        if answer is None:
            value = self.service.state.get(ANSWERS, str(answer_id))
            answer = answer_from_value(value) if value else None
        return answer


def state(holder: Any) -> BotState:
    """The shared state, from a callback context or the application."""
    return holder.bot_data[KEY]


async def read(st: BotState, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call the service off the event loop, first picking up an index another process published."""

    def work() -> T:
        st.service.reload_if_changed()
        return fn(*args, **kwargs)

    return await asyncio.to_thread(work)


def in_daemon_thread(fn: Callable[[], T]) -> asyncio.Future[T]:
    """Run a long job (a refresh) in a daemon thread, so shutting down never waits for it."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(setter: Callable[[Any], None], value: Any) -> None:
        if not future.done():
            setter(value)

    def target() -> None:
        try:
            result = fn()
        except BaseException as e:  # handed to the awaiting coroutine, which reports it
            outcome: tuple[Callable[[Any], None], Any] = (future.set_exception, e)
        else:
            outcome = (future.set_result, result)
        with contextlib.suppress(RuntimeError):  # the loop closed: the bot is gone
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=target, name="qabot-refresh", daemon=True).start()
    return future


@contextlib.asynccontextmanager
async def typing(context: CallbackContext, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat until the block ends (Telegram clears it after 5 s)."""

    async def keep_typing() -> None:
        while True:
            try:
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as e:  # cosmetic: never fail an answer over it
                log.debug("chat action failed: %s", e)
            await asyncio.sleep(4.5)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def reply_parts(
    message: Message,
    parts: Sequence[str],
    keyboard: InlineKeyboardMarkup | None = None,
    quote: bool | None = None,
) -> list[Message]:
    """Send HTML parts in order as replies; the keyboard goes under the last one.
    The first part quotes ``message`` when ``quote``, by default in groups only, so readers
    see what it answers."""
    if quote is None:
        quote = message.chat.type != ChatType.PRIVATE
    sent = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        sent.append(
            await message.reply_html(
                part,
                reply_markup=keyboard if last else None,
                link_preview_options=NO_PREVIEW,
                do_quote=quote and i == 0,
            )
        )
    return sent


def conversation(update: Update) -> str:
    """The follow-up context key: one per chat."""
    assert update.effective_chat is not None
    return f"tg:{update.effective_chat.id}"
