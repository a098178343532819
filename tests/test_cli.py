"""The command line: the JSON contract of ``ask``, JSON Lines, bad input, and errors."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).parent.parent
HARBOUR = Path(__file__).parent / "fixtures" / "harbour"
KEYS = {"question", "answered", "answer", "citations", "score", "entry", "suggestions"}


def run_cli(*args, stdin=None, env=None):
    environment = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, cwd=ROOT,
                          capture_output=True, env=environment, timeout=60)


def test_ask_json_contract(capsys):
    assert main(["ask", "--json", "--knowledge", str(HARBOUR), "how much is a ticket?"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload.keys() >= KEYS
    assert payload["answered"] is True
    assert payload["entry"] == "ferry-tickets"
    (citation,) = payload["citations"]
    assert citation == {"article": "harbour-ferry", "paragraph": 6,
                        "text": "Tickets cost three crowns, and children under twelve "
                                "travel free."}
    assert 0 < payload["score"] <= 1


def test_ask_json_decline_has_suggestions_shape(capsys):
    assert main(["ask", "--json", "--knowledge", str(HARBOUR), "who won the world cup?"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["answered"] is False
    assert payload["citations"] == [] and payload["entry"] is None
    assert isinstance(payload["suggestions"], list)


def test_ask_json_lines_from_stdin_in_order():
    questions = ["how much is a ticket?", "hi", "ferry capacity", "", "how long is the crossing"]
    result = run_cli("ask", "--json", "--knowledge", str(HARBOUR), "-",
                     stdin="\n".join(questions).encode())
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [line["question"] for line in lines] == questions
    assert [line["entry"] for line in lines] == [
        "ferry-tickets", None, "ferry-capacity", None, "ferry-crossing-time"]


def test_ask_does_not_import_telegram():
    code = ("import sys; from bot.cli import main; "
            f"main(['ask', '--knowledge', {str(HARBOUR)!r}, 'ferry capacity']); "
            "assert 'telegram' not in sys.modules, 'engine imported telegram'")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("question", ["", "   ", "x" * 10_000, "\x00\x01\xff\ufffd" * 50,
                                      "<b>hi</b> &amp; </blockquote>"])
def test_bad_questions_get_a_decline_not_a_traceback(question, capsys):
    assert main(["ask", "--json", "--knowledge", str(HARBOUR), question]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["answered"] is False


def test_binary_garbage_on_stdin():
    result = run_cli("ask", "--json", "--knowledge", str(HARBOUR), "-",
                     stdin=bytes(range(256)) * 4 + b"\nferry capacity\n")
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    assert json.loads(result.stdout.decode().splitlines()[-1])["entry"] == "ferry-capacity"


def test_missing_knowledge_directory_is_one_clear_line(tmp_path):
    result = run_cli("ask", "--knowledge", str(tmp_path / "missing"), "anything")
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert b"knowledge directory not found" in result.stderr


def test_unreadable_knowledge_file_is_reported(tmp_path):
    kb = tmp_path / "kb"
    shutil.copytree(HARBOUR, kb)
    (kb / "harbour-ferry.yaml").write_bytes(b"version: 1\n\xff\xfe broken")
    result = run_cli("validate", "--knowledge", str(kb))
    assert result.returncode == 1
    assert b"not UTF-8" in result.stderr and b"harbour-ferry.yaml:2" in result.stderr


def test_knowledge_dir_from_environment():
    result = run_cli("ask", "--json", "ferry capacity", env={"KNOWLEDGE_DIR": str(HARBOUR)})
    assert json.loads(result.stdout)["entry"] == "ferry-capacity"


def test_malformed_setting_is_one_clear_line():
    result = run_cli("ask", "ferry capacity", env={"LOG_LEVEL": "loud"})
    assert result.returncode == 1
    assert result.stderr.decode().strip().startswith("configuration error: LOG_LEVEL")


def test_console_chat_answers_and_explains():
    result = run_cli("console", "--knowledge", str(HARBOUR),
                     stdin=b"how much is a ticket?\nwhy\nquit\n")
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "Three crowns" in out and "paragraph 6" in out
    assert "matched wording" in out


def test_default_command_without_token_starts_console_and_says_how_to_connect():
    result = run_cli("--knowledge", str(HARBOUR), stdin=b"ferry capacity\n")
    out = result.stdout.decode()
    assert "TELEGRAM_BOT_TOKEN" in out.splitlines()[0]
    assert "120 passengers" in out


def test_eval_command_reports_and_enforces_floor(tmp_path, capsys):
    questions = tmp_path / "q.yaml"
    questions.write_text(
        '- q: "ferry capacity?"\n  expect: answer\n  gold: ["up to 120 passengers"]\n'
        '  para: [4]\n  kind: short\n'
        '- q: "hello there"\n  expect: no_answer\n  gold: []\n  para: []\n  kind: chatter\n'
        '- q: "who painted the ferry?"\n  expect: answer\n  gold: ["nothing"]\n  para: []\n'
        '  kind: paraphrase\n')
    assert main(["eval", "--knowledge", str(HARBOUR), str(questions)]) == 0
    out = capsys.readouterr().out
    assert "2/3" in out and "by kind" in out and "who painted the ferry?" in out
    assert main(["eval", "--knowledge", str(HARBOUR), "--min-accuracy", "0.9",
                 str(questions)]) == 1


def test_eval_writes_failures_as_a_curators_work_list(tmp_path, capsys):
    import yaml

    questions = tmp_path / "q.yaml"
    questions.write_text(
        '- q: "ferry capacity?"\n  expect: answer\n  gold: ["up to 120 passengers"]\n'
        '  para: [4]\n  kind: short\n'
        '- q: "who painted the ferry?"\n  expect: answer\n  gold: ["up to 120 passengers"]\n'
        '  para: [4]\n  kind: paraphrase\n')
    out_file = tmp_path / "failures.yaml"
    assert main(["eval", "--knowledge", str(HARBOUR), "--failures", str(out_file),
                 str(questions)]) == 0
    items = yaml.safe_load(out_file.read_text("utf-8"))
    assert [i["question"] for i in items] == ["who painted the ferry?"]
    assert items[0]["bot"] == "declined" and items[0]["reason"]
    assert "ferry-capacity" in items[0]["entries_citing_gold"]
    assert "1 failure(s) written" in capsys.readouterr().out


def test_eval_will_not_list_held_out_failures_for_curators(tmp_path, capsys):
    evaldir = tmp_path / "data" / "eval"
    evaldir.mkdir(parents=True)
    questions = evaldir / "q.yaml"
    questions.write_text("".join(
        f'- q: "ferry question {i}?"\n  expect: no_answer\n  gold: []\n  kind: chatter\n'
        for i in range(20)))
    code = main(["eval", "--knowledge", str(HARBOUR), "--failures",
                 str(tmp_path / "f.yaml"), str(questions)])
    assert code != 0 and not (tmp_path / "f.yaml").exists()
    assert "tuning data only" in capsys.readouterr().err


def test_console_records_only_when_asked(tmp_path):
    data = tmp_path / "data"
    run_cli("console", "--knowledge", str(HARBOUR), stdin=b"ferry capacity\n",
            env={"DATA_DIR": str(data)})
    assert not data.exists()
    run_cli("console", "--knowledge", str(HARBOUR), stdin=b"ferry capacity\n",
            env={"DATA_DIR": str(data), "RECORD_CONSOLE": "1", "RECORD_SALT": "s"})
    result = run_cli("report", "--data", str(data), env={"RECORD_SALT": "s"})
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "Questions in the last 30 day(s): 1" in out and "ferry-capacity" in out


def test_validate_answers_points_at_a_wording_that_misses_its_entry(tmp_path, capsys):
    kb = tmp_path / "harbour"
    shutil.copytree(HARBOUR, kb)
    path = kb / "harbour-ferry.yaml"
    lines = path.read_text("utf-8").splitlines()
    # The entry says "on Monday": a wording asking for the date is one it cannot answer.
    at = lines.index("      - how long was the ferry paused") + 1
    lines.insert(at, "      - on what date did the night ferry resume")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    assert main(["validate", "--answers", "--knowledge", str(kb)]) == 0  # a warning only
    err = capsys.readouterr().err
    assert (f"harbour/harbour-ferry.yaml:{at + 1}: warning [ferry-resumed]: wording "
            "'on what date did the night ferry resume' is declined (the question names a "
            "date question, which ferry-resumed is not about)") in err
    assert err.count("warning") == 1


def test_validate_answers_is_quiet_when_every_wording_reaches_its_entry(capsys):
    assert main(["validate", "--answers", "--knowledge", str(HARBOUR)]) == 0
    assert "warning" not in capsys.readouterr().err
