"""Clustering what the bot could not answer, and the YAML draft a curator pastes back."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.answer import answer
from bot.cli import main
from bot.curation import (
    CLOSE,
    SIMILAR,
    draft_yaml,
    export_yaml,
    format_clusters,
    similarity,
    unanswered_clusters,
)
from bot.knowledge import load_knowledge
from bot.matcher import Index
from bot.store import DB_NAME, Row, Store

FIXTURE = Path(__file__).parent / "fixtures" / "harbour"
WHEN = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

# What people asked that the bot failed, grouped as a person would group it.
GROUPS = {
    "weather": ["what's the weather in Moscow", "weather in moscow today?",
                "How is the weather in Moscow", "moscow weather"],
    "sunday": ["is the ferry open on Sundays", "does the ferry run on sunday"],
    "leader": ["where is the taliban leader", "where is the taliban leader now?"],
    "adult-ticket": ["how much is a ferry ticket for adults", "ferry ticket price for adults?"],
    "russian": ["Какая погода в Москве?", "погода в москве"],
}


def row(question, outcome="declined", entry=None, feedback=None, score=0.1):
    return Row(f"id-{question}", WHEN, "private", "abc", question, outcome, entry, score,
               feedback)


@pytest.fixture(scope="module")
def index():
    return Index(load_knowledge(FIXTURE))


@pytest.fixture
def rows():
    failed = [row(q) for wordings in GROUPS.values() for q in wordings]
    return [
        *failed,
        row("what's the weather in Moscow"),                  # asked twice
        row("how much did the ferry cost", "answered", "ferry-cost", False, 0.8),
        row("ferry capacity", "answered", "ferry-capacity", True, 0.9),  # fine: left out
        row("How many passengers?", "answered", "ferry-capacity", None, 0.9),
        row("hi"), row("what?"),                             # nothing to curate
    ]


def group_of(question):
    return next((name for name, wordings in GROUPS.items() if question in wordings), question)


def test_similarity_separates_paraphrases_from_unrelated_questions():
    assert similarity("what's the weather in Moscow", "moscow weather") >= SIMILAR
    assert similarity("is the ferry open on Sundays", "does the ferry run on sunday") >= SIMILAR
    assert similarity("how much did the ferry cost", "how much is a ferry ticket") < SIMILAR
    assert similarity("what does china think about the talks",
                      "what does the mayor think") < SIMILAR
    assert similarity("who won the cup", "what's the weather") == 0


def test_paraphrases_cluster_together_and_unrelated_questions_apart(rows, index):
    clusters = unanswered_clusters(rows, index)
    by_group = {}
    for cluster in clusters:
        groups = {group_of(q) for q in cluster.questions}
        assert len(groups) == 1, cluster.questions
        by_group[groups.pop()] = cluster
    assert set(by_group) == {*GROUPS, "how much did the ferry cost"}
    assert set(by_group["weather"].questions) == set(GROUPS["weather"])
    assert by_group["weather"].count == 5
    assert by_group["weather"].questions[0] == "what's the weather in Moscow"
    assert clusters[0] is by_group["weather"]


def test_answered_and_helpful_questions_and_greetings_are_left_out(rows, index):
    asked = {q for c in unanswered_clusters(rows, index) for q in c.questions}
    assert not asked & {"ferry capacity", "How many passengers?", "hi", "what?"}


def test_each_cluster_names_the_closest_entry(rows, index):
    clusters = {group_of(c.questions[0]): c for c in unanswered_clusters(rows, index)}
    tickets = clusters["adult-ticket"]
    assert (tickets.closest, tickets.closest_question, tickets.closest_article) == \
        ("ferry-tickets", "How much is a ferry ticket?", "harbour-ferry")
    assert tickets.closest_score >= CLOSE
    assert clusters["weather"].closest_score < CLOSE
    unhelpful = clusters["how much did the ferry cost"]
    assert (unhelpful.not_helpful, unhelpful.answered_with, unhelpful.closest) == \
        (1, ("ferry-cost",), "ferry-cost")


def test_the_draft_is_valid_yaml_with_wordings_and_skeletons(rows, index, tmp_path):
    path = tmp_path / "draft.yaml"
    export_yaml(unanswered_clusters(rows, index), path)
    text = path.read_text(encoding="utf-8")
    draft = yaml.safe_load(text)

    wordings = {item["entry"]: item for item in draft["add_wordings"]}
    assert wordings["ferry-tickets"]["questions"] == GROUPS["adult-ticket"]
    assert wordings["ferry-cost"]["questions"] == ["how much did the ferry cost"]

    new = {item["questions_ru"][0] if "questions_ru" in item else item["questions"][0]: item
           for item in draft["new_entries"]}
    weather = new["what's the weather in Moscow"]
    assert set(weather) == {"id", "questions", "answer", "quotes"}
    assert weather["id"] == "TODO-weather-moscow"
    assert set(weather["questions"]) == set(GROUPS["weather"])
    assert (weather["answer"], weather["quotes"]) == ("TODO", ["TODO"])
    russian = new["Какая погода в Москве?"]
    assert russian["questions_ru"] == GROUPS["russian"]
    assert russian["questions"] == ["TODO an English wording"]

    assert "# asked 5 time(s)" in text
    assert "closest entry ferry-tickets (score" in text
    assert "harbour-ferry.yaml: “How much is a ferry ticket?”" in text
    assert "answered with ferry-cost and marked not helpful: improve that answer" in text
    assert "  - id: TODO-weather-moscow\n    questions:\n      - " in text


def test_an_empty_draft_is_still_valid_yaml():
    assert yaml.safe_load(draft_yaml([])) == {"add_wordings": [], "new_entries": []}


def test_awkward_questions_survive_the_round_trip(index):
    awkward = ["true", "off", "null: or not?", "# not a comment", "- a dash",
               "'quoted' \"both\"", "1.5", "ferry: «ёлка» \\ back"]
    clusters = unanswered_clusters([row(q) for q in awkward], index, threshold=101)
    draft = yaml.safe_load(draft_yaml(clusters))
    found = [q for item in draft["new_entries"] + draft["add_wordings"]
             for q in item.get("questions", []) + item.get("questions_ru", [])]
    assert sorted(found) == sorted([*awkward, "TODO an English wording"])


def test_pasting_a_wording_makes_the_bot_answer_it(rows, index, tmp_path):
    draft = yaml.safe_load(draft_yaml(unanswered_clusters(rows, index)))
    item = next(i for i in draft["add_wordings"] if i["entry"] == "ferry-tickets")
    question = item["questions"][0]

    kb_dir = tmp_path / "kb"
    shutil.copytree(FIXTURE, kb_dir)
    path = kb_dir / "harbour-ferry.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(e for e in data["entries"] if e["id"] == "ferry-tickets")
    entry["questions"] += item["questions"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    result = answer(question, Index(load_knowledge(kb_dir)))
    assert (result.answered, result.entry) == (True, "ferry-tickets")


def test_format_clusters(rows, index):
    text = format_clusters(unanswered_clusters(rows, index))
    first = text.splitlines()[0]
    assert first.startswith("    5  what's the weather in Moscow; ")
    assert first.endswith("(+1 more)")
    assert "closest: ferry-tickets (" in text and "add as wordings?" in text
    assert "1 marked not helpful after an answer from ferry-cost" in text
    assert format_clusters([]).startswith("Nothing unanswered")


@pytest.fixture
def data_dir(tmp_path, rows):
    """A real log holding the rows above (recorded now, so --days keeps them)."""
    data = tmp_path / "data"
    store = Store(data / DB_NAME, salt="s")
    for r in rows:
        qid = store.record(chat_type="private", chat_id=1, question=r.question,
                           outcome=r.outcome, entry=r.entry, score=r.score)
        if r.feedback is not None:
            store.feedback(qid, r.feedback)
    store.close()
    return data


def test_unanswered_command_exports_a_draft(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out_file = tmp_path / "draft.yaml"
    code = main(["unanswered", "--data", str(data_dir), "--knowledge", str(FIXTURE),
                 "--export", str(out_file), "--days", "7"])
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("    5  what's the weather in Moscow")
    assert f"draft written to {out_file}" in out

    draft = yaml.safe_load(out_file.read_text(encoding="utf-8"))
    asked = {q for section in ("add_wordings", "new_entries") for item in draft[section]
             for q in item.get("questions", []) + item.get("questions_ru", [])}
    asked.discard("TODO an English wording")
    assert asked == {q for wordings in GROUPS.values() for q in wordings} | \
        {"how much did the ferry cost"}


def test_unanswered_without_a_database_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["unanswered", "--data", str(tmp_path), "--knowledge", str(FIXTURE),
                 "--export", str(tmp_path / "x.yaml")])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no question log at ") and err.count("\n") == 1
    assert not (tmp_path / "x.yaml").exists()
