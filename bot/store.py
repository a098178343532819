"""The question log: what people asked, what the bot did with it, and whether it helped.

Owns one SQLite file (WAL mode, schema versioned with ``PRAGMA user_version``).  Writes
go through one background thread fed by a bounded queue, so recording never blocks the
event loop and never raises: when the file cannot be opened or written the operator gets
one warning and the bot keeps answering.  A chat is stored only as a salted hash of its
id; no user names and no user ids are ever stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import queue
import secrets
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answer import DEFAULT_THRESHOLDS, Answer
from bot.report import headline

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

DB_NAME = "questions.sqlite3"
SALT_NAME = "record-salt"
OUTCOMES = ("answered", "declined", "suggestion")
CHAT_TYPES = ("private", "group", "supergroup", "channel", "inline", "console")
QUEUE_SIZE = 10_000       # about a minute of a very busy bot; beyond that, drop and count
BATCH = 500               # writes per transaction when the queue has a backlog
PRUNE_EVERY = timedelta(days=1)
MAX_STORED_CHARS = 1000   # the engine refuses longer questions anyway
CHAT_HASH_CHARS = 16      # 64 bits: enough to count distinct chats, useless to reverse
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # fixed width, so text order is time order


class StoreError(Exception):
    """The question log cannot be read; the message is one line for a person."""


@dataclass(frozen=True)
class Row:
    """One recorded question."""

    id: str
    time: datetime
    chat_type: str
    chat: str | None
    question: str
    outcome: str
    entry: str | None
    score: float
    feedback: bool | None = None


def _v1(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE questions (
            id        TEXT PRIMARY KEY,
            time      TEXT NOT NULL,   -- UTC, YYYY-MM-DDTHH:MM:SSZ
            chat_type TEXT NOT NULL,
            chat      TEXT,            -- salted hash of the chat id, never the id
            question  TEXT NOT NULL,
            outcome   TEXT NOT NULL,   -- answered | declined | suggestion
            entry     TEXT,
            score     REAL NOT NULL,
            feedback  INTEGER          -- NULL, 1 helpful, 0 not helpful
        )""")
    db.execute("CREATE INDEX questions_time ON questions (time)")


# MIGRATIONS[n] takes a database from version n to n + 1.  To change the schema, append
# a step (never edit a released one); ``migrate`` runs each in its own transaction.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1,)


def migrate(db: sqlite3.Connection,
            migrations: tuple[Callable[[sqlite3.Connection], None], ...] = MIGRATIONS) -> int:
    """Bring ``db`` (opened with ``isolation_level=None``) up to the latest version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(migrations):
        raise StoreError(f"schema version {version} is newer than this bot knows "
                         f"({len(migrations)}); upgrade the bot")
    for number in range(version, len(migrations)):
        db.execute("BEGIN IMMEDIATE")
        try:
            migrations[number](db)
            db.execute(f"PRAGMA user_version = {number + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return len(migrations)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def outcome_of(result: Answer) -> str:
    """``answered``, ``suggestion`` (declined, close questions offered) or ``declined``."""
    if result.answered:
        return "answered"
    if result.suggestions and result.score >= DEFAULT_THRESHOLDS.suggest:
        return "suggestion"
    return "declined"


def read_rows(path: Path, days: int | None = None, *, now: datetime | None = None) -> list[Row]:
    """Every row of the log at ``path`` from the last ``days`` days (all when None), oldest first.

    Opens its own read-only connection; raises :class:`StoreError` when the file is
    missing or is not a question log.
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"no question log at {path} (the bot writes it once it has "
                         "answered a question; set DATA_DIR or pass --data DIR)")
    since = "" if days is None else _iso((now or _utcnow()) - timedelta(days=days))
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                             isolation_level=None, timeout=10)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from None
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != len(MIGRATIONS):
            raise StoreError(f"{path} has schema version {version}, this bot reads version "
                             f"{len(MIGRATIONS)}; run the bot once to upgrade it")
        found = db.execute(
            "SELECT id, time, chat_type, chat, question, outcome, entry, score, feedback "
            "FROM questions WHERE time >= ? ORDER BY time, rowid", (since,)).fetchall()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read {path}: {exc}") from None
    finally:
        db.close()
    return [Row(i, datetime.fromisoformat(t), ct, chat, q, o, e, s,
                None if f is None else bool(f))
            for i, t, ct, chat, q, o, e, s, f in found]


def _salt_from(data_dir: Path) -> str:
    """The salt kept in ``data_dir`` (created 0600 on first use), or a fresh one with a warning."""
    path = data_dir / SALT_NAME
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            salt = path.read_text(encoding="ascii").strip()
            if salt:
                return salt
            raise OSError(f"{path} is empty") from None
        salt = secrets.token_hex(32)
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(salt + "\n")
        return salt
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("cannot keep the chat-hash salt in %s (%s); chat hashes will change "
                    "at every restart (set RECORD_SALT to fix them)", path, exc)
        return secrets.token_hex(32)


class Store:
    """Records questions and feedback in the background; reads them back for reports."""

    def __init__(self, path: Path, *, salt: str, retention_days: int = 90,
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.path = Path(path)
        self.retention_days = retention_days
        self.dropped = 0  # questions lost to a full queue, a closed store or a broken file
        self._salt = salt.encode("utf-8")
        self._clock = clock
        self._queue: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=QUEUE_SIZE)
        self._lock = threading.Lock()
        self._warned: set[str] = set()
        self._closed = False
        self._last_prune = clock()
        self._thread = threading.Thread(target=self._run, name="question-log", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, settings: Settings, *, salt: str | None = None) -> Store:
        """The store in ``settings.data_dir``; salt from RECORD_SALT or a file kept beside it."""
        salt = salt or settings.record_salt or _salt_from(settings.data_dir)
        return cls(settings.data_dir / DB_NAME, salt=salt,
                   retention_days=settings.retention_days)

    # -- writing (any thread; never raises) ------------------------------------------------
    def chat_hash(self, chat_id: int | None) -> str | None:
        """The salted hash that stands for a chat in the log."""
        if chat_id is None:
            return None
        digest = hmac.new(self._salt, str(chat_id).encode("ascii"), hashlib.sha256)
        return digest.hexdigest()[:CHAT_HASH_CHARS]

    def record(self, *, chat_type: str, chat_id: int | None, question: str, outcome: str,
               entry: str | None, score: float) -> str:
        """Queue one question for writing; return its id at once."""
        question_id = secrets.token_urlsafe(9)
        try:
            if outcome not in OUTCOMES or chat_type not in CHAT_TYPES:
                log.error("not recorded: unknown outcome %r or chat type %r", outcome, chat_type)
                return question_id
            row = (question_id, _iso(self._clock()), str(chat_type), self.chat_hash(chat_id),
                   str(question)[:MAX_STORED_CHARS], outcome, entry, float(score))
            self._put(("record", row))
        except Exception:
            log.exception("not recorded: unexpected error")
        return question_id

    def record_answer(self, *, chat_type: str, chat_id: int | None, result: Answer
                      ) -> str | None:
        """Record what the engine did with one message (see :func:`outcome_of`).

        A message about the bot itself ("thanks", "help") is no question about the article
        and is not recorded: it would count as a question left unanswered.
        """
        if result.source == "meta":
            return None
        outcome = outcome_of(result)
        entry = result.entry
        if outcome == "suggestion":
            entry = result.suggestions[0].entry
        return self.record(chat_type=chat_type, chat_id=chat_id, question=result.question,
                           outcome=outcome, entry=entry, score=result.score)

    def feedback(self, question_id: str, helpful: bool) -> None:
        """Queue a 👍 (helpful) or 👎 for a recorded question; a later vote replaces it."""
        self._put(("feedback", (int(bool(helpful)), question_id)))

    def prune(self) -> None:
        """Queue the deletion of rows older than ``retention_days``."""
        self._put(("prune", None))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far is written; False on timeout."""
        if self._closed:
            return True
        done = threading.Event()
        try:
            self._queue.put(("flush", done), timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued, then stop the writer thread."""
        if self._closed:
            return
        self._closed = True
        try:
            self._queue.put(("stop", None), timeout=timeout)
        except queue.Full:
            log.warning("question log: writer too busy to stop cleanly")
            return
        self._thread.join(timeout)

    def _put(self, item: tuple[str, object]) -> None:
        lost = int(item[0] == "record")
        if self._closed:
            self._drop(lost)
            return
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._drop(lost)
            self._warn_once("full", "question log: the write queue is full; dropping "
                                    "questions until it drains")

    def _drop(self, count: int) -> None:
        with self._lock:
            self.dropped += count

    def _warn_once(self, kind: str, message: str, *args: object,
                   exc_info: bool = False) -> None:
        with self._lock:
            if kind in self._warned:
                return
            self._warned.add(kind)
        log.warning(message, *args, exc_info=exc_info)

    # -- the writer thread -----------------------------------------------------------------
    def _run(self) -> None:
        db = self._open()
        while True:
            batch = [self._queue.get()]
            while len(batch) < BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                db, running = self._handle(db, batch)
            except Exception:  # a bug here must not silence the log for good
                self._warn_once("bug", "question log: unexpected error", exc_info=True)
                running = True
            if not running:
                return

    def _handle(self, db: sqlite3.Connection | None,
                batch: list[tuple[str, object]]) -> tuple[sqlite3.Connection | None, bool]:
        """Write one batch in order; False when told to stop."""
        if db is not None and self._clock() - self._last_prune >= PRUNE_EVERY:
            self._prune(db)
        pending: list[tuple[str, object]] = []
        for kind, payload in batch:
            if kind in ("record", "feedback"):
                pending.append((kind, payload))
                continue
            db = self._write(db, pending)
            pending = []
            if kind == "prune" and db is not None:
                self._prune(db)
            elif kind == "flush":
                payload.set()  # type: ignore[attr-defined]
            elif kind == "stop":
                if db is not None:
                    db.close()
                return None, False
        return self._write(db, pending), True

    def _open(self) -> sqlite3.Connection | None:
        db = None
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            migrate(db)
            self._prune(db)
            return db
        except (sqlite3.Error, OSError, StoreError) as exc:
            if db is not None:
                db.close()
            self._warn_once("open", "question log disabled: cannot use %s (%s); the bot "
                                    "keeps answering without recording", self.path, exc)
            return None

    def _write(self, db: sqlite3.Connection | None,
               pending: list[tuple[str, object]]) -> sqlite3.Connection | None:
        if not pending:
            return db
        if db is None:
            self._drop(sum(kind == "record" for kind, _ in pending))
            return None
        try:
            db.execute("BEGIN")
            for kind, params in pending:
                if kind == "record":
                    db.execute("INSERT INTO questions (id, time, chat_type, chat, question, "
                               "outcome, entry, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", params)
                else:
                    db.execute("UPDATE questions SET feedback = ? WHERE id = ?", params)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            self._drop(sum(kind == "record" for kind, _ in pending))
            self._warn_once("write", "question log: cannot write to %s (%s); questions are "
                                     "not recorded until it works again", self.path, exc)
        else:
            with self._lock:
                recovered = "write" in self._warned
                self._warned.discard("write")
            if recovered:
                log.info("question log: writing to %s again", self.path)
        return db

    def _prune(self, db: sqlite3.Connection) -> None:
        self._last_prune = self._clock()
        cutoff = _iso(self._last_prune - timedelta(days=self.retention_days))
        try:
            db.execute("DELETE FROM questions WHERE time < ?", (cutoff,))
        except sqlite3.Error as exc:
            self._warn_once("prune", "question log: cannot prune %s (%s)", self.path, exc)

    # -- reading (the caller's thread, its own connection) ---------------------------------
    def rows(self, days: int | None = None) -> list[Row]:
        """Rows from the last ``days`` days (all when None); [] when the log is unreadable."""
        if not self.path.exists():
            return []
        try:
            return read_rows(self.path, days, now=self._clock())
        except StoreError as exc:
            self._warn_once("read", "question log: %s", exc)
            return []

    def headline_text(self, days: int = 7) -> str:
        """The report's headline figures as a few plain-text lines (for /stats)."""
        return headline(self.rows(days), days=days)
