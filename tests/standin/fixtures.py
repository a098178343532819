"""pytest fixtures for the stand-in.

Use them with ``pytest_plugins = ["tests.standin.fixtures"]`` in a test module that pytest
imports with ``/work/main`` on ``sys.path``, or re-export them in your module::

    from tests.standin.fixtures import standin_api  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import DEFAULT_TOKEN, BotAPIStandIn

__all__ = ["standin_api"]


@pytest.fixture
def standin_api() -> Iterator[BotAPIStandIn]:
    """A started :class:`BotAPIStandIn` with ``DEFAULT_TOKEN``, stopped after the test."""
    with BotAPIStandIn(token=DEFAULT_TOKEN) as api:
        yield api
