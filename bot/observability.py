"""Logs (structlog) and metrics (prometheus-client) for the server and the CLI.

Logs carry request ids and opaque person ids only: never names, emails or message text.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid
from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REQUEST_ID_HEADER = "X-Request-Id"


def configure_logging(*, json: bool, level: int = logging.INFO) -> None:
    """JSON lines under ``serve`` (for a log pipeline), readable lines under ``demo``."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    # Libraries log through the standard library: keep their warnings, drop their chatter.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")


class Metrics:
    """The server's metrics, in a registry of its own so that several apps can coexist."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tandem_http_requests",
            "HTTP requests by route, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tandem_http_request_duration_seconds",
            "HTTP request latency by route",
            ["route"],
            registry=self.registry,
        )
        self.due_depth = Gauge(
            "tandem_due_actions_pending",
            "Due actions waiting to run (due now or later, including leased ones)",
            registry=self.registry,
        )
        self.due_ready = Gauge(
            "tandem_due_actions_ready",
            "The backlog: due actions whose time has come and that no runner holds",
            registry=self.registry,
        )
        self.due_oldest_age = Gauge(
            "tandem_due_oldest_age_seconds",
            "How late the oldest action of the backlog is (0 when there is none)",
            registry=self.registry,
        )
        self.due_parked = Gauge(
            "tandem_due_actions_parked",
            "Due actions parked after too many failures (need an admin)",
            registry=self.registry,
        )
        self.calendar_reads = Counter(
            "tandem_calendar_reads",
            "Free/busy answers by provider and outcome (read, or why it fell back to the "
            "person's availability windows: denied, not_found, timeout, throttled, error)",
            ["provider", "outcome"],
            registry=self.registry,
        )
        self.messages_waiting = Gauge(
            "tandem_messages_waiting_for_an_admin",
            "Messages to the program team kept because no admin can read them yet",
            registry=self.registry,
        )
        self.inbound_backlog = Gauge(
            "tandem_inbound_backlog",
            "Inbound events recorded and acknowledged, waiting for their turn to be handled",
            ["platform"],
            registry=self.registry,
        )


def _route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    # The route template, never the concrete path: paths may carry tokens.
    return resource.canonical if resource is not None else "unmatched"


def request_middleware(metrics: Metrics) -> Callable[..., Awaitable[web.StreamResponse]]:
    log = structlog.get_logger("tandem.http")

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        # Accept a caller's id only when it looks like one (it ends up in our logs).
        request_id = incoming if incoming.isascii() and 0 < len(incoming) <= 64 else ""
        request_id = request_id or uuid.uuid4().hex
        route = _route_name(request)
        started = time.perf_counter()
        status = 500
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            response = await handler(request)
            status = response.status
            response.headers[REQUEST_ID_HEADER] = request_id
            return response
        except web.HTTPException as exc:
            status = exc.status
            exc.headers[REQUEST_ID_HEADER] = request_id
            raise
        except Exception:
            log.exception("request.failed", route=route, method=request.method)
            raise
        finally:
            elapsed = time.perf_counter() - started
            metrics.requests.labels(route, request.method, str(status)).inc()
            metrics.latency.labels(route).observe(elapsed)
            if route not in ("/healthz", "/metrics"):
                log.info(
                    "request",
                    route=route,
                    method=request.method,
                    status=status,
                    ms=round(elapsed * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id")

    return middleware
