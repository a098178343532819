"""Reading a YAML file that people edit by hand: bounded, strict, and with line numbers.

``yaml.safe_load`` follows aliases without limit ("billion laughs"), silently keeps
the last of two duplicate keys and forgets where a value came from.  This loader
refuses oversized files and alias-heavy documents before they are expanded, rejects
duplicate keys, and returns mappings that remember their line.
"""

from __future__ import annotations

from pathlib import Path

import yaml

MAX_BYTES = 2_000_000
MAX_ALIASES = 50
# Values the aliases may add once expanded: 48 aliases nested three by three already stand
# for 3**16 values, a "billion laughs" that stays under MAX_ALIASES.
MAX_ALIAS_NODES = 10_000


class YamlFileError(Exception):
    """A YAML file that cannot be read; carries the path and (1-based) line."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message


class LineDict(dict):
    """A mapping from the file, with the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        """Line of ``key`` if present, else the mapping's own line."""
        return self.key_lines.get(key, self.line)


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many nodes ``node`` stands for once aliases are expanded (a cycle counts once)."""
    if id(node) not in sizes:
        sizes[id(node)] = 1  # a recursive alias leads back here
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        sizes[id(node)] = 1 + sum(_expanded_size(child, sizes) for child in children)
    return sizes[id(node)]


class _StrictLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases_seen = 0
        self.alias_nodes = 0
        self.sizes: dict[int, int] = {}

    def compose_node(self, parent, index):
        if not self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        mark = self.peek_event().start_mark
        self.aliases_seen += 1
        if self.aliases_seen > MAX_ALIASES:
            raise yaml.MarkedYAMLError(
                problem=f"more than {MAX_ALIASES} YAML aliases (an alias bomb?)",
                problem_mark=mark,
            )
        node = super().compose_node(parent, index)
        self.alias_nodes += _expanded_size(node, self.sizes)
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise yaml.MarkedYAMLError(
                problem=f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} values "
                        "(an alias bomb?)",
                problem_mark=mark,
            )
        return node

    def construct_line_mapping(self, node: yaml.MappingNode) -> LineDict:
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise yaml.MarkedYAMLError(
                    problem="a mapping key must be plain text", problem_mark=key_node.start_mark
                )
            if key in mapping:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
                )
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _StrictLoader.construct_line_mapping
)


def read_yaml(path: Path, *, max_bytes: int = MAX_BYTES) -> object:
    """Parse one YAML document from ``path``, raising :class:`YamlFileError` on any problem."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise YamlFileError(path, f"file is {size:,} bytes; the limit is {max_bytes:,}")
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlFileError(path, f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlFileError(path, f"not UTF-8 (byte 0x{raw[exc.start]:02x})", line) from None
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        raise YamlFileError(path, f"YAML error: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise YamlFileError(path, f"YAML error: {exc}") from None
    except RecursionError:
        raise YamlFileError(path, "YAML error: nested too deeply") from None
    finally:
        loader.dispose()
