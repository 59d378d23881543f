"""The server wires every capability from the registry: each kind of due action the code
enqueues has a handler (or a routine) in the running server, each capability's handlers
come from its ``Feature.jobs``, and every notification type is worded on every platform
(tests/test_platform_limits.py renders an example of each within the platforms' limits)."""

from __future__ import annotations

import ast
import importlib
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.clock import ManualClock
from bot.server import Runtime, create_app
from bot.settings import Settings
from dialogs.capabilities import FEATURES, register_jobs
from dialogs.notify.notifier import Notifier, NotifierConfig
from storage.db import Database
from storage.due_runner import DueHandlers
from tests.support.clock import fixed_clock
from tests.test_stored_names import DUE_ACTION_KINDS

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "dialogs", "handlers", "storage")
ENQUEUERS = {"enqueue_action", "enqueue"}
# Calls that forward a kind given to them (the queue's own wrapper, the routines' clock), or
# whose kind is the one their object registers a handler for (the platforms' intake:
# ``<platform>.recover``, checked by tests/test_intake.py and below).
FORWARDERS = {
    ("storage/queue.py", "kind"),
    ("storage/routines.py", "routine.kind"),
    ("handlers/intake.py", "self.recover_kind"),
}


def enqueued_kinds() -> tuple[set[str], set[tuple[str, str]]]:
    """The kind of every due action the code enqueues: literal, or a module's constant."""
    kinds: set[str] = set()
    unresolved: set[tuple[str, str]] = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            module = None
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or len(node.args) < 2:
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name not in ENQUEUERS:
                    continue
                kind = node.args[1]
                if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                    kinds.add(kind.value)
                    continue
                if isinstance(kind, ast.Name):
                    dotted = relative.removesuffix(".py").replace("/", ".")
                    module = module or importlib.import_module(dotted.removesuffix(".__init__"))
                    value = getattr(module, kind.id, None)
                    if isinstance(value, str):
                        kinds.add(value)
                        continue
                unresolved.add((relative, ast.unparse(kind)))
    return kinds, unresolved


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


async def test_every_due_action_kind_enqueued_has_a_handler(tmp_path: Path) -> None:
    handled, routines = await server_handlers(tmp_path)
    assert not handled & routines  # a routine's kind is handled by its own function
    kinds, unresolved = enqueued_kinds()
    assert unresolved == FORWARDERS
    assert len(kinds) >= 15
    assert kinds - handled - routines == set()
    # Actions an earlier version left in a database find their handler too.
    assert DUE_ACTION_KINDS - handled - routines == set()


async def test_each_feature_registers_its_own_jobs(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}")
    try:
        notifier = Notifier(database, {}, NotifierConfig(quiet_hours=None), clock=fixed_clock())
        together = DueHandlers()
        routines = register_jobs(together, database, notifier)
        one_by_one: dict[str, str] = {}
        for feature in FEATURES:
            if feature.jobs is None:
                continue
            alone = DueHandlers()
            added = feature.jobs(alone, database, notifier) or ()
            assert alone or added, feature.name  # a jobs hook registers something
            for kind in alone:
                assert kind not in one_by_one, (kind, feature.name, one_by_one.get(kind))
                one_by_one[kind] = feature.name
        assert set(one_by_one) == set(together)
        assert [r.kind for r in routines] == ["routine.matching.round"]
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
