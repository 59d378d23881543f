"""``admin announce`` in Teams: the channels the bot is in are kept in the database when it
is added to a team, so any replica, or a process started afterwards, posts there.

Real HTTP on loopback: activities signed by the fake OpenID issuer reach ``/api/messages``,
the team's channels are listed by the fake connector, and the call for volunteers is posted
through it by the ``announce.post`` due action.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.announcements import ChannelName, means_here
from dialogs.core.conversation import Conversation, ConversationConfig
from dialogs.core.replies import JOIN_ACTION
from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.programs.announce import ANNOUNCE
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.models import DueAction, Program, TeamChannel
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.support.clock import T0, fixed_clock
from tests.teams.cards import bearer, buttons, card_of, texts
from tests.teams.conftest import APP_ID, TENANT, RunningBot, activity, authenticated_config
from tests.teams.conftest import start_bot as start_endpoint

TEAM = "19:ventes-general@thread.tacv2"  # a team's id is its General channel's
NEWS = "19:ventes-annonces@thread.tacv2"
OTHER_TEAM = "19:rh-general@thread.tacv2"
OTHER_NEWS = "19:rh-annonces@thread.tacv2"
BOT = {"id": f"28:{APP_ID}", "name": "Tandem"}


@dataclass
class Replica:
    """One process: the Teams endpoint, the real core and its due-action handlers."""

    bot: RunningBot
    runner: Any

    async def run_due(self) -> None:
        queue = Notifier(self.bot.core.database, {}, NotifierConfig(), clock=fixed_clock()).queue
        await DueRunner(queue, self.bot.handlers, clock=fixed_clock()).drain(
            T0 + timedelta(minutes=1)
        )

    async def stop(self) -> None:
        await self.bot.http.close()
        await self.runner.cleanup()


async def start(database: Database, issuer: FakeOpenIdIssuer) -> Replica:
    core = Conversation(
        database,
        ConversationConfig(default_locale="fr", admins=("aad-alice",), teams_tenant_ids=(TENANT,)),
        clock=fixed_clock(),
    )
    handlers = DueHandlers()
    runner, bot = await start_endpoint(database, authenticated_config(issuer), core, handlers)
    assert bot.channel is not None
    notifier = Notifier(database, {"teams": bot.channel},
                        NotifierConfig(default_locale="fr", quiet_hours=None), clock=fixed_clock())  # fmt: skip
    notifier.register(handlers)
    ANNOUNCE.register(handlers, database, notifier)
    return Replica(bot, runner)


@pytest.fixture
async def replica(database: Database, openid_issuer: FakeOpenIdIssuer) -> AsyncIterator[Replica]:
    async with database.unit_of_work() as session:
        session.add(Program(slug="rm-2027", name="Mentorat <inversé> 2027", status="open",
                            timezone="Europe/Paris", starts_on=date(2027, 1, 11),
                            ends_on=date(2027, 7, 9)))  # fmt: skip
    running = await start(database, openid_issuer)
    yield running
    await running.stop()


def in_team(service_url: str, channel: str, team: str, team_name: str, **fields: Any) -> Any:
    """An activity in a team channel, as Teams sends it."""
    return activity(
        service_url,
        conversation={"id": channel, "conversationType": "channel", "isGroup": True,
                      "tenantId": TENANT},
        channelData={"tenant": {"id": TENANT}, "team": {"id": team, "name": team_name},
                     **fields.pop("channelData", {})},
        **fields,
    )  # fmt: skip


async def post(replica: Replica, issuer: FakeOpenIdIssuer, connector: FakeBotConnector,
               body: dict[str, Any]) -> None:  # fmt: skip
    status, _ = await replica.bot.post(body, headers=bearer(issuer, connector))
    assert status == 200


async def add_to_team(replica: Replica, issuer: FakeOpenIdIssuer, connector: FakeBotConnector,
                      team: str, name: str) -> None:  # fmt: skip
    """Alice adds the app to a team: Teams tells the bot in the team's General channel."""
    body = in_team(connector.service_url, team, team, name, type="conversationUpdate",
                   membersAdded=[{"id": BOT["id"]}], channelData={"eventType": "teamMemberAdded"})  # fmt: skip
    await post(replica, issuer, connector, body)


async def alice_says(replica: Replica, issuer: FakeOpenIdIssuer, connector: FakeBotConnector,
                     text: str, locale: str = "fr-FR") -> str:  # fmt: skip
    """Alice, an admin, types in her 1:1 chat; returns what the bot answered there."""
    before = len(connector.sent_to("a:alice-1on1"))
    await post(
        replica, issuer, connector, activity(connector.service_url, text=text, locale=locale)
    )
    answers = connector.sent_to("a:alice-1on1")[before:]
    return "\n".join(texts(card_of(a)) for a in answers)


async def kept(database: Database) -> list[tuple[str, str | None, str | None]]:
    async with database.unit_of_work() as session:
        rows = await session.scalars(select(TeamChannel).order_by(TeamChannel.channel_id))
        return [(r.channel_id, r.team_name, r.channel_name) for r in rows]


async def queued(database: Database) -> int:
    async with database.unit_of_work() as session:
        return len((await session.scalars(select(DueAction).where(
            DueAction.kind == "announce.post"))).all())  # fmt: skip


def the_call(connector: FakeBotConnector, channel: str) -> dict[str, Any]:
    [posted] = connector.sent_to(channel)
    assert posted["operation"] == "send"
    assert posted["conversation"]["id"] == channel
    return card_of(posted)


@pytest.fixture
def two_teams(fake_connector: FakeBotConnector) -> FakeBotConnector:
    fake_connector.teams[TEAM] = [{"id": TEAM}, {"id": NEWS, "name": "Annonces"}]
    fake_connector.teams[OTHER_TEAM] = [{"id": OTHER_TEAM}, {"id": OTHER_NEWS, "name": "Annonces"}]
    return fake_connector


async def test_a_process_started_after_the_install_posts_in_a_channel_named_as_teams_shows_it(
    replica: Replica, database: Database, openid_issuer: FakeOpenIdIssuer,
    two_teams: FakeBotConnector,
) -> None:  # fmt: skip
    connector = two_teams
    await add_to_team(replica, openid_issuer, connector, TEAM, "Ventes")
    assert await kept(database) == [(NEWS, "Ventes", "Annonces"), (TEAM, "Ventes", None)]
    welcome = connector.sent_to(TEAM)
    assert len(welcome) == 1  # the install's own welcome, in the General channel
    await replica.stop()

    restarted = await start(database, openid_issuer)  # knows nothing but the database
    try:
        said = await alice_says(restarted, openid_issuer, connector, "admin announce Annonces")
        assert "Ventes &gt; Annonces" in said and "Mentorat &lt;inversé&gt; 2027" in said  # escaped
        assert connector.sent_to(NEWS) == []  # queued with the command, posted when due
        await restarted.run_due()
        card = the_call(connector, NEWS)
        assert "Volontaires recherchés" in texts(card)
        [join] = buttons(card)
        assert (join["title"], join["verb"], join["data"]["value"]) == (
            "Rejoindre", JOIN_ACTION, "rm-2027",
        )  # fmt: skip

        # The General channel, named in the admin's language (Teams gives it no name).
        await alice_says(restarted, openid_issuer, connector, "admin announce Général")
        await restarted.run_due()
        assert len(connector.sent_to(TEAM)) == 2
        assert connector.violations == []
    finally:
        await restarted.stop()


async def test_typed_in_the_channel_itself_it_is_posted_there_and_answered_privately(
    replica: Replica, database: Database, openid_issuer: FakeOpenIdIssuer,
    two_teams: FakeBotConnector,
) -> None:  # fmt: skip
    connector = two_teams
    await alice_says(replica, openid_issuer, connector, "aide")  # her 1:1 chat exists
    await add_to_team(replica, openid_issuer, connector, TEAM, "Ventes")
    typed = in_team(connector.service_url, f"{NEWS};messageid=1700000000000", TEAM, "Ventes",
                    text="<at>Tandem</at> admin announce", locale="en-US")  # fmt: skip
    await post(replica, openid_issuer, connector, typed)
    [private] = connector.sent_to("a:alice-1on1")[1:]
    assert "Ventes &gt; Annonces" in texts(card_of(private))
    await replica.run_due()
    card = the_call(connector, NEWS)
    assert "Volunteers wanted" in texts(card)  # in the language of the admin who asked
    assert connector.violations == []


async def test_a_channel_the_bot_is_not_in_is_explained_and_nothing_is_posted(
    replica: Replica, database: Database, openid_issuer: FakeOpenIdIssuer,
    two_teams: FakeBotConnector,
) -> None:  # fmt: skip
    connector = two_teams
    said = await alice_says(replica, openid_issuer, connector, "admin announce Annonces", "en-US")
    assert "I am not in a Teams channel called Annonces" in said
    assert "Add me to a team first" in said and await queued(database) == 0

    await add_to_team(replica, openid_issuer, connector, TEAM, "Ventes")
    await add_to_team(replica, openid_issuer, connector, OTHER_TEAM, "RH")
    said = await alice_says(replica, openid_issuer, connector, 'admin announce "Random"', "en-US")
    assert "I am not in a Teams channel called Random" in said
    assert "Channels I am in: RH &gt; General, RH &gt; Annonces, Ventes &gt; General" in said
    said = await alice_says(replica, openid_issuer, connector, "admin announce annonces", "en-US")
    assert "Several teams have a channel called annonces" in said
    assert "RH &gt; Annonces, Ventes &gt; Annonces" in said and await queued(database) == 0
    said = await alice_says(replica, openid_issuer, connector, 'admin announce "rh > annonces"',
                            "en-US")  # fmt: skip
    assert "RH &gt; Annonces" in said and await queued(database) == 1

    # An id nobody told the bot about is tried, and the admin is told it failed.
    await alice_says(replica, openid_issuer, connector,
                     "admin announce 19:elsewhere@thread.tacv2", "en-US")  # fmt: skip
    await replica.run_due()  # the posts (one fails, its notice is queued)
    await replica.run_due()  # the notice
    assert connector.sent_to("19:elsewhere@thread.tacv2") == []
    notice = texts(card_of(connector.sent_to("a:alice-1on1")[-1]))
    assert "I am not a member of this channel" in notice and "19:elsewhere" in notice
    assert len(connector.sent_to(OTHER_NEWS)) == 1 and connector.violations == []


async def test_channel_and_team_events_keep_the_table_current(
    replica: Replica, database: Database, openid_issuer: FakeOpenIdIssuer,
    two_teams: FakeBotConnector,
) -> None:  # fmt: skip
    connector = two_teams
    url = connector.service_url
    await add_to_team(replica, openid_issuer, connector, TEAM, "Ventes")

    def event(kind: str, channel: dict[str, str] | None = None, **fields: Any) -> Any:
        extra = {"eventType": kind, **({"channel": channel} if channel else {})}
        return in_team(url, TEAM, TEAM, fields.pop("team_name", "Ventes"),
                       type="conversationUpdate", channelData=extra, **fields)  # fmt: skip

    for body in (
        event("channelCreated", {"id": "19:new@thread.tacv2", "name": "Nouveautés"}),
        event("channelRenamed", {"id": NEWS, "name": "Actualités"}),
        event("teamRenamed", team_name="Ventes France"),
    ):
        await post(replica, openid_issuer, connector, body)
    assert await kept(database) == [
        ("19:new@thread.tacv2", "Ventes France", "Nouveautés"),
        (NEWS, "Ventes France", "Actualités"),
        (TEAM, "Ventes France", None),
    ]
    await post(replica, openid_issuer, connector,
               event("channelDeleted", {"id": "19:new@thread.tacv2", "name": "Nouveautés"}))  # fmt: skip
    assert [c for c, _, _ in await kept(database)] == [NEWS, TEAM]

    # The app removed from the team: nothing is kept, an announcement there is refused.
    await post(replica, openid_issuer, connector,
               event("teamMemberRemoved", membersRemoved=[{"id": BOT["id"]}]))  # fmt: skip
    assert await kept(database) == []
    said = await alice_says(replica, openid_issuer, connector, "admin announce Actualités")
    assert "Je ne suis pas dans un canal Teams appelé Actualités" in said
    assert connector.violations == []


def test_teams_channels_are_named_as_teams_shows_them() -> None:
    general = ChannelName.parse("#Général")
    assert general == ChannelName("Général") and general.names("Ventes", None, general=True)
    assert not general.names("Ventes", None, general=False)  # a channel Teams never named
    both = ChannelName.parse("R&D / Prod > Annonces")
    assert both == ChannelName("Annonces", "R&D / Prod")
    assert both.names("r&d / prod", "ANNONCES", general=False)
    assert not both.names("Ventes", "Annonces", general=False)
    assert ChannelName.parse("  # ") is None
    assert means_here("Ici") and means_here("here") and not means_here("there")
