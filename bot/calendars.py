"""Wiring the free/busy readers from the settings (for the server and the CLI)."""

from __future__ import annotations

import aiohttp

from bot.settings import Settings
from handlers.calendars.google import GoogleCalendar, GoogleConfig
from handlers.calendars.graph import GraphCalendar, GraphConfig
from handlers.calendars.reader import CalendarReader, Observe, Provider


def calendar_reader(
    settings: Settings, http: aiohttp.ClientSession, observe: Observe | None = None
) -> CalendarReader | None:
    """Graph first, then Google, as configured; None when neither is."""
    providers: list[Provider] = []
    if settings.graph_tenant_id and settings.graph_client_id and settings.graph_client_secret:
        graph = GraphConfig(
            settings.graph_tenant_id,
            settings.graph_client_id,
            settings.graph_client_secret,
            login_url=settings.graph_login_url,
            graph_url=settings.graph_url,
        )
        providers.append(GraphCalendar(http, graph))
    if settings.google_credentials and settings.google_delegate:
        google = GoogleConfig.from_file(
            settings.google_credentials, settings.google_delegate, settings.google_api_url
        )
        providers.append(GoogleCalendar(http, google))
    return CalendarReader(providers, observe=observe) if providers else None
