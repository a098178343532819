"""Loading and validating knowledge files: every error names file, line and entry."""

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge import KnowledgeError, check_knowledge, load_knowledge

FIXTURE = Path(__file__).parent / "fixtures" / "harbour"
BUNDLED = Path(__file__).parent.parent / "knowledge"


@pytest.fixture
def kb_dir(tmp_path):
    target = tmp_path / "kb"
    shutil.copytree(FIXTURE, target)
    return target


def yaml_path(kb_dir):
    return kb_dir / "harbour-ferry.yaml"


def edit(kb_dir, old, new):
    path = yaml_path(kb_dir)
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def errors(kb_dir):
    return [p for p in check_knowledge(kb_dir) if p.severity == "error"]


def line_of(kb_dir, needle):
    for number, line in enumerate(yaml_path(kb_dir).read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_fixture_loads_and_derives_paragraph_numbers(kb_dir):
    kb = load_knowledge(kb_dir)
    entry = kb.entry("ferry-tickets")
    assert entry.citations[0].paragraph == 6
    assert entry.citations[0].article == "harbour-ferry"
    assert kb.articles["harbour-ferry"].paragraph(6).startswith("Tickets cost")


def test_bundled_knowledge_base_is_valid():
    problems = check_knowledge(BUNDLED)
    assert [p for p in problems if p.severity == "error"] == []
    kb = load_knowledge(BUNDLED)
    assert len(kb.entries) > 60
    cited = {c.paragraph for e in kb.entries for c in e.citations}
    assert cited == set(range(1, len(kb.articles["moscow-talks"].paragraphs) + 1))


def test_bundled_article_is_byte_for_byte_the_shared_one():
    shared = Path(__file__).parents[2] / "shared" / "article" / "moscow-talks.txt"
    if not shared.exists():
        pytest.skip("shared/ is not beside this checkout")
    assert (BUNDLED / "moscow-talks.txt").read_bytes() == shared.read_bytes()


def test_yaml_syntax_error_has_file_and_line(kb_dir):
    edit(kb_dir, "    answer: 18 minutes.", "    answer: [18 minutes.")
    (problem,) = errors(kb_dir)
    assert problem.file.endswith("harbour-ferry.yaml")
    assert problem.line is not None and problem.line >= line_of(kb_dir, "[18 minutes.")
    assert "YAML error" in problem.message


def test_unknown_field(kb_dir):
    edit(kb_dir, "    answer: 18 minutes.", "    answer: 18 minutes.\n    answr: typo")
    (problem,) = errors(kb_dir)
    assert "unknown field 'answr'" in problem.message
    assert problem.entry == "ferry-crossing-time"
    assert problem.line == line_of(kb_dir, "answr:")


def test_missing_field(kb_dir):
    edit(kb_dir, "    answer: 18 minutes.\n", "")
    (problem,) = errors(kb_dir)
    assert "missing field 'answer'" in problem.message
    assert problem.entry == "ferry-crossing-time"


def test_duplicate_id(kb_dir):
    edit(kb_dir, "id: ferry-crossing-time", "id: ferry-capacity")
    (problem,) = errors(kb_dir)
    assert "duplicate id" in problem.message and problem.entry == "ferry-capacity"


def test_duplicate_key_is_an_error_not_a_silent_overwrite(kb_dir):
    edit(kb_dir, "    answer: 18 minutes.", "    answer: 18 minutes.\n    answer: 20 minutes.")
    (problem,) = errors(kb_dir)
    assert "duplicate key 'answer'" in problem.message
    assert problem.line == line_of(kb_dir, "answer: 20 minutes.")


def test_quote_not_verbatim_names_nearest_passage(kb_dir):
    edit(kb_dir, '"crosses the harbour in 18 minutes"', '"crosses the bay in 18 minutes"')
    (problem,) = errors(kb_dir)
    assert problem.entry == "ferry-crossing-time"
    assert "not verbatim" in problem.message
    assert "paragraph 4" in problem.message and "crosses the harbour in 18 minutes" in \
        problem.message


def test_quote_differing_only_in_whitespace_or_quote_marks_says_so(kb_dir):
    article = kb_dir / "harbour-ferry.txt"
    article.write_text(article.read_text().replace("Tickets cost", "“Tickets” cost"))
    edit(kb_dir, '"Tickets cost three crowns, and',
         """'"Tickets" cost three  crowns, and""")
    edit(kb_dir, 'travel free."', "travel free.'")
    (problem,) = errors(kb_dir)
    assert "differs only in whitespace or quote marks" in problem.message
    assert problem.entry == "ferry-tickets"


def test_same_wording_under_two_entries(kb_dir):
    edit(kb_dir, "      - ferry crossing time", "      - Ferry capacity!")
    (problem,) = errors(kb_dir)
    assert "also under entry 'ferry-capacity'" in problem.message
    assert problem.entry == "ferry-crossing-time"


def test_uncited_paragraph_is_a_warning(kb_dir):
    edit(kb_dir, '      - "Harbour ferry returns after two-year pause"\n', "")
    problems = check_knowledge(kb_dir)
    assert [p.severity for p in problems] == ["warning"]
    assert "paragraph 1 is not cited" in problems[0].message
    load_knowledge(kb_dir)  # warnings do not stop the bot


def test_missing_article_file(kb_dir):
    (kb_dir / "harbour-ferry.txt").unlink()
    (problem,) = errors(kb_dir)
    assert "article file not found" in problem.message


def test_missing_directory(tmp_path):
    (problem,) = errors(tmp_path / "nowhere")
    assert "not found" in problem.message


def test_load_raises_with_every_problem(kb_dir):
    edit(kb_dir, "id: ferry-crossing-time", "id: Ferry_Crossing")
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(kb_dir)
    assert "kebab-case" in str(raised.value)


def test_validate_command_exit_status(kb_dir, capsys):
    assert main(["validate", "--knowledge", str(kb_dir)]) == 0
    assert "6 entries" in capsys.readouterr().out
    edit(kb_dir, "id: ferry-crossing-time", "id: ferry-capacity")
    assert main(["validate", "--knowledge", str(kb_dir)]) == 1
    err = capsys.readouterr().err
    assert "harbour-ferry.yaml:" in err and "[ferry-capacity]" in err


def test_overlong_id_is_an_error(kb_dir):
    edit(kb_dir, "id: ferry-crossing-time", "id: " + "-".join(["ferry"] * 9))
    (problem,) = errors(kb_dir)
    assert "longer than 40" in problem.message


def test_alias_in_two_groups_is_an_error_and_a_repeat_a_warning(kb_dir):
    (kb_dir / "synonyms.yaml").write_text(
        "version: 1\ngroups:\n"
        "  - canonical: ferry\n    kind: other\n    aliases: [boat, vessel, boat]\n"
        "  - canonical: harbour\n    kind: place\n    aliases: [port, vessel]\n",
        encoding="utf-8")
    problems = check_knowledge(kb_dir)
    assert [p.message for p in problems if p.severity == "error"] == [
        "alias 'vessel' is in two groups: 'ferry' and 'harbour'"]
    assert "alias 'boat' is repeated in 'ferry'" in [
        p.message for p in problems if p.severity == "warning"]
