"""The aiohttp application factory, start-up checks and the scheduler wiring."""

from __future__ import annotations

import asyncio
import gc
import html
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal

import aiohttp
import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.calendars import calendar_reader
from bot.clock import DemoClock, DemoTime, SystemClock, Ticker
from bot.domain.clock import Clock
from bot.domain.loopback import is_loopback
from bot.domain.sessions.calendar_access import CalendarKeys
from bot.observability import Metrics, request_middleware
from bot.settings import Settings
from dialogs.capabilities import register_due
from dialogs.core.conversation import Conversation, ConversationConfig
from dialogs.files import file_keys
from dialogs.notify.delivery import ChatChannel
from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.reports.charts import shutdown_charts
from dialogs.sessions.calendar import calendar_file
from dialogs.sessions.free_busy import FREE_BUSY
from handlers.console import ConsoleConfig
from handlers.console import mount as mount_console
from handlers.files import ROUTE as FILES_ROUTE
from handlers.files import file_view
from handlers.slack.app import SLACK_APP_KEY
from handlers.slack.app import mount as mount_slack
from handlers.slack.config import SlackConfig, SlackConfigError
from handlers.teams.app import mount as mount_teams
from handlers.teams.config import TeamsConfig
from storage.db import Database
from storage.deployment import stored_secret_key
from storage.due_runner import DueHandlers, DueRunner
from storage.migrate import current_revision, head_revision, upgrade
from storage.queue import DueQueue
from storage.routines import Routine

Mode = Literal["serve", "demo"]
MAX_BODY_BYTES = 1024 * 1024  # Slack and Teams payloads are far smaller; refuse the rest.
SHUTDOWN_TIMEOUT_S = 25.0  # below Kubernetes' default 30 s grace period

log = structlog.get_logger("tandem.server")


class StartupError(Exception):
    """The server cannot start: the message says what to do."""


@dataclass
class Runtime:
    """What the request handlers and background jobs share, one per process."""

    settings: Settings
    database: Database
    mode: Mode
    host: str = "127.0.0.1"
    metrics: Metrics = field(default_factory=Metrics)
    handlers: DueHandlers = field(default_factory=DueHandlers)
    secret_key: str = ""
    stopping: bool = False
    channels: dict[str, ChatChannel] = field(default_factory=dict)
    notifier: Notifier | None = None
    # Business time: the system clock in `serve`, the movable one in `demo`, fixed in tests
    clock: Clock = field(default_factory=SystemClock)
    # Routines the mounted capabilities add (e.g. scheduled matching rounds)
    routines: list[Routine] = field(default_factory=list)
    # Drain as soon as work falls due (off: the 5-second poll alone, the benchmark's baseline)
    wake: bool = True

    def all_routines(self) -> list[Routine]:
        return [*routines(self.settings), *self.routines]

    @property
    def calendar_keys(self) -> CalendarKeys | None:
        """None without a secret key (tests that build a bare runtime): no feed, no links."""
        if not self.secret_key:
            return None
        return CalendarKeys(self.settings.public_url, self.secret_key)


RUNTIME = web.AppKey("runtime", Runtime)
TICKER = web.AppKey("ticker", Ticker)


async def prepare_database(database: Database, mode: Mode) -> None:
    """SQLite files upgrade themselves; a shared PostgreSQL is only upgraded on purpose."""
    if database.is_sqlite:
        await upgrade(database)
        return
    current, head = await current_revision(database), head_revision()
    if current != head:
        raise StartupError(
            f"the database schema is at revision {current or 'none'} but this version needs "
            f"{head}: run `tandem db upgrade` once (from one replica or a release job)"
        )


def startup_warnings(settings: Settings, host: str) -> list[str]:
    warnings = []
    if not settings.secret_key:
        warnings.append(
            "TANDEM_SECRET_KEY is not set: using a key generated and kept in the database; "
            "set it in production"
        )
    if settings.slack_enabled and not settings.slack_team_ids:
        warnings.append("TANDEM_SLACK_TEAM_IDS is empty: any Slack workspace will be served")
    if not settings.teams_tenant_ids:
        warnings.append("TANDEM_TEAMS_TENANT_IDS is empty: any Teams tenant will be served")
    if not settings.microsoft_app_id and not is_loopback(host):
        warnings.append(
            "MICROSOFT_APP_ID is not set and the server listens beyond loopback: Teams is off"
        )
    return warnings


def due_handlers(settings: Settings, database: Database) -> DueHandlers:
    """Every kind of due action this version runs. Capabilities register theirs here."""
    return DueHandlers()


def routines(settings: Settings) -> list[Routine]:
    """Cron routines (digests, expiry sweeps …): they only enqueue, idempotently."""
    return []


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    if runtime.stopping:
        return web.json_response({"status": "stopping"}, status=503)
    try:
        revision = await asyncio.wait_for(current_revision(runtime.database), timeout=5)
    except Exception as exc:  # any database failure means "not ready", with its kind
        return web.json_response(
            {"status": "database unreachable", "error": type(exc).__name__}, status=503
        )
    head = head_revision()
    if revision != head:
        return web.json_response(
            {"status": "migrations pending", "revision": revision, "head": head}, status=503
        )
    return web.json_response({"status": "ready", "revision": revision})


async def metrics_endpoint(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    try:
        stats = await DueQueue(runtime.database).stats(runtime.clock.now())
    except Exception as exc:  # the metrics page must answer even when the database does not
        log.warning("metrics.queue_stats_failed", error=type(exc).__name__)
    else:
        runtime.metrics.due_depth.set(stats.depth)
        runtime.metrics.due_ready.set(stats.ready)
        runtime.metrics.due_oldest_age.set(stats.oldest_due_age_seconds)
        runtime.metrics.due_parked.set(stats.parked)
        runtime.metrics.messages_waiting.set(stats.waiting)  # only messages to the team wait
    if (slack := request.app.get(SLACK_APP_KEY)) is not None:
        runtime.metrics.inbound_backlog.labels("slack").set(slack.inbox.intake.lanes.waiting)
    body = generate_latest(runtime.metrics.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


# A feed is personal and changes when a session moves: no shared or stale copy anywhere.
CALENDAR_HEADERS = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


async def calendar(request: web.Request) -> web.Response:
    """GET /calendar/{token}.ics (the reader's feed, to subscribe to) and
    /calendar/{token}/{check_in_id}.ics (one confirmed session, to import once)."""
    runtime, match = request.app[RUNTIME], request.match_info
    keys, body, headers = runtime.calendar_keys, None, dict(CALENDAR_HEADERS)
    check_in_id = int(match["check_in_id"]) if "check_in_id" in match else None
    if check_in_id is not None:
        headers["Content-Disposition"] = 'attachment; filename="tandem-session.ics"'
    if keys is not None:
        body = await calendar_file(
            runtime.database,
            keys,
            match["token"],
            check_in_id=check_in_id,
            now=runtime.clock.now(),
            default_locale=runtime.settings.locale,
        )
    if body is None:
        # The same bare 404 for a forged, altered or expired token and an unknown session.
        raise web.HTTPNotFound(headers={"Cache-Control": "no-store"})
    return web.Response(body=body, content_type="text/calendar", charset="utf-8", headers=headers)


async def index(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    mode = html.escape(runtime.mode)
    page = f"""<!doctype html><html lang="en"><meta charset="utf-8">
<title>Tandem</title>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Tandem</h1><p>Reverse mentoring in Slack and Microsoft Teams ({mode} mode).</p>
<ul><li><a href="/console">/console</a> (the local web chat, when enabled)</li>
<li><a href="/healthz">/healthz</a></li><li><a href="/readyz">/readyz</a></li>
<li><a href="/metrics">/metrics</a></li></ul></body></html>"""
    return web.Response(text=page, content_type="text/html")


async def _clock_context(app: web.Application) -> AsyncIterator[None]:
    runtime = app[RUNTIME]
    ticker = Ticker(
        DueRunner(DueQueue(runtime.database), runtime.handlers, clock=runtime.clock),
        runtime.all_routines(),
        timezone=runtime.settings.timezone,
        wake=runtime.wake,
    )
    app[TICKER] = ticker
    ticker.start()
    yield
    # Shutdown: stop claiming, let a running drain finish, hand leases back to other replicas.
    await ticker.shutdown()


async def _on_shutdown(app: web.Application) -> None:
    app[RUNTIME].stopping = True
    log.info("server.stopping")


async def _database_context(app: web.Application) -> AsyncIterator[None]:
    yield
    shutdown_charts()  # the report charts' worker process, if a report was drawn
    await app[RUNTIME].database.dispose()


def conversation_config(
    settings: Settings, calendar: CalendarKeys | None = None
) -> ConversationConfig:
    return ConversationConfig(
        default_locale=settings.locale,
        default_timezone=settings.timezone,
        admins=tuple(settings.admins),
        slack_team_ids=tuple(settings.slack_team_ids),
        teams_tenant_ids=tuple(settings.teams_tenant_ids),
        calendar=calendar,
    )


def demo_time(runtime: Runtime) -> DemoTime | None:
    """The console's clock control, in demo mode only (on the demo's movable clock)."""
    if not isinstance(runtime.clock, DemoClock):
        return None
    return DemoTime(
        runtime.clock,
        runtime.handlers,
        runtime.all_routines,
        timezone=runtime.settings.timezone,
    )


def mount_channels(app: web.Application, runtime: Runtime) -> None:
    """Add each configured platform's endpoints, and the notifier that reaches people."""
    settings, database = runtime.settings, runtime.database
    conversation = Conversation(
        database, conversation_config(settings, runtime.calendar_keys), clock=runtime.clock
    )
    console = mount_console(
        app,
        conversation,
        database,
        ConsoleConfig(
            enabled=settings.console if settings.console is not None else runtime.mode == "demo",
            host=runtime.host,
            tenant_id="demo" if runtime.mode == "demo" else "console",
            admins=tuple(settings.admins),
            default_timezone=settings.timezone,
            default_locale=settings.locale,
            demo_clock=demo_time(runtime),
        ),
    )
    if console is not None:
        runtime.channels["console"] = console
    if settings.slack_enabled or settings.slack_signing_secret is not None:
        slack_config = SlackConfig(
            signing_secret=settings.slack_signing_secret or "",
            bot_token=settings.slack_bot_token or "",
            client_id=settings.slack_client_id or "",
            client_secret=settings.slack_client_secret or "",
            app_token=settings.slack_app_token or "",
            api_url=settings.slack_api_url,
            public_url=settings.public_url,
            secret_key=runtime.secret_key,
            team_ids=tuple(settings.slack_team_ids),
        )
        try:
            runtime.channels["slack"] = mount_slack(
                app, conversation, database, slack_config, runtime.handlers
            )
        except SlackConfigError as exc:
            raise StartupError(str(exc)) from exc
    teams = mount_teams(
        app,
        conversation,
        database,
        TeamsConfig(
            app_id=settings.microsoft_app_id or "",
            app_password=settings.microsoft_app_password or "",
            app_tenant_id=settings.microsoft_app_tenant_id or "",
            app_type=settings.microsoft_app_type,
            openid_metadata_url=settings.teams_openid_metadata_url,
            listen_host=runtime.host,
            tenant_ids=tuple(settings.teams_tenant_ids),
        ),
        runtime.handlers,
    )
    if teams is not None:
        runtime.channels["teams"] = teams
    notifier = Notifier(
        database,
        runtime.channels,
        NotifierConfig(
            default_locale=settings.locale,
            default_timezone=settings.timezone,
            quiet_hours=settings.quiet_hours,
            admins=tuple(settings.admins),
            calendar=runtime.calendar_keys,
        ),
        clock=runtime.clock,
    )
    notifier.register(runtime.handlers)
    runtime.notifier = notifier
    runtime.routines.extend(register_due(runtime.handlers, database, notifier))


async def _calendars_context(app: web.Application) -> AsyncIterator[None]:
    """Free/busy readers when a provider is configured, with one HTTP session for them."""
    runtime = app[RUNTIME]
    async with aiohttp.ClientSession() as http:
        counter = runtime.metrics.calendar_reads
        reader = calendar_reader(
            runtime.settings, http, observe=lambda p, o: counter.labels(p, o).inc()
        )
        if reader is not None:
            FREE_BUSY.reader = reader
        yield
        if FREE_BUSY.reader is reader:
            FREE_BUSY.reader = None


def create_app(runtime: Runtime, *, clock: bool = True) -> web.Application:
    """The one aiohttp application: health, metrics, and each platform's endpoints."""
    app = web.Application(
        middlewares=[request_middleware(runtime.metrics)], client_max_size=MAX_BODY_BYTES
    )
    app[RUNTIME] = runtime
    app.router.add_get("/", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_endpoint)
    app.router.add_get("/calendar/{token:[A-Za-z0-9_-]{1,200}}.ics", calendar)
    app.router.add_get(
        "/calendar/{token:[A-Za-z0-9_-]{1,200}}/{check_in_id:[0-9]{1,18}}.ics", calendar
    )
    keys = file_keys(runtime.calendar_keys)
    app.router.add_get(FILES_ROUTE, file_view(runtime.database, keys, runtime.clock))
    mount_channels(app, runtime)
    app.cleanup_ctx.append(_database_context)
    app.cleanup_ctx.append(_calendars_context)
    if clock:
        app.cleanup_ctx.append(_clock_context)
    app.on_shutdown.append(_on_shutdown)
    return app


async def build_runtime(settings: Settings, mode: Mode, host: str) -> Runtime:
    database = Database(settings.database_url)
    try:
        await prepare_database(database, mode)
        secret = settings.secret_key or await stored_secret_key(database)
    except StartupError:
        await database.dispose()
        raise
    except (OSError, ConnectionError) as exc:
        await database.dispose()
        raise StartupError(f"cannot reach the database ({type(exc).__name__}: {exc})") from exc
    # The demo is local and needs no secrets: the warnings are for deployments (`serve`).
    for warning in startup_warnings(settings, host) if mode == "serve" else []:
        log.warning("startup.warning", message=warning)
    clock: Clock = SystemClock()
    if mode == "demo":
        clock = DemoClock(database)
        await clock.load()
    return Runtime(
        settings=settings,
        database=database,
        mode=mode,
        host=host,
        handlers=due_handlers(settings, database),
        secret_key=secret,
        clock=clock,
    )


def run(settings: Settings, *, host: str, port: int, mode: Mode, banner: str = "") -> None:
    """Serve until SIGTERM/SIGINT, then finish in-flight requests and release leases."""

    async def _app() -> web.Application:
        app = create_app(await build_runtime(settings, mode, host))
        # Everything built at start-up (modules, the app, catalogues) lives as long as the
        # process: out of the collector's sight, a full collection takes milliseconds
        # instead of a tenth of a second stalling every request (benchmarks/ack_latency_*).
        gc.freeze()
        return app

    def _ready(_: str) -> None:
        log.info("server.listening", host=host, port=port, mode=mode)
        if banner:
            print(banner, flush=True)

    web.run_app(_app(), host=host, port=port, shutdown_timeout=SHUTDOWN_TIMEOUT_S, print=_ready)
