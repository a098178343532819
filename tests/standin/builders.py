"""Builders of realistic incoming updates, mixed into :class:`BotAPIStandIn`.

Each builder returns an update dict *without* ``update_id`` (``push_update`` assigns it). The
builders already register what they create with the stand-in – the message gets the chat's next
message_id and is stored (so the bot can reply to it, edit it or answer its callback query), a
callback/inline query id becomes answerable – even if the update is never pushed.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from typing import Any

from .telegram_html import utf16_len

__all__ = [
    "DEFAULT_GROUP_ID",
    "DEFAULT_USER_ID",
    "OTHER_BOT_ID",
    "UpdateBuilders",
    "detect_entities",
]

DEFAULT_USER_ID = 1001
DEFAULT_GROUP_ID = -1001234567890
OTHER_BOT_ID = 7000000001

_BOT_COMMAND = re.compile(r"(?<![\w/<>])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/<>@])")
_MENTION = re.compile(r"(?<!\w)@[a-zA-Z0-9_]{5,32}(?!\w)")
_HASHTAG = re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*(?![\w#])")
_URL = re.compile(r"(?<![\w/@.])(?:https?://)[^\s<>\"']+", re.IGNORECASE)


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram finds by itself in a user's text: bot_command, mention, hashtag, url."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: str) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append((start, end, kind))

    for m in _URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?)]}":
            end -= 1
        add(m.start(), end, "url")
    for m in _BOT_COMMAND.finditer(text):
        add(m.start(), m.end(), "bot_command")
    for m in _MENTION.finditer(text):
        add(m.start(), m.end(), "mention")
    for m in _HASHTAG.finditer(text):
        add(m.start(), m.end(), "hashtag")
    found.sort()
    ascii_text = text.isascii()
    return [
        {
            "type": kind,
            "offset": start if ascii_text else utf16_len(text[:start]),
            "length": end - start if ascii_text else utf16_len(text[start:end]),
        }
        for start, end, kind in found
    ]


class UpdateBuilders:
    """Mixin: needs ``_lock``, ``_users``, ``_chats``, ``_store``, ``_next_message_id``,
    ``_bot_from``, ``_callback_queries``, ``_inline_queries`` from the stand-in."""

    _lock: threading.RLock
    _users: dict[int, dict[str, Any]]
    _chats: dict[int | str, dict[str, Any]]
    _store: dict[int, dict[int, dict[str, Any]]]
    _bot_from: dict[str, Any]
    _callback_queries: dict[str, dict[str, Any]]
    _inline_queries: dict[str, dict[str, Any]]
    _query_ids = itertools.count(4382000000000000001)

    def _next_message_id(self, chat_id: int) -> int:  # pragma: no cover - provided by the server
        raise NotImplementedError

    # -- users and chats ---------------------------------------------------------------------

    def user(
        self,
        user_id: int = DEFAULT_USER_ID,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_bot: bool = False,
    ) -> dict[str, Any]:
        """The User dict for ``user_id`` (created and remembered on first use)."""
        with self._lock:
            known = self._users.get(user_id)
            if known is not None and first_name is None and username is None and last_name is None:
                return dict(known)
            user: dict[str, Any] = {
                "id": user_id,
                "is_bot": is_bot,
                "first_name": first_name or (known or {}).get("first_name") or f"User{user_id}",
            }
            if last_name:
                user["last_name"] = last_name
            name = username or (known or {}).get("username") or f"user{user_id}"
            if name:
                user["username"] = name
            if language_code and not is_bot:
                user["language_code"] = language_code
            self._users[user_id] = user
            return dict(user)

    def private_chat(self, user_id: int = DEFAULT_USER_ID) -> dict[str, Any]:
        user = self.user(user_id)
        chat = {"id": user_id, "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            chat["username"] = user["username"]
        with self._lock:
            self._chats[user_id] = chat
        return dict(chat)

    def group_chat(
        self,
        chat_id: int = DEFAULT_GROUP_ID,
        *,
        title: str | None = None,
        chat_type: str | None = None,
    ) -> dict[str, Any]:
        if chat_type is None:
            chat_type = "supergroup" if chat_id <= -1000000000000 else "group"
        with self._lock:
            known = self._chats.get(chat_id)
            chat = {
                "id": chat_id,
                "type": chat_type,
                "title": title or (known or {}).get("title") or "Test Group",
            }
            self._chats[chat_id] = chat
        return dict(chat)

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot as a User in messages: id, is_bot, first_name, username (``me`` = getMe)."""
        return dict(self._bot_from)

    # -- messages --------------------------------------------------------------------------

    def _store_user_message(
        self,
        chat: dict[str, Any],
        sender: dict[str, Any] | None,
        fields: dict[str, Any],
        reply_to: Any = None,
        date: int | None = None,
    ) -> dict[str, Any]:
        with self._lock:
            message: dict[str, Any] = {"message_id": self._next_message_id(chat["id"])}
            if sender is not None:
                message["from"] = sender
            message["chat"] = chat
            message["date"] = int(time.time()) if date is None else date
            if reply_to is not None:
                message["reply_to_message"] = self._reply_snapshot(chat["id"], reply_to)
            message.update(fields)
            self._store.setdefault(chat["id"], {})[message["message_id"]] = message
            return dict(message)

    def _reply_snapshot(self, chat_id: int, reply_to: Any) -> dict[str, Any]:
        if isinstance(reply_to, dict):
            reply_to = reply_to.get("message") or reply_to.get("edited_message") or reply_to
            chat_id = reply_to.get("chat", {}).get("id", chat_id)
            message_id = reply_to["message_id"]
        else:
            message_id = int(reply_to)
        with self._lock:
            current = self._store.get(chat_id, {}).get(message_id)
        if current is None:
            if isinstance(reply_to, dict):
                current = reply_to
            else:
                raise KeyError(f"no message {message_id} in chat {chat_id} to reply to")
        return {k: v for k, v in current.items() if k != "reply_to_message"}

    @staticmethod
    def _text_fields(text: str, entities: list[dict[str, Any]] | None) -> dict[str, Any]:
        fields: dict[str, Any] = {"text": text}
        found = detect_entities(text) if entities is None else entities
        if found:
            fields["entities"] = found
        return fields

    def private_message(
        self,
        text: str,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        *,
        entities: list[dict[str, Any]] | None = None,
        reply_to: Any = None,
        date: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """``{"message": ...}`` from ``user_id`` in their private chat with the bot.

        ``entities=None`` detects bot_command/mention/hashtag/url entities like Telegram does;
        pass a list (even ``[]``) to set them yourself. ``reply_to`` is a message dict, an update
        dict or a message_id in that chat. ``extra`` fields are added to the message.
        """
        if chat_id is None or chat_id == user_id:
            chat = self.private_chat(user_id)
        else:
            chat = {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
            with self._lock:
                self._chats.setdefault(chat_id, chat)
        fields = self._text_fields(text, entities)
        fields.update(extra)
        message = self._store_user_message(chat, self.user(user_id), fields, reply_to, date)
        return {"message": message}

    def group_message(
        self,
        text: str,
        chat_id: int = DEFAULT_GROUP_ID,
        user_id: int = DEFAULT_USER_ID,
        reply_to: Any = None,
        entities: list[dict[str, Any]] | None = None,
        from_bot: bool = False,
        *,
        title: str | None = None,
        chat_type: str | None = None,
        message_thread_id: int | None = None,
        date: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """``{"message": ...}`` in a group (a supergroup for ids below -10**12).

        ``"/ask@talks_test_bot foo"`` gets a bot_command entity at offset 0, ``"@talks_test_bot"``
        a mention entity. ``from_bot=True`` makes the sender another bot (``OTHER_BOT_ID``,
        "helper_bot"), not this one.
        """
        chat = self.group_chat(chat_id, title=title, chat_type=chat_type)
        if from_bot:
            sender = self.user(
                OTHER_BOT_ID, first_name="Helper Bot", username="helper_bot", is_bot=True
            )
        else:
            sender = self.user(user_id)
        fields = self._text_fields(text, entities)
        if message_thread_id is not None:
            fields["message_thread_id"] = message_thread_id
            fields["is_topic_message"] = True
        fields.update(extra)
        return {"message": self._store_user_message(chat, sender, fields, reply_to, date)}

    def edited_message(
        self,
        original: dict[str, Any],
        text: str,
        *,
        entities: list[dict[str, Any]] | None = None,
        edit_date: int | None = None,
    ) -> dict[str, Any]:
        """``{"edited_message": ...}``: ``original`` (a message or its update) with new ``text``."""
        message = original.get("message") or original.get("edited_message") or original
        chat_id = message["chat"]["id"]
        with self._lock:
            current = self._store.get(chat_id, {}).get(message["message_id"], message)
            edited = {k: v for k, v in current.items() if k not in ("text", "entities")}
            edited.update(self._text_fields(text, entities))
            edited["edit_date"] = int(time.time()) if edit_date is None else edit_date
            self._store.setdefault(chat_id, {})[edited["message_id"]] = edited
        return {"edited_message": dict(edited)}

    def sticker_message(
        self,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        *,
        emoji: str = "👍",
        set_name: str = "TestStickers",
        is_animated: bool = False,
        is_video: bool = False,
        reply_to: Any = None,
    ) -> dict[str, Any]:
        """``{"message": ...}`` carrying a regular sticker (private chat unless ``chat_id`` < 0)."""
        if chat_id is None or chat_id > 0:
            chat = self.private_chat(user_id if chat_id is None else chat_id)
        else:
            chat = self.group_chat(chat_id)
        n = next(self._query_ids)
        sticker = {
            "file_id": f"CAACAgIAAxkBAAE{n}",
            "file_unique_id": f"AgAD{n % 10**8}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": is_animated,
            "is_video": is_video,
            "emoji": emoji,
            "set_name": set_name,
            "file_size": 23456,
        }
        message = self._store_user_message(chat, self.user(user_id), {"sticker": sticker}, reply_to)
        return {"message": message}

    def new_chat_members(
        self,
        members: list[Any] | None = None,
        chat_id: int = DEFAULT_GROUP_ID,
        user_id: int = DEFAULT_USER_ID,
        *,
        title: str | None = None,
    ) -> dict[str, Any]:
        """The service message "``user_id`` added ``members``" (user ids, User dicts, or ``"bot"``
        for this bot; default: the bot itself). A member who joined alone: pass ``user_id`` too."""
        chat = self.group_chat(chat_id, title=title)
        users = []
        for member in members if members is not None else ["bot"]:
            if member == "bot":
                users.append(self.bot_user)
            elif isinstance(member, dict):
                users.append(member)
            else:
                users.append(self.user(int(member)))
        fields = {
            "new_chat_participant": users[0],
            "new_chat_member": users[0],
            "new_chat_members": users,
        }
        return {"message": self._store_user_message(chat, self.user(user_id), fields)}

    new_chat_members_message = new_chat_members

    def my_chat_member(
        self,
        chat_id: int = DEFAULT_GROUP_ID,
        user_id: int = DEFAULT_USER_ID,
        *,
        old_status: str = "left",
        new_status: str = "member",
    ) -> dict[str, Any]:
        """``{"my_chat_member": ...}``: ``user_id`` changed the bot's status in ``chat_id``."""
        chat = self.group_chat(chat_id) if chat_id < 0 else self.private_chat(chat_id)
        bot = self.bot_user
        return {
            "my_chat_member": {
                "chat": chat,
                "from": self.user(user_id),
                "date": int(time.time()),
                "old_chat_member": {"user": bot, "status": old_status},
                "new_chat_member": {"user": bot, "status": new_status},
            }
        }

    # -- queries -------------------------------------------------------------------------------

    def callback_query(
        self,
        data: str,
        message: dict[str, Any] | None = None,
        user_id: int = DEFAULT_USER_ID,
        *,
        inline_message_id: str | None = None,
        chat_instance: str | None = None,
    ) -> dict[str, Any]:
        """``{"callback_query": ...}``: ``user_id`` pressed a button with ``data`` on ``message``
        (a message dict, e.g. one the bot sent; its current version is used) or on the inline
        message ``inline_message_id``. The query id becomes answerable once."""
        query_id = str(next(self._query_ids))
        query: dict[str, Any] = {"id": query_id, "from": self.user(user_id)}
        if message is not None:
            message = message.get("message") or message
            with self._lock:
                current = self._store.get(message["chat"]["id"], {}).get(message["message_id"])
            query["message"] = dict(current if current is not None else message)
            chat_id = message["chat"]["id"]
        else:
            if inline_message_id is None:
                raise ValueError("callback_query needs a message or an inline_message_id")
            query["inline_message_id"] = inline_message_id
            chat_id = 0
        query["chat_instance"] = chat_instance or str(
            (abs(chat_id) * 2654435761 + 4611686018427387903) % 10**19
        )
        query["data"] = data
        with self._lock:
            self._callback_queries[query_id] = {"answered": False, "created": time.monotonic()}
        return {"callback_query": query}

    def inline_query(
        self,
        query: str,
        user_id: int = DEFAULT_USER_ID,
        *,
        offset: str = "",
        chat_type: str | None = "private",
    ) -> dict[str, Any]:
        """``{"inline_query": ...}``: ``user_id`` typed ``@bot query``; answerable once."""
        query_id = str(next(self._query_ids))
        inline: dict[str, Any] = {
            "id": query_id,
            "from": self.user(user_id),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            inline["chat_type"] = chat_type
        with self._lock:
            self._inline_queries[query_id] = {"answered": False, "created": time.monotonic()}
        return {"inline_query": inline}
