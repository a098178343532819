"""The index cache: used when current, rebuilt when the knowledge or the engine changes."""

import shutil
from pathlib import Path

import pytest

from bot.answer import answer
from bot.knowledge import KnowledgeError
from bot.snapshot import fingerprint, load_index

HARBOUR = Path(__file__).parent / "fixtures" / "harbour"


@pytest.fixture
def kb_dir(tmp_path):
    target = tmp_path / "kb"
    shutil.copytree(HARBOUR, target)
    return target


def test_second_load_comes_from_the_cache(kb_dir, tmp_path):
    cache = tmp_path / "cache"
    first = load_index(kb_dir, cache)
    (cached,) = cache.glob("index-*.pickle")
    assert fingerprint(kb_dir) in cached.name
    second = load_index(kb_dir, cache)
    assert second is not first
    assert answer("ferry capacity", second).entry == "ferry-capacity"


def test_an_edit_rebuilds_and_an_error_is_never_hidden_by_the_cache(kb_dir, tmp_path):
    cache = tmp_path / "cache"
    load_index(kb_dir, cache)
    path = kb_dir / "harbour-ferry.yaml"
    path.write_text(path.read_text().replace("Up to 120 passengers.", "A hundred and twenty."))
    assert answer("ferry capacity", load_index(kb_dir, cache)).text == "A hundred and twenty."
    path.write_text(path.read_text().replace("id: ferry-capacity", "id: Ferry Capacity"))
    with pytest.raises(KnowledgeError):
        load_index(kb_dir, cache)


def test_a_corrupt_or_unwritable_cache_is_ignored(kb_dir, tmp_path):
    cache = tmp_path / "cache"
    load_index(kb_dir, cache)
    (cached,) = cache.glob("index-*.pickle")
    cached.write_bytes(b"not a pickle")
    assert answer("ferry capacity", load_index(kb_dir, cache)).answered
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache directory should be")
    assert answer("ferry capacity", load_index(kb_dir, blocked)).answered
