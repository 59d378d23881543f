"""A delivery process for tests/test_delivery_processes.py (run with ``python -m``).

What ``tandem serve`` runs for proactive messages, with a short lease: the notifier and the
real Slack channel (slack_sdk over HTTP to ``--slack-url``) behind a due runner that drains
the queue until the ``--stop`` file appears. ``--clock-offset`` moves its business time
forward (a restart after an outage, without waiting for it); leases stay on the wall clock.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.clock import SystemClock
from bot.domain.clock import Clock
from dialogs.notify.notifier import Notifier, NotifierConfig
from handlers.slack.channel import SlackChannel
from handlers.slack.config import SlackConfig
from handlers.slack.web_client import web_client
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner


class OffsetClock:
    def __init__(self, offset: timedelta, base: Clock | None = None) -> None:
        self.offset = offset
        self.base = base or SystemClock()

    def now(self) -> Any:
        return self.base.now() + self.offset


async def main(args: argparse.Namespace) -> None:
    database = Database(args.url)
    client = web_client(SlackConfig("s", api_url=args.slack_url), args.token)

    async def client_for(team_id: str) -> Any:
        return client

    # The fake does not limit the workspace here: the test is about exactly-once delivery,
    # and three processes each pacing at the workspace's rate would only make it slower.
    channel = SlackChannel(client_for, workspace_rate=None)
    clock = OffsetClock(timedelta(seconds=args.clock_offset))
    notifier = Notifier(database, {"slack": channel}, NotifierConfig(quiet_hours=None), clock=clock)
    handlers = DueHandlers()
    notifier.register(handlers)
    runner = DueRunner(
        notifier.queue,
        handlers,
        owner=args.owner,
        lease=timedelta(seconds=args.lease),
        batch=args.batch,
        clock=clock,
    )
    await database.ping()
    Path(args.ready).touch()
    stop = Path(args.stop)
    while not stop.exists():
        report = await runner.drain()
        if not (report.done or report.retried or report.lost):
            await asyncio.sleep(0.1)
    await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--slack-url", required=True)
    parser.add_argument("--token", default="xoxb-fake-bot-token")
    parser.add_argument("--owner", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--stop", required=True)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--lease", type=float, default=5.0)
    parser.add_argument("--clock-offset", type=float, default=0.0)
    asyncio.run(main(parser.parse_args()))
