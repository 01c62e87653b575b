"""Telegram's rules for message texts, as the stand-in enforces them.

HTML parse mode accepts only a few tags (b, i, u, s, a href, code, pre, blockquote, spoilers),
four named entities and numeric ones; anything else, unbalanced tags, an empty text or one
over 4096 characters (UTF-16 units, after parsing) is a 400 "Bad Request".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

MAX_TEXT = 4096
# Telegram's HTML: tag -> allowed attributes
TAGS: dict[str, set[str]] = {
    "b": set(), "strong": set(), "i": set(), "em": set(), "u": set(), "ins": set(),
    "s": set(), "strike": set(), "del": set(), "tg-spoiler": set(), "span": {"class"},
    "a": {"href"}, "code": {"class"}, "pre": set(), "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _StrictHTML(HTMLParser):
    """Parses Telegram HTML, raising ``ValueError`` where Telegram answers "can't parse"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            raise ValueError(f'Unsupported start tag "{tag}"')
        for name, value in attrs:
            if name not in TAGS[tag]:
                raise ValueError(f'Unsupported attribute "{name}" in tag "{tag}"')
            if tag == "a" and not re.match(r"(https?|tg)://\S+$", value or ""):
                raise ValueError(f'Wrong HTTP URL "{value}"')
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            raise ValueError('Tag "span" must have class "tg-spoiler"')
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise ValueError(f'Unsupported self-closing tag "{tag}"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            raise ValueError(f'Unexpected end tag "{tag}"')
        if self.stack[-1] != tag:
            raise ValueError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1]}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            raise ValueError(f'Unsupported HTML entity "&{name};"')
        self.text.append({"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[name])

    def handle_charref(self, name: str) -> None:
        self.text.append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))

    def handle_comment(self, data: str) -> None:
        raise ValueError("Unsupported comment")

    def handle_decl(self, decl: str) -> None:
        raise ValueError("Unsupported declaration")

    def handle_pi(self, data: str) -> None:
        raise ValueError("Unsupported processing instruction")

    def unknown_decl(self, data: str) -> None:
        raise ValueError("Unsupported declaration")


def parse_html(text: str) -> str:
    """The text a reader sees; ``ValueError`` for what Telegram would refuse to parse."""
    # every '&' must start an entity Telegram knows, every '<' a tag
    for m in re.finditer("&", text):
        if not _ENTITY.match(text, m.start()):
            raise ValueError(f"Unsupported HTML entity at byte offset {len(text[: m.start()].encode())}")
    for m in re.finditer("<", text):
        if not re.match(r"</?[a-zA-Z][\w-]*(\s[^<>]*)?>", text[m.start():]):
            raise ValueError(f"Unexpected < at byte offset {len(text[: m.start()].encode())}")
    parser = _StrictHTML()
    parser.feed(text)
    parser.close()
    if parser.rawdata:
        raise ValueError("Unclosed markup at end of text")
    if parser.stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    return "".join(parser.text)


def check_text(text: str | None, parse_mode: str | None) -> str:
    """Validate a message text as Telegram does; return what the reader sees."""
    if not text:
        raise ApiError(400, "Bad Request: message text is empty")
    visible = text
    if parse_mode and parse_mode.upper() == "HTML":
        try:
            visible = parse_html(text)
        except ValueError as e:
            raise ApiError(400, f"Bad Request: can't parse entities: {e}") from None
    elif parse_mode:
        raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
    if not visible.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(visible) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return visible


def check_markup(markup: Any) -> None:
    if markup is None:
        return
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if data is None and not button.get("url"):
                raise ApiError(400, "Bad Request: inline keyboard button has no action")
