"""pytest fixtures for the stand-in.

In a test module::

    pytest_plugins = ["tests.standin.fixtures"]

    def test_something(standin_api): ...

Don't also ``import tests.standin.fixtures`` anywhere (pytest then warns it can't rewrite the
module's asserts, an error under ``filterwarnings = error``), and don't re-export the fixture by
import (ruff F811). Or write the three-line fixture yourself::

    @pytest.fixture
    def api():
        with BotAPIStandIn() as standin:
            yield standin
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
