"""A cache of the validated knowledge base and its index, so a start-up costs milliseconds.

Loading the YAML, validating every quote and building the index takes most of a second
on the bundled knowledge base (minutes on a very large one); the result depends only on
the knowledge files and the engine's code.  ``load_index`` keys a pickle on both and
rebuilds it whenever either changes.  A cache that cannot be read or written is simply
not used.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path

from bot.knowledge import SYNONYMS_FILE, load_knowledge
from bot.matcher import Index

log = logging.getLogger(__name__)

# The modules whose code shapes what is cached.
KEEP = 8  # cached indexes kept (several knowledge directories may be in use)
_ENGINE = ("knowledge", "matcher", "synonyms", "normalise", "lexicon", "yamlfile", "snapshot")
# Libraries whose data the index holds (pyspellchecker's English word list), keyed on
# their installed files' sizes and times: cheaper than importlib.metadata at start-up.
_DATA = ("spellchecker",)


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/talks-bot`` (``~/.cache/talks-bot`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "talks-bot"


def fingerprint(directory: Path) -> str:
    """A digest of the knowledge files' names and bytes, the engine's source and the
    versions of the libraries whose data the index holds."""
    digest = hashlib.sha256(sys.version.encode())
    for name in _DATA:
        spec = find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            for path in sorted(Path(location).rglob("*")):
                if path.is_file() and path.suffix in (".py", ".gz", ".json"):
                    stat = path.stat()
                    digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    package = Path(__file__).parent
    for name in _ENGINE:
        digest.update((package / f"{name}.py").read_bytes())
    for path in sorted(directory.iterdir()):
        if path.suffix in (".yaml", ".txt") or path.name == SYNONYMS_FILE:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def load_index(directory: Path, cache_dir: Path | None = None) -> Index:
    """The index of the knowledge base in ``directory``, from the cache when it is current.

    Raises :class:`bot.knowledge.KnowledgeError` like ``load_knowledge``.
    """
    directory = Path(directory)
    cache_dir = default_cache_dir() if cache_dir is None else cache_dir
    try:
        path = cache_dir / f"index-{fingerprint(directory)}.pickle"
        with path.open("rb") as file:
            index = pickle.load(file)
        if isinstance(index, Index):
            return index
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError,
            ValueError, IndexError):
        pass
    index = Index(load_knowledge(directory))
    try:
        path = cache_dir / f"index-{fingerprint(directory)}.pickle"
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_dir, delete=False) as file:
            pickle.dump(index, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(file.name, path)
        for old in sorted(cache_dir.glob("index-*.pickle"), key=lambda p: p.stat().st_mtime,
                          reverse=True)[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("index cache not written: %s", exc)
    return index
