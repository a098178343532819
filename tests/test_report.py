"""Report figures on a known set of rows, and the report command on a real log file."""

import sys
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.cli import main
from bot.report import (
    Figures,
    ReportError,
    figures,
    format_report,
    headline,
    most_asked,
    most_unhelpful,
    per_day,
    plot_report,
    top_unanswered,
)
from bot.store import DB_NAME, Row, Store

DAY1 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DAY3 = DAY1 + timedelta(days=2)


def row(question, outcome="answered", entry=None, feedback=None, time=DAY1, score=0.8):
    return Row(f"id-{question}-{time:%d%H%M}", time, "private", "abc", question, outcome,
               entry, score, feedback)


# Ten questions over three days (none on the second):
# 6 answered (4 ferry-tickets, 2 ferry-cost), 3 declined, 1 suggestion;
# 2 helpful, 2 not helpful (both on ferry-cost).
ROWS = [
    row("How much is a ticket?", entry="ferry-tickets", feedback=True),
    row("ticket price", entry="ferry-tickets"),
    row("ferry ticket price", entry="ferry-tickets", feedback=True),
    row("what did the boat cost", entry="ferry-cost", feedback=False),
    row("What is the weather?", "declined", score=0.1),
    row("what is the  weather", "declined", score=0.1, time=DAY3),
    row("who won the cup", "declined", score=0.05, time=DAY3),
    row("how many fit on the boat", "suggestion", entry="ferry-capacity", score=0.3,
        time=DAY3),
    row("tickets?", entry="ferry-tickets", time=DAY3),
    row("cost of the pier", entry="ferry-cost", feedback=False, time=DAY3),
]


def test_figures():
    f = figures(ROWS)
    assert f == Figures(questions=10, answered=6, declined=3, suggestion=1, helpful=2,
                        not_helpful=2)
    assert f.answer_rate == 0.6
    assert f.declined_rate == 0.4
    assert figures([]).answer_rate == 0.0


def test_per_day_fills_the_empty_days():
    days = per_day(ROWS)
    assert [d for d, _ in days] == [date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 3)]
    assert [(f.questions, f.answered) for _, f in days] == [(5, 4), (0, 0), (5, 2)]
    assert per_day([]) == []


def test_most_asked_and_most_unhelpful():
    assert most_asked(ROWS) == [("ferry-tickets", 4), ("ferry-cost", 2)]
    assert most_asked(ROWS, 1) == [("ferry-tickets", 4)]
    assert most_unhelpful(ROWS) == [("ferry-cost", 2)]


def test_top_unanswered_groups_by_normalised_text():
    assert top_unanswered(ROWS) == [
        ("What is the weather?", 2), ("how many fit on the boat", 1), ("who won the cup", 1),
    ]


def test_format_report():
    text = format_report(ROWS, days=30)
    assert text.splitlines()[:5] == [
        "Questions in the last 30 day(s): 10",
        "  answered        6   60.0%",
        "  declined        3   30.0%",
        "  suggestion      1   10.0%  (declined, closest questions offered)",
        "  feedback   2 helpful, 2 not helpful",
    ]
    assert "  2025-03-02            0      0.0%" in text
    assert "Most asked entries\n      4  ferry-tickets\n      2  ferry-cost" in text
    assert "Most often not helpful\n      2  ferry-cost" in text
    assert "Most asked unanswered questions\n      2  What is the weather?" in text


def test_format_report_with_no_rows():
    assert format_report([], days=7) == "No questions recorded in the last 7 day(s)."
    assert format_report([]) == "No questions recorded in all recorded time."


def test_headline():
    assert headline(ROWS, days=7) == (
        "Questions in the last 7 day(s): 10\n"
        "Answered 60%, declined 40%\n"
        "Feedback: 2 helpful, 2 not helpful\n"
        "Most asked: ferry-tickets (4), ferry-cost (2)"
    )


def test_plot_report(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "report.png"
    plot_report(ROWS, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ReportError) as error:
        plot_report(ROWS, tmp_path / "report.png")
    assert str(error.value) == "plotting needs matplotlib: pip install matplotlib"


@pytest.fixture
def data_dir(tmp_path):
    """A data directory holding a real log: 3 answered (1 helpful), 1 declined."""
    data = tmp_path / "data"
    store = Store(data / DB_NAME, salt="s")
    qid = store.record(chat_type="private", chat_id=7, question="How much is a ticket?",
                       outcome="answered", entry="ferry-tickets", score=0.9)
    for question in ("ticket price", "ferry ticket price"):
        store.record(chat_type="group", chat_id=-8, question=question, outcome="answered",
                     entry="ferry-tickets", score=0.8)
    store.record(chat_type="private", chat_id=7, question="who won the cup",
                 outcome="declined", entry=None, score=0.1)
    store.feedback(qid, True)
    store.close()
    return data


def test_report_command(data_dir, capsys):
    assert main(["report", "--data", str(data_dir), "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Questions in the last 7 day(s): 4\n  answered        3   75.0%\n")
    assert "feedback   1 helpful, 0 not helpful" in out
    assert "      3  ferry-tickets" in out
    assert "      1  who won the cup" in out


def test_report_reads_data_dir_from_the_environment(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    assert main(["report"]) == 0
    assert "Questions in the last 30 day(s): 4" in capsys.readouterr().out


def test_report_command_plots(data_dir, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "out.png"
    assert main(["report", "--data", str(data_dir), "--plot", str(plot)]) == 0
    assert plot.stat().st_size > 0
    assert f"plot written to {plot}" in capsys.readouterr().out


def test_report_without_a_database_is_one_line(tmp_path, capsys):
    assert main(["report", "--data", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: no question log at {tmp_path / DB_NAME}")
    assert err.count("\n") == 1


def test_report_on_a_corrupt_database_is_one_line(tmp_path, capsys):
    (tmp_path / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    assert main(["report", "--data", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err == f"error: cannot read {tmp_path / DB_NAME}: file is not a database\n"
