"""*Back* on a Teams form card, over real HTTP: the step before replaces the card, as it
was filled, and Teams reads no input of the step left (``associatedInputs: None``)."""

from __future__ import annotations

import pytest

from storage.db import Database
from tests.enrollment.test_enrollment_over_http import DARREN, MENTOR_STEPS, seed
from tests.fakes.adaptive_cards import check_adaptive_card
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.teams.cards import buttons, inputs
from tests.teams.conftest import RunningBot
from tests.teams.test_enrollment_over_teams import TeamsUser, title

BACK_VERB = "tandem.form.back"


@pytest.fixture
async def darren(
    real_bot: RunningBot,
    database: Database,
    openid_issuer: FakeOpenIdIssuer,
    fake_connector: FakeBotConnector,
) -> TeamsUser:
    """The young engineer of the demo, in his Teams client, the program seeded."""
    await seed(database)
    return TeamsUser(real_bot, openid_issuer, fake_connector, DARREN)


async def test_back_on_a_teams_form_card(darren: TeamsUser) -> None:
    first = await darren.says("join")
    assert [b["verb"] for b in buttons(first) if b["verb"] == BACK_VERB] == []
    second = await darren.submits(first, MENTOR_STEPS[0])
    third = await darren.submits(second, MENTOR_STEPS[1])
    assert title(third) == "Join: 3/5"
    [back] = [b for b in buttons(third) if b["verb"] == BACK_VERB]
    assert back["title"] == "Back" and back["associatedInputs"] == "None"
    assert check_adaptive_card(third) == []
    again = await darren.clicks(back)
    assert title(again) == "Join: 2/5"
    assert inputs(again)["goals"]["value"] == MENTOR_STEPS[1]["goals"]
    assert darren.connector.violations == []
