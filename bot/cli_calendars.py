"""``tandem calendars check EMAIL``: is free/busy set up? The person's busy intervals for
the next week, in their time zone, and which provider answered (or why none did)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli_support import fail, run_with_database, settings_or_exit

if TYPE_CHECKING:
    from storage.db import Database

calendars_app = typer.Typer(
    help="Free/busy from Microsoft 365 or Google Calendar: check the setup.",
    no_args_is_help=True,
)

EXPLAIN = {
    "denied": "the provider refused (permission, admin consent, or credentials)",
    "not_found": "no calendar for this address at any configured provider",
    "timeout": "the provider did not answer within 2 s",
    "throttled": "the provider asked to wait (429) longer than the deadline",
    "error": "the provider failed",
}


@calendars_app.command("check")
def check(
    email: Annotated[str, typer.Argument(help="The person's work email.")],
    days: Annotated[int, typer.Option(min=1, max=60, help="How many days ahead.")] = 7,
) -> None:
    """Print the person's busy intervals for the next days and which provider answered."""
    import aiohttp
    from rich.console import Console
    from rich.table import Table
    from sqlalchemy import select

    from bot.calendars import calendar_reader
    from bot.clock import SystemClock
    from bot.domain.sessions.busy import FreeBusy
    from storage.models import Person

    settings = settings_or_exit()
    console = Console()

    async def work(database: Database) -> int:
        async with database.unit_of_work() as session:
            person = await session.scalar(select(Person).where(Person.email == email.lower()))
        zone = (person.timezone if person else None) or settings.timezone
        if person is not None and person.reads_calendar is False:
            console.print(f'{email} said "don\'t read my calendar": nothing read.')
            return 0
        async with aiohttp.ClientSession() as http:
            reader = calendar_reader(settings, http)
            if reader is None:
                fail(
                    "no calendar provider is configured: set TANDEM_GRAPH_TENANT_ID, "
                    "TANDEM_GRAPH_CLIENT_ID and TANDEM_GRAPH_CLIENT_SECRET, or "
                    "TANDEM_GOOGLE_CREDENTIALS and TANDEM_GOOGLE_DELEGATE"
                )
            start = SystemClock().now()
            answers = await reader.read([email], start, start + timedelta(days=days))
        answer = answers[email.strip().lower()]
        if not isinstance(answer, FreeBusy):
            why = EXPLAIN.get(answer.reason, answer.reason)
            console.print(f"{answer.provider}: could not read {email}: {why}")
            return 1
        tz = ZoneInfo(zone)
        table = Table(
            title=f"{email}: busy in the next {days} days ({zone}), from {answer.provider}"
        )
        table.add_column("from")
        table.add_column("to")
        for busy in answer.busy:
            table.add_row(
                f"{busy.start.astimezone(tz):%a %d %b %H:%M}", f"{busy.end.astimezone(tz):%H:%M}"
            )
        console.print(table)
        if not answer.busy:
            console.print("No busy time: the calendar was read and is free.")
        if answer.working_hours is not None:
            hours = answer.working_hours
            console.print(f"Working hours: {hours.start:%H:%M}-{hours.end:%H:%M} ({hours.zone})")
        return 0

    code = run_with_database(settings, work)
    raise typer.Exit(code)
