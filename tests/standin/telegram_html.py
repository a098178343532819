"""Telegram's HTML parse mode, as the Bot API server (TDLib's ``parse_html``) implements it.

``parse_html(text)`` turns Telegram-HTML into ``(plain_text, entities)`` with entity offsets and
lengths in UTF-16 code units, or raises :class:`HTMLParseError` whose message is the one Telegram
answers with (``Bad Request: can't parse entities: ...``), byte offsets counted in UTF-8 like
TDLib does.

What it follows from TDLib:

* supported tags: b/strong, i/em, u/ins, s/strike/del, tg-spoiler, span class="tg-spoiler",
  a href, code (class="language-x" inside pre gives pre.language), pre, blockquote (with the
  boolean ``expandable`` attribute), tg-emoji emoji-id. Tag names are case-insensitive.
* only ``&lt; &gt; &amp; &quot;`` and numeric references (``&#33;``, ``&#x21;``) are decoded, the
  trailing ``;`` optional; any other ``&`` stays a literal ``&`` (so ``Tom & Jerry`` and
  ``&nbsp;`` are accepted as they are). A bare ``<`` starts a tag: ``a < b`` fails with
  ``Unsupported start tag "" at byte offset 2``.
* errors: ``Unsupported start tag "x" at byte offset N``, ``Unclosed start tag at byte offset N``,
  ``Empty attribute name in the tag "x" at byte offset N``, ``Unexpected end of name token at byte
  offset N``, ``Tag "span" must have class "tg-spoiler" at byte offset N``, ``Unexpected end tag at
  byte offset N``, ``Unclosed end tag at byte offset N``, ``Unmatched end tag at byte offset N,
  expected "</b>", found "</i>"``, ``Can't find end tag corresponding to start tag "b"``.
* empty entities are dropped, ``<a>`` without href links to its own text, ``tg://user?id=N``
  makes a ``text_mention``.

Where the stand-in picks its own wording (TDLib's exact text is not known here): a blockquote
inside another blockquote fails with ``Nested blockquotes are not supported at byte offset N``.
URL checking of ``<a href>`` is simplified (http/https/tg/ton schemes or a bare domain).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "ERROR_PREFIX",
    "HTMLParseError",
    "parse_html",
    "trim_text",
    "utf16_len",
    "utf16_offset_of",
]

ERROR_PREFIX = "Bad Request: can't parse entities: "


class HTMLParseError(ValueError):
    """Telegram refused the HTML; ``str(exc)`` / ``exc.description`` is Telegram's description."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        self.description = ERROR_PREFIX + detail
        super().__init__(self.description)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what Telegram counts)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf16_offset_of(text: str, index: int) -> int:
    """UTF-16 offset of the Python string index ``index`` in ``text``."""
    return utf16_len(text[:index])


_SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
# TDLib's sort priority for entities that start at the same offset with the same length.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_SPACE = frozenset(b" \t\r\n\v\0")  # TDLib's is_space; NUL is the end of the C string
_LT, _GT, _AMP, _SLASH, _EQ, _HASH, _SEMI = (ord(c) for c in "<>&/=#;")
_SPECIAL = re.compile(rb"[<&]")
_TG_USER = re.compile(r"tg://user\?id=(\d{1,18})", re.IGNORECASE)


def _is_alpha(c: int) -> bool:
    return 65 <= c <= 90 or 97 <= c <= 122


def _is_digit(c: int) -> bool:
    return 48 <= c <= 57


def _is_alnum(c: int) -> bool:
    return _is_alpha(c) or _is_digit(c)


def _is_hex(c: int) -> bool:
    return _is_digit(c) or 65 <= c <= 70 or 97 <= c <= 102


def _decode_entity(b: bytes, pos: int) -> tuple[int, int]:
    """TDLib's decode_html_entity: (code point, position after it), or (0, pos) if not one."""
    n = len(b)

    def at(i: int) -> int:
        return b[i] if i < n else 0

    end = pos + 1
    code = 0
    if at(pos + 1) == _HASH:
        end += 1
        if at(pos + 2) == ord("x"):
            end += 1
            while _is_hex(at(end)):
                code = code * 16 + int(chr(b[end]), 16)
                end += 1
        else:
            while _is_digit(at(end)):
                code = code * 10 + b[end] - 48
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while _is_alpha(at(end)):
            end += 1
        code = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}.get(b[pos + 1 : end], 0)
        if code == 0:
            return 0, pos
    if at(end) == _SEMI:
        end += 1
    return code, end


def _utf16_units(chunk: bytes) -> int:
    if chunk.isascii():
        return len(chunk)
    return utf16_len(chunk.decode("utf-8", "surrogatepass"))


def _check_url(url: str) -> str | None:
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    scheme, sep, rest = url.partition("://")
    if sep:
        if scheme.lower() not in ("http", "https", "tg", "ton") or not rest:
            return None
        return url
    if ":" in url.split("/", 1)[0] and not re.match(r"^[\w.-]+:\d+(/|$)", url):
        return None
    host = url.split("/", 1)[0].split(":", 1)[0]
    if "." not in host or host.startswith(".") or host.endswith("."):
        return None
    return "http://" + url


class _Open:
    __slots__ = ("argument", "begin", "offset", "result_pos", "tag")

    def __init__(self, tag: str, argument: str, offset: int, result_pos: int, begin: int) -> None:
        self.tag = tag
        self.argument = argument
        self.offset = offset
        self.result_pos = result_pos
        self.begin = begin


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-HTML like the Bot API does; see the module docstring.

    Returns ``(plain_text, entities)``; entities are Bot API MessageEntity dicts sorted like
    Telegram sorts them. Raises :class:`HTMLParseError`. Does not trim whitespace and does not
    check the length: the server does that afterwards, as Telegram does.
    """
    if "<" not in text and "&" not in text:
        return text, []
    b = text.encode("utf-8", "surrogatepass")
    n = len(b)

    def at(i: int) -> int:
        return b[i] if i < n else 0

    out = bytearray()
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    u16 = 0
    bad_surrogate = False
    i = 0
    while i < n:
        m = _SPECIAL.search(b, i)
        j = m.start() if m else n
        if j > i:
            chunk = b[i:j]
            out += chunk
            u16 += _utf16_units(chunk)
            i = j
        if i >= n:
            break
        if b[i] == _AMP:
            code, end = _decode_entity(b, i)
            if code:
                if 0xD800 <= code <= 0xDFFF:
                    bad_surrogate = True
                out += chr(code).encode("utf-8", "surrogatepass")
                u16 += 2 if code > 0xFFFF else 1
                i = end
            else:
                out.append(_AMP)
                u16 += 1
                i += 1
            continue

        # b[i] == '<'
        begin = i
        i += 1
        if at(i) != _SLASH:
            i, opened = _start_tag(b, begin, i, at)
            if opened.tag == "blockquote" and any(o.tag == "blockquote" for o in stack):
                raise HTMLParseError(f"Nested blockquotes are not supported at byte offset {begin}")
            opened.offset = u16
            opened.result_pos = len(out)
            stack.append(opened)
            i += 1  # the '>'
            continue

        # an end tag
        if not stack:
            raise HTMLParseError(f"Unexpected end tag at byte offset {begin}")
        while at(i) not in _SPACE and at(i) != _GT:
            i += 1
        end_tag = b[begin + 2 : i].lower().decode("utf-8", "replace")
        while i < n and b[i] in _SPACE:
            i += 1
        if at(i) != _GT:
            raise HTMLParseError(f"Unclosed end tag at byte offset {begin}")
        opened = stack[-1]
        if end_tag and end_tag != opened.tag:
            raise HTMLParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{opened.tag}>", '
                f'found "</{end_tag}>"'
            )
        if u16 > opened.offset:
            _add_entity(entities, opened, u16 - opened.offset, out)
        stack.pop()
        i += 1  # the '>'

    if stack:
        raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    if bad_surrogate:
        raise HTMLParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units"
        )
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))
    return out.decode("utf-8"), entities


def _start_tag(b: bytes, begin: int, i: int, at: Any) -> tuple[int, _Open]:
    """Read a start tag from its name on; returns the index of its '>' and the open entity."""
    n = len(b)
    while at(i) not in _SPACE and at(i) != _GT:
        i += 1
    if i >= n:
        raise HTMLParseError(f"Unclosed start tag at byte offset {begin}")
    tag = b[begin + 1 : i].lower().decode("utf-8", "replace")
    if tag not in _SUPPORTED_TAGS:
        raise HTMLParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')

    argument = ""
    while at(i) != _GT:
        while i < n and b[i] in _SPACE:
            i += 1
        if at(i) == _GT:
            break
        attr_begin = i
        while at(i) not in _SPACE and at(i) not in (_EQ, _GT):
            i += 1
        attribute = b[attr_begin:i].decode("utf-8", "replace")
        if not attribute:
            raise HTMLParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while i < n and b[i] in _SPACE:
            i += 1
        if at(i) != _EQ:
            if i >= n:
                raise HTMLParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if tag == "blockquote" and attribute == "expandable":
                argument = "1"
            continue
        i += 1
        while i < n and b[i] in _SPACE:
            i += 1
        if i >= n:
            raise HTMLParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')

        if at(i) not in (ord("'"), ord('"')):
            # a name token: letters, digits, periods, hyphens; case-insensitive
            token_begin = i
            while _is_alnum(at(i)) or at(i) in (ord("."), ord("-")):
                i += 1
            value = b[token_begin:i].lower().decode("ascii")
            if at(i) not in _SPACE and at(i) != _GT:
                raise HTMLParseError(f"Unexpected end of name token at byte offset {token_begin}")
        else:
            quote = b[i]
            i += 1
            raw = bytearray()
            while i < n and b[i] != quote:
                if b[i] == _AMP:
                    code, end = _decode_entity(b, i)
                    if code:
                        raw += chr(code).encode("utf-8", "surrogatepass")
                        i = end
                        continue
                raw.append(b[i])
                i += 1
            if at(i) == quote:
                i += 1
            value = raw.decode("utf-8", "replace")
        if i >= n:
            raise HTMLParseError(f"Unclosed start tag at byte offset {begin}")

        if (tag, attribute) in (("a", "href"), ("tg-emoji", "emoji-id")):
            argument = value
        elif tag == "code" and attribute == "class" and value.startswith("language-"):
            argument = value[9:]
        elif tag == "span" and attribute == "class" and value.startswith("tg-"):
            argument = value[3:]
        elif tag == "blockquote" and attribute == "expandable":
            argument = "1"

    if tag == "span" and argument != "spoiler":
        raise HTMLParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    return i, _Open(tag, argument, 0, 0, begin)


def _add_entity(entities: list[dict[str, Any]], opened: _Open, length: int, out: bytearray) -> None:
    offset = opened.offset
    tag = opened.tag
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    simple = _SIMPLE_TYPES.get(tag)
    if simple:
        entities.append({"type": simple, "offset": offset, "length": length})
    elif tag == "tg-emoji":
        arg = opened.argument
        if not (arg.isascii() and arg.isdigit()) or not 0 < int(arg) < 2**63:
            raise HTMLParseError("Invalid custom emoji identifier specified")
        entities.append(
            {"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": arg}
        )
    elif tag == "a":
        url = opened.argument or bytes(out[opened.result_pos :]).decode("utf-8", "replace")
        user = _TG_USER.fullmatch(url.strip())
        if user:
            entities.append(
                {
                    "type": "text_mention",
                    "offset": offset,
                    "length": length,
                    "user": {"id": int(user.group(1)), "is_bot": False, "first_name": ""},
                }
            )
        else:
            checked = _check_url(url)
            if checked is not None:
                entities.append(
                    {"type": "text_link", "offset": offset, "length": length, "url": checked}
                )
    elif tag == "pre":
        if same_span and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        if same_span and last["type"] == "pre" and opened.argument:
            last["language"] = opened.argument
        else:
            entity = {"type": "code", "offset": offset, "length": length}
            if opened.argument:
                entity["language"] = opened.argument
            entities.append(entity)
    elif tag == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


def trim_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip leading/trailing whitespace like Telegram does, moving/clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    left = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, total)
        if end > start:
            moved = dict(entity)
            moved["offset"] = start
            moved["length"] = end - start
            result.append(moved)
    return stripped, result
