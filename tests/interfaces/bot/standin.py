"""A loopback stand-in for the Telegram Bot API, strict where Telegram is strict.

It serves ``http://127.0.0.1:<port>/bot<token>/<method>`` from a thread, so the real
python-telegram-bot talks HTTP to it exactly as to Telegram. Tests push updates into the
``getUpdates`` queue and read back every call the bot made. Like Telegram it refuses
malformed or unknown HTML, texts over 4096 characters or empty ones, unknown chats, replies
to missing messages and unmodified edits (400), unknown tokens (401), and, when told to,
answers 429 with ``retry_after``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from .telegram_rules import ApiError, check_markup, check_text, utf16_len

JSON_FIELDS = {
    "reply_markup", "reply_parameters", "results", "commands", "allowed_updates",
    "link_preview_options", "entities", "scope", "button",
}
@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200
    error: str = ""


@dataclass
class StandIn:
    """The fake Bot API. Use as a context manager; ``url`` is the bot's ``base_url``."""

    token: str = "123456789:AAF-standin-SECRET-token_0123456789ab"
    bot_id: int = 123456789
    username: str = "archive_qa_bot"
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        self._updates: list[dict] = []
        self._next_update = itertools.count(1)
        self._next_message: dict[int, itertools.count] = {}
        self._chats: dict[int, dict] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._callbacks: set[str] = set()
        self._markups: dict[tuple[int, int], Any] = {}  # buttons replaced by editMessageReplyMarkup
        self._inline: set[str] = set()
        self._fail: list[tuple[set[str] | None, int]] = []
        self._drop: list[set[str] | None] = []
        self._blocked: set[int] = set()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._closing = False
        self.webhook: dict[str, Any] = {}

    # --- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> StandIn:
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._closing = True
            self._lock.notify_all()
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # --- what tests feed in --------------------------------------------------------------
    def fail_next(self, n: int, retry_after: int = 1, methods: set[str] | None = None) -> None:
        """Answer the next ``n`` calls (of ``methods``, or any but getUpdates) with 429."""
        with self._lock:
            self._fail.extend([(methods, retry_after)] * n)

    def drop_next(self, n: int, methods: set[str] | None = None) -> None:
        """Close the connection without an answer on the next ``n`` calls (a network failure)."""
        with self._lock:
            self._drop.extend([methods] * n)

    def block(self, chat_id: int) -> None:
        """The user of this private chat blocked the bot: sends to it fail with 403."""
        with self._lock:
            self._blocked.add(chat_id)

    def should_drop(self, method: str) -> bool:
        with self._lock:
            for i, methods in enumerate(self._drop):
                if method != "getUpdates" and (methods is None or method in methods):
                    del self._drop[i]
                    self.calls.append(Call(method, {}, 0, "dropped"))
                    return True
        return False

    def user(self, uid: int = 1001, first_name: str = "Ada", username: str | None = "ada") -> dict:
        user = {"id": uid, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        return user

    def chat(self, chat_id: int, kind: str = "private", title: str = "Newsroom") -> dict:
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = "Ada"
        else:
            chat["title"] = title
        return chat

    def send_text(
        self,
        text: str,
        *,
        chat: dict | None = None,
        user: dict | None = None,
        reply_to: dict | None = None,
    ) -> dict:
        """Queue a text message from a user, with the entities Telegram would attach."""
        user = user or self.user()
        chat = chat or self.chat(user["id"])
        with self._lock:
            self._chats[chat["id"]] = chat
            message = {
                "message_id": self._new_message_id(chat["id"]),
                "date": int(time.time()),
                "chat": chat,
                "from": user,
                "text": text,
            }
            entities = _entities(text)
            if entities:
                message["entities"] = entities
            if reply_to is not None:
                message["reply_to_message"] = reply_to
            self._messages[(chat["id"], message["message_id"])] = message
            self._push({"message": message})
        return message

    def press(self, message: dict, data: str, user: dict | None = None) -> str:
        """Queue a press on an inline button of a message the bot sent."""
        qid = f"cb{next(self._ids)}"
        with self._lock:
            self._callbacks.add(qid)
            self._push(
                {
                    "callback_query": {
                        "id": qid,
                        "from": user or self.user(),
                        "message": _public(message),
                        "chat_instance": "ci1",
                        "data": data,
                    }
                }
            )
        return qid

    def inline(self, query: str, user: dict | None = None) -> str:
        """Queue an inline query (``@bot query`` typed in any chat)."""
        qid = f"iq{next(self._ids)}"
        with self._lock:
            self._inline.add(qid)
            self._push({"inline_query": {"id": qid, "from": user or self.user(), "query": query, "offset": ""}})
        return qid

    def pop_updates(self) -> list[dict]:
        """Take the queued updates out (to deliver them to a webhook instead of getUpdates)."""
        with self._lock:
            updates, self._updates = self._updates, []
        return updates

    # --- what tests read back ------------------------------------------------------------
    def of(self, method: str, ok: bool | None = True, **match: Any) -> list[Call]:
        """Recorded calls to ``method`` (successful ones by default) whose params match."""
        with self._lock:
            calls = list(self.calls)
        return [
            c
            for c in calls
            if c.method == method
            and (ok is None or (c.status == 200) == ok)
            and all(str(c.params.get(k)) == str(v) for k, v in match.items())
        ]

    def sent(self, chat_id: int | None = None) -> list[dict]:
        """Messages the bot delivered (sendMessage accepted), as the returned Message dicts."""
        with self._lock:
            msgs = [m for m in self._messages.values() if m["from"]["id"] == self.bot_id]
        return [m for m in msgs if chat_id is None or m["chat"]["id"] == chat_id]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Await until ``predicate()`` is truthy (the bot runs on the same event loop)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting; calls so far: {[c.method for c in self.calls]}")
            await asyncio.sleep(0.05)

    def wait_for_sync(self, predicate: Callable[[], Any], timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting; calls so far: {[c.method for c in self.calls]}")
            time.sleep(0.05)
        return value

    # --- the API -------------------------------------------------------------------------
    def _push(self, update: dict) -> None:
        update["update_id"] = next(self._next_update)
        self._updates.append(update)
        self._lock.notify_all()

    def _new_message_id(self, chat_id: int) -> int:
        return next(self._next_message.setdefault(chat_id, itertools.count(1)))

    def handle(self, token: str, method: str, params: dict[str, Any]) -> Any:
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        if method != "getUpdates":
            with self._lock:
                for i, (methods, retry_after) in enumerate(self._fail):
                    if methods is None or method in methods:
                        del self._fail[i]
                        raise ApiError(
                            429, f"Too Many Requests: retry after {retry_after}",
                            {"retry_after": retry_after},
                        )
        func = getattr(self, f"api_{method}", None)
        if func is None:
            raise ApiError(404, "Not Found")
        return func(params)

    def api_getMe(self, p: dict) -> dict:
        return {
            "id": self.bot_id, "is_bot": True, "first_name": "Archive QA", "username": self.username,
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True,
        }

    def api_getUpdates(self, p: dict) -> list[dict]:
        offset = int(p.get("offset") or 0)
        timeout = float(p.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 5.0)
        with self._lock:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._closing:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            return list(self._updates[: int(p.get("limit") or 100)])

    def api_deleteWebhook(self, p: dict) -> bool:
        return True

    def api_setWebhook(self, p: dict) -> bool:
        url = p.get("url") or ""
        if url and not url.startswith(("https://", "http://127.0.0.1")):  # loopback allowed for tests
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        with self._lock:
            self.webhook = {"url": url, "secret_token": secret}
        return True

    def api_getWebhookInfo(self, p: dict) -> dict:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    def api_setMyCommands(self, p: dict) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or not commands:
            raise ApiError(400, "Bad Request: commands must be a non-empty list")
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(c.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        return True

    def _chat_of(self, p: dict) -> dict:
        try:
            chat_id = int(p.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self._chats[chat_id]

    def api_sendMessage(self, p: dict) -> dict:
        visible = check_text(p.get("text"), p.get("parse_mode"))
        check_markup(p.get("reply_markup"))
        with self._lock:
            chat = self._chat_of(p)
            reply = p.get("reply_parameters") or {}
            replied = None
            if reply:
                replied = self._messages.get((chat["id"], int(reply.get("message_id", 0))))
                if replied is None and not reply.get("allow_sending_without_reply"):
                    raise ApiError(400, "Bad Request: message to be replied not found")
            message = {
                "message_id": self._new_message_id(chat["id"]),
                "date": int(time.time()),
                "chat": chat,
                "from": self.api_getMe({}),
                "text": visible,
                "html": p.get("text"),
            }
            if replied is not None:
                message["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
            if p.get("reply_markup"):
                message["reply_markup"] = p["reply_markup"]
            self._messages[(chat["id"], message["message_id"])] = message
            return message

    def api_editMessageText(self, p: dict) -> dict:
        visible = check_text(p.get("text"), p.get("parse_mode"))
        check_markup(p.get("reply_markup"))
        with self._lock:
            chat = self._chat_of(p)
            message = self._messages.get((chat["id"], int(p.get("message_id") or 0)))
            if message is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            if message.get("html") == p.get("text") and message.get("reply_markup") == p.get("reply_markup"):
                raise ApiError(400, "Bad Request: message is not modified")
            message.update(text=visible, html=p.get("text"), edit_date=int(time.time()))
            return message

    def api_editMessageReplyMarkup(self, p: dict) -> dict:
        """New buttons under a sent message. What ``sent()`` returns stays as first delivered (a
        test reading an answer's buttons sees the same ones however soon it reads); the new
        buttons are in the recorded call (``of("editMessageReplyMarkup")``)."""
        check_markup(p.get("reply_markup"))
        with self._lock:
            chat = self._chat_of(p)
            key = (chat["id"], int(p.get("message_id") or 0))
            message = self._messages.get(key)
            if message is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            if self._markups.get(key, message.get("reply_markup")) == p.get("reply_markup"):
                raise ApiError(400, "Bad Request: message is not modified")
            self._markups[key] = p.get("reply_markup")
            return {**message, "reply_markup": p.get("reply_markup"), "edit_date": int(time.time())}

    def api_sendChatAction(self, p: dict) -> bool:
        with self._lock:
            self._chat_of(p)
        return True

    def api_answerCallbackQuery(self, p: dict) -> bool:
        with self._lock:
            if p.get("callback_query_id") not in self._callbacks:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            self._callbacks.discard(p["callback_query_id"])
        if len(p.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def api_answerInlineQuery(self, p: dict) -> bool:
        with self._lock:
            if p.get("inline_query_id") not in self._inline:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            self._inline.discard(p["inline_query_id"])
        results = p.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id", "") for r in results]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for r in results:
            if r.get("type") != "article" or not r.get("title"):
                raise ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
            content = r.get("input_message_content") or {}
            check_text(content.get("message_text"), content.get("parse_mode"))
            check_markup(r.get("reply_markup"))
        return True


def _entities(text: str) -> list[dict]:
    """bot_command at the start and @mentions, with offsets in UTF-16 units as Telegram sends."""
    out = []
    for m in re.finditer(r"(?<![\w@])(/[A-Za-z0-9_]{1,32}(?:@\w+)?|@\w{5,32})", text):
        if m.group(0).startswith("/") and m.start() != 0:
            continue
        out.append(
            {
                "type": "bot_command" if m.group(0).startswith("/") else "mention",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group(0)),
            }
        )
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the bot hanging up mid long-poll (at shutdown) is normal


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        m = re.fullmatch(r"/bot([^/]+)/(\w+)", self.path.split("?")[0])
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if m is None:
            return self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = m.groups()
        if self.standin.should_drop(method):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        call = Call(method, {})
        try:
            call.params = _params(self.headers.get("Content-Type", ""), body, self.path)
            params = call.params
            result = self.standin.handle(token, method, params)
            payload: dict[str, Any] = {"ok": True, "result": _public(result)}
        except ApiError as e:
            call.status, call.error = e.code, e.description
            payload = {"ok": False, "error_code": e.code, "description": e.description}
            if e.parameters:
                payload["parameters"] = e.parameters
        if method != "getUpdates" or call.status != 200:
            with self.standin._lock:
                self.standin.calls.append(call)
        self._reply(call.status, payload)

    def _reply(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _public(result: Any) -> Any:
    """Drop the stand-in's own bookkeeping (the raw HTML) from what the bot receives."""
    if isinstance(result, dict) and "html" in result:
        return {k: v for k, v in result.items() if k != "html"}
    return result


def _params(content_type: str, body: bytes, path: str) -> dict[str, Any]:
    if "application/json" in content_type:
        raw = json.loads(body or b"{}")
    else:
        query = body.decode() if body else (path.split("?", 1)[1] if "?" in path else "")
        raw = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in JSON_FIELDS and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
        params[key] = value
    return params
