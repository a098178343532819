"""The question log: real SQLite files, a background writer, and no way to break the bot."""

import logging
import sqlite3
import stat
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pytest

from bot import store as store_module
from bot.answer import Answer, Suggestion
from bot.config import Settings, load_settings
from bot.store import DB_NAME, SALT_NAME, Store, StoreError, migrate, outcome_of, read_rows

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def stores():
    """Build stores; close every one at the end so no writer thread outlives its test."""
    made = []

    def make(path, **kwargs):
        kwargs.setdefault("salt", "test-salt")
        made.append(Store(path, **kwargs))
        return made[-1]

    yield make
    for s in made:
        s.close()


def ask(s, question="how much is a ticket?", *, chat_id=1001, outcome="answered",
        entry="ferry-tickets", score=0.8, chat_type="private"):
    return s.record(chat_type=chat_type, chat_id=chat_id, question=question, outcome=outcome,
                    entry=entry, score=score)


def table(path):
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT * FROM questions ORDER BY rowid").fetchall()


def store_warnings(caplog):
    return [r for r in caplog.records if r.name == "bot.store" and r.levelno >= logging.WARNING]


def test_record_and_feedback_round_trip(tmp_path, stores):
    s = stores(tmp_path / DB_NAME, clock=Clock())
    first = ask(s, "How much is a ticket?")
    second = ask(s, "who won the cup?", outcome="declined", entry=None, score=0.12,
                 chat_type="group", chat_id=-100123)
    s.feedback(first, helpful=True)
    s.feedback(second, helpful=False)
    assert s.flush()

    rows = s.rows()
    assert [r.id for r in rows] == [first, second]
    assert rows[0].question == "How much is a ticket?"
    assert (rows[0].outcome, rows[0].entry, rows[0].score, rows[0].feedback) == \
        ("answered", "ferry-tickets", 0.8, True)
    assert (rows[1].chat_type, rows[1].outcome, rows[1].entry, rows[1].feedback) == \
        ("group", "declined", None, False)
    assert rows[0].time == T0


def test_ids_are_short_unique_and_returned_before_the_write(tmp_path, stores):
    s = stores(tmp_path / DB_NAME)
    ids = {ask(s) for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 12 for i in ids)


def test_a_later_vote_replaces_the_earlier_one(tmp_path, stores):
    s = stores(tmp_path / DB_NAME)
    qid = ask(s)
    s.feedback(qid, True)
    s.feedback(qid, False)
    s.flush()
    assert s.rows()[0].feedback is False


def test_nothing_stored_holds_the_chat_id_and_there_is_no_user_column(tmp_path, stores):
    path = tmp_path / DB_NAME
    s = stores(path)
    ask(s, chat_id=987654321)
    ask(s, chat_id=987654321, chat_type="supergroup")
    ask(s, chat_id=None, chat_type="inline")
    s.close()

    rows = table(path)
    assert all("987654321" not in str(value) for row in rows for value in row)
    assert "987654321" not in path.read_bytes().decode("latin-1")
    with closing(sqlite3.connect(path)) as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(questions)")]
    assert columns == ["id", "time", "chat_type", "chat", "question", "outcome", "entry",
                       "score", "feedback"]
    hashes = [row[3] for row in rows]
    assert hashes[0] == hashes[1] and len(hashes[0]) == 16
    assert hashes[2] is None


def test_the_chat_hash_depends_on_the_salt(tmp_path, stores):
    one = stores(tmp_path / "a.sqlite3", salt="one")
    two = stores(tmp_path / "b.sqlite3", salt="two")
    assert one.chat_hash(42) == one.chat_hash(42) != two.chat_hash(42)
    assert one.chat_hash(42) != one.chat_hash(43)


def test_a_new_database_is_created_at_the_current_version_in_wal_mode(tmp_path, stores):
    path = tmp_path / "nested" / DB_NAME
    s = stores(path)
    s.flush()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(store_module.MIGRATIONS)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_empty_file_is_migrated(tmp_path, stores):
    path = tmp_path / DB_NAME
    path.touch()
    s = stores(path)
    ask(s)
    s.flush()
    assert len(table(path)) == 1


def test_a_version_0_database_keeps_its_tables_and_gains_ours(tmp_path, stores):
    path = tmp_path / DB_NAME
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute("INSERT INTO notes VALUES ('keep me')")
        db.commit()
    s = stores(path)
    ask(s)
    s.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT text FROM notes").fetchall() == [("keep me",)]
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert len(table(path)) == 1


def test_an_upgrade_step_is_one_function_and_keeps_the_rows(tmp_path, stores):
    path = tmp_path / DB_NAME
    s = stores(path)
    ask(s, "kept across the upgrade")
    s.close()

    def v2(db):
        db.execute("ALTER TABLE questions ADD COLUMN language TEXT")

    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        assert migrate(db, (*store_module.MIGRATIONS, v2)) == 2
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        assert db.execute("SELECT question, language FROM questions").fetchall() == \
            [("kept across the upgrade", None)]


def test_a_failed_step_leaves_the_version_alone(tmp_path):
    def broken(db):
        db.execute("CREATE TABLE half (x)")
        raise sqlite3.OperationalError("disk I/O error")

    with closing(sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)) as db:
        with pytest.raises(sqlite3.OperationalError):
            migrate(db, (broken,))
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_a_database_from_a_newer_bot_is_left_untouched(tmp_path, stores, caplog):
    path = tmp_path / DB_NAME
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 7")
    s = stores(path)
    assert ask(s)
    s.flush()
    assert len(store_warnings(caplog)) == 1
    assert "newer than this bot" in caplog.text
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 7
    with pytest.raises(StoreError, match="schema version 7"):
        read_rows(path)


def test_old_rows_are_pruned_daily_and_on_request(tmp_path, stores):
    clock = Clock()
    s = stores(tmp_path / DB_NAME, retention_days=30, clock=clock)
    ask(s, "from March")
    s.flush()
    clock.now = T0 + timedelta(days=31)
    ask(s, "from April")  # the first batch a day after the last prune prunes again
    s.flush()
    assert [r.question for r in s.rows()] == ["from April"]
    clock.now = T0 + timedelta(days=62)
    s.prune()
    s.flush()
    assert s.rows() == []


def test_old_rows_are_pruned_when_the_store_opens(tmp_path, stores):
    path = tmp_path / DB_NAME
    s = stores(path, clock=Clock(T0 - timedelta(days=100)))
    ask(s, "old")
    s.close()
    s = stores(path, clock=Clock(T0), retention_days=90)
    ask(s, "new")
    s.flush()
    assert [r.question for r in s.rows()] == ["new"]


def test_rows_keeps_the_last_days(tmp_path, stores):
    clock = Clock(T0 - timedelta(days=10))
    s = stores(tmp_path / DB_NAME, clock=clock)
    ask(s, "ten days ago")
    clock.now = T0
    ask(s, "today")
    s.flush()
    assert [r.question for r in s.rows(7)] == ["today"]
    assert len(s.rows()) == 2


def test_concurrent_writers_all_land(tmp_path, stores):
    s = stores(tmp_path / DB_NAME)
    ids: list[str] = []
    lock = threading.Lock()

    def writer(n):
        mine = [ask(s, f"thread {n} question {i}", chat_id=n) for i in range(250)]
        for qid in mine[::5]:
            s.feedback(qid, True)
        with lock:
            ids.extend(mine)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert s.flush()

    rows = s.rows()
    assert len(rows) == 2000 == len(set(ids))
    assert {r.id for r in rows} == set(ids)
    assert sum(r.feedback is True for r in rows) == 400
    assert s.dropped == 0


def test_a_directory_where_the_file_should_be(tmp_path, stores, caplog):
    path = tmp_path / DB_NAME
    path.mkdir()
    s = stores(path)
    ids = [ask(s) for _ in range(20)]
    s.feedback(ids[0], True)
    assert s.flush()
    assert len(set(ids)) == 20
    assert len(store_warnings(caplog)) == 1
    assert "question log disabled" in caplog.text
    assert s.dropped == 20
    assert s.rows() == []


def test_garbage_bytes_are_not_clobbered(tmp_path, stores, caplog):
    path = tmp_path / DB_NAME
    garbage = bytes(range(256)) * 64
    path.write_bytes(garbage)
    s = stores(path)
    ids = [ask(s) for _ in range(20)]
    assert s.flush()
    assert len(ids) == 20
    assert len(store_warnings(caplog)) == 1
    assert "not a database" in caplog.text
    assert path.read_bytes() == garbage
    assert s.headline_text() == "No questions recorded in the last 7 day(s)."
    with pytest.raises(StoreError, match="not a database"):
        read_rows(path)


def test_write_errors_are_one_warning_and_the_store_recovers(tmp_path, stores, caplog):
    caplog.set_level(logging.INFO, logger="bot.store")
    path = tmp_path / DB_NAME
    s = stores(path)
    ask(s, "before")
    s.flush()
    with closing(sqlite3.connect(path)) as other:  # every insert now fails, like a full disk
        other.execute("CREATE TRIGGER fail BEFORE INSERT ON questions "
                      "BEGIN SELECT RAISE(ABORT, 'disk is full'); END")
        other.commit()
        for i in range(5):
            assert ask(s, f"lost {i}")
            assert s.flush()
        other.execute("DROP TRIGGER fail")
        other.commit()
    ask(s, "after")
    s.flush()
    assert len(store_warnings(caplog)) == 1
    assert "disk is full" in caplog.text
    assert caplog.records[-1].getMessage() == f"question log: writing to {path} again"
    assert s.dropped == 5
    assert [r.question for r in s.rows()] == ["before", "after"]


def test_a_full_queue_drops_and_counts(tmp_path, stores, monkeypatch, caplog):
    gate = threading.Event()
    opened = Store._open

    def slow_open(self):
        gate.wait(5)
        return opened(self)

    monkeypatch.setattr(store_module, "QUEUE_SIZE", 3)
    monkeypatch.setattr(Store, "_open", slow_open)
    s = stores(tmp_path / DB_NAME)
    ids = [ask(s, f"q{i}") for i in range(10)]
    gate.set()
    assert s.flush()
    assert len(ids) == 10
    assert s.dropped == 7
    assert [r.question for r in s.rows()] == ["q0", "q1", "q2"]
    assert len(store_warnings(caplog)) == 1


def test_after_close_record_still_returns_an_id(tmp_path, stores):
    s = stores(tmp_path / DB_NAME)
    s.close()
    assert ask(s)
    assert s.flush()
    assert s.dropped == 1


def test_an_unknown_outcome_is_not_stored(tmp_path, stores, caplog):
    s = stores(tmp_path / DB_NAME)
    assert ask(s, outcome="maybe")
    ask(s)
    s.flush()
    assert [r.outcome for r in s.rows()] == ["answered"]
    assert "unknown outcome 'maybe'" in caplog.text


def test_a_chat_type_may_be_a_string_enum(tmp_path, stores):
    class ChatType(StrEnum):  # as python-telegram-bot's Chat.type is
        SUPERGROUP = "supergroup"

    s = stores(tmp_path / DB_NAME)
    ask(s, chat_type=ChatType.SUPERGROUP)
    s.flush()
    assert type(s.rows()[0].chat_type) is str
    assert s.rows()[0].chat_type == "supergroup"


def test_outcome_of_an_answer():
    answered = Answer("ferry capacity", True, "Up to 120.", score=0.9, entry="ferry-capacity")
    close = Answer("how many fit?", False, "No.", score=0.3,
                   suggestions=(Suggestion("ferry-capacity", "How many passengers?"),))
    far = Answer("weather?", False, "No.", score=0.1,
                 suggestions=(Suggestion("ferry-headline", "What is the story about?"),))
    assert [outcome_of(a) for a in (answered, close, far)] == \
        ["answered", "suggestion", "declined"]


def test_record_answer(tmp_path, stores):
    s = stores(tmp_path / DB_NAME)
    close = Answer("how many fit?", False, "No.", score=0.3,
                   suggestions=(Suggestion("ferry-capacity", "How many passengers?"),))
    s.record_answer(chat_type="console", chat_id=None, result=close)
    s.flush()
    row = s.rows()[0]
    assert (row.question, row.outcome, row.entry, row.score) == \
        ("how many fit?", "suggestion", "ferry-capacity", 0.3)


def test_a_message_about_the_bot_is_not_recorded(tmp_path, stores):
    s = stores(tmp_path / DB_NAME)
    thanks = Answer("thanks!", False, "You're welcome!", source="meta")
    assert s.record_answer(chat_type="console", chat_id=None, result=thanks) is None
    s.flush()
    assert s.rows() == []


def test_open_from_settings_keeps_a_private_salt(tmp_path, monkeypatch):
    monkeypatch.delenv("RECORD_SALT", raising=False)
    settings = Settings(data_dir=tmp_path / "data", retention_days=14)
    first = Store.open(settings)
    first.close()
    second = Store.open(settings)
    second.close()
    salt_file = tmp_path / "data" / SALT_NAME
    assert stat.S_IMODE(salt_file.stat().st_mode) == 0o600
    assert first.path == tmp_path / "data" / DB_NAME
    assert first.retention_days == 14
    assert first.chat_hash(5) == second.chat_hash(5)
    assert len(salt_file.read_text().strip()) == 64


def test_record_salt_from_the_environment_wins(tmp_path, stores):
    settings = load_settings({"RECORD_SALT": "from-env", "DATA_DIR": str(tmp_path)},
                             dotenv=None)
    s = Store.open(settings)
    s.close()
    assert s.chat_hash(5) == stores(tmp_path / "x", salt="from-env").chat_hash(5)
    assert not (tmp_path / SALT_NAME).exists()


def test_headline_text(tmp_path, stores):
    s = stores(tmp_path / DB_NAME)
    for _ in range(3):
        ask(s, entry="ferry-tickets")
    qid = ask(s, entry="ferry-cost")
    ask(s, "who won the cup", outcome="declined", entry=None, score=0.1)
    s.feedback(qid, False)
    s.flush()
    assert s.headline_text() == (
        "Questions in the last 7 day(s): 5\n"
        "Answered 80%, declined 20%\n"
        "Feedback: 0 helpful, 1 not helpful\n"
        "Most asked: ferry-tickets (3), ferry-cost (1)"
    )


def test_headline_text_before_anything_is_recorded(tmp_path, stores):
    s = stores(tmp_path / DB_NAME)
    assert s.headline_text(30) == "No questions recorded in the last 30 day(s)."


def test_read_rows_names_a_missing_file(tmp_path):
    with pytest.raises(StoreError, match="no question log at"):
        read_rows(tmp_path / DB_NAME)
