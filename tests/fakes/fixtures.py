"""pytest fixtures for the fakes.

Use them anywhere in the suite by adding ``pytest_plugins = ["tests.fakes.fixtures"]`` to
``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.fakes.slack_api import FakeSlack

FAKE_OUTBOUND_TOKEN = "fake-outbound-token"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A running fake Slack Web API (and Socket Mode server) for one test."""
    async with FakeSlack() as slack:
        yield slack


@pytest.fixture
async def fake_connector() -> AsyncIterator[FakeBotConnector]:
    """A running fake Bot Framework connector expecting ``FAKE_OUTBOUND_TOKEN``."""
    async with FakeBotConnector(expected_token=FAKE_OUTBOUND_TOKEN) as connector:
        yield connector


@pytest.fixture(scope="session")
def openid_issuer() -> Iterator[FakeOpenIdIssuer]:
    """One token issuer for the session: botbuilder caches metadata per URL for a day."""
    with FakeOpenIdIssuer() as issuer:
        yield issuer
