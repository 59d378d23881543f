"""The server wires every capability from the registry: each declared kind of due action
has a handler in the running server and a payload dataclass its handler takes, each
capability's handlers come from its ``Feature.due``, and every notification type is worded on every platform
(tests/test_platform_limits.py renders an example of each within the platforms' limits)."""

from __future__ import annotations

import ast
import dataclasses
import typing
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.clock import ManualClock
from bot.domain.due import DueKind
from bot.server import Runtime, create_app
from bot.settings import Settings
from dialogs.capabilities import FEATURES, register_due
from dialogs.notify.notifier import Notifier, NotifierConfig
from storage.db import Database
from storage.due_runner import DueHandlers
from tests.support.clock import fixed_clock
from tests.support.modules import import_everything
from tests.test_stored_names import DUE_ACTION_KINDS

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "dialogs", "handlers", "storage")
# The queue's own functions, the routines' clock (its fire times), and the platforms' intake
# (its recovery kind is the one it registers a handler for: tests/test_intake.py).
RAW_ENQUEUE = {
    "storage/queue.py",
    "storage/enqueue.py",
    "storage/routines.py",
    "handlers/intake.py",
}


def raw_enqueues() -> set[str]:
    """Modules that queue an action with a bare kind name instead of a DueKind."""
    found: set[str] = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    func = node.func
                    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                    if name in ("enqueue_action", "enqueue"):
                        found.add(path.relative_to(ROOT).as_posix())
    return found


async def server_handlers(tmp_path: Path) -> tuple[set[str], set[str]]:
    """The due-action kinds a server with every platform mounted handles, and its routines'."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}",
        slack_bot_token="xoxb-registry",
        slack_signing_secret="registry-secret",
    )
    runtime = Runtime(
        settings=settings,
        database=Database(settings.database_url),
        mode="serve",
        clock=ManualClock(datetime(2026, 12, 1, tzinfo=UTC)),
    )
    create_app(runtime, clock=False)
    try:
        assert {"slack", "teams"} <= set(runtime.channels)
        return set(runtime.handlers), {r.kind for r in runtime.all_routines()}
    finally:
        await runtime.database.dispose()


async def test_every_due_action_kind_has_a_handler_and_a_payload_type(tmp_path: Path) -> None:
    handled, routines = await server_handlers(tmp_path)
    assert not handled & routines  # a routine's kind is handled by its own function
    import_everything()
    kinds = set(DueKind.every)
    assert len(kinds) >= 18
    assert kinds - handled == set()
    for kind in DueKind.every.values():
        assert dataclasses.is_dataclass(kind.payload), kind.name
    # Code queues typed actions only (bare kind names stay in the queue and the adapters).
    assert raw_enqueues() <= RAW_ENQUEUE
    # Actions an earlier version left in a database find their handler too.
    assert DUE_ACTION_KINDS - handled - routines == set()


def test_each_handler_takes_its_kinds_payload() -> None:
    for feature in FEATURES:
        for kind, handler in feature.due.items():
            hints = typing.get_type_hints(handler)
            payload = [v for k, v in hints.items() if k not in ("due", "return")]
            assert payload == [kind.payload], (feature.name, kind.name, handler.__name__)


async def test_each_feature_registers_its_own_due_actions(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}")
    try:
        notifier = Notifier(database, {}, NotifierConfig(quiet_hours=None), clock=fixed_clock())
        together = DueHandlers()
        routines = register_due(together, database, notifier)
        one_by_one: dict[str, str] = {}
        for feature in FEATURES:
            alone = DueHandlers()
            feature.register(alone, database, notifier)
            assert set(alone) == {kind.name for kind in feature.due}, feature.name
            for kind in alone:
                assert kind not in one_by_one, (kind, feature.name, one_by_one.get(kind))
                one_by_one[kind] = feature.name
        assert set(one_by_one) == set(together)
        assert [r.kind for r in routines] == [
            "routine.matching.round",
            "routine.sessions.first_slots_backfill",
            "routine.sessions.nudges",
            "routine.retention.daily",
            "routine.feedback.pulse",
            "routine.feedback.closing",
            "routine.goals.midpoint",
            "routine.goals.tips",
            "routine.reports.monthly",
            "routine.files.purge_expired",
        ]
        # The server's capability handlers are exactly the features' (plus the notifier's
        # and the platforms' own).
        handled, _ = await server_handlers(tmp_path)
        assert set(together) <= handled
        assert handled - set(together) == {
            "notify.deliver",
            "notify.introduce",
            "notify.replace",
            "slack.recover",
            "teams.recover",
        }
    finally:
        await database.dispose()
