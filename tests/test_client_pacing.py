"""The channels' client-side pacing against the platforms' workspace (tenant) ceilings:
senders held up for a moment make up the slots they missed, and what the pacing lets
through, the platform accepts, even when messages reach it late."""

from __future__ import annotations

import random

import pytest

from dialogs.notify.pacing import Pacer, Rate
from handlers.slack.channel import WORKSPACE_RATE
from handlers.teams.channel import TENANT_RATE
from tests.fakes.rate_limits import Bucket, Limiter, SlackLimits, TeamsLimits


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sends(pacer: Pacer, clock: Ticks, count: int) -> list[float]:
    """When each of ``count`` messages goes, asked for one after the other at ``clock.now``."""
    return [clock.now + pacer.reserve("T1") for _ in range(count)]


@pytest.mark.parametrize("rate", [WORKSPACE_RATE, TENANT_RATE], ids=["slack", "teams"])
def test_senders_held_up_for_a_moment_make_up_the_slots_they_missed(rate: Rate) -> None:
    clock = Ticks()
    pacer = Pacer(rate, monotonic=clock)
    backlog = sends(pacer, clock, 200)  # more than the ceiling allows: paced
    clock.now = backlog[-1]
    # Every sender busy with the database for 0.4 s: 20 slots pass unused.
    clock.now += 0.4
    after = sends(pacer, clock, 20)
    assert after == [clock.now] * 20  # they all go at once: nothing was lost
    # …and no more than that: the ceiling holds over the stall and the catch-up together.
    assert pacer.reserve("T1") > 0


@pytest.mark.parametrize(
    ("rate", "ceiling"),
    [
        (WORKSPACE_RATE, SlackLimits().per_workspace),
        (TENANT_RATE, TeamsLimits().per_tenant),
    ],
    ids=["slack", "teams"],
)
def test_what_the_pacing_lets_through_the_platform_accepts_even_when_late(
    rate: Rate, ceiling: Bucket
) -> None:
    clock = Ticks()
    pacer = Pacer(rate, monotonic=clock)
    draw = random.Random(12)
    arrivals: list[float] = []
    for group in range(300):  # bursts of senders, pauses, stalls of up to a second
        going = sends(pacer, clock, draw.randint(1, 80))
        # Messages reach the platform up to 0.45 s after their slot (network, event loop);
        # the worst case: a group arrives late, so the next one, on time, catches it up.
        late = 0.45 if group % 2 else 0.0
        arrivals += [at + late for at in going]
        clock.now = max(clock.now, going[-1]) + draw.choice([0.0, 0.05, 0.3, 0.6, 1.0])
    platform_clock = Ticks()
    platform = Limiter(monotonic=platform_clock)
    for at in sorted(arrivals):
        platform_clock.now = at
        platform.admit((ceiling, "T1"))
    assert platform.refused == 0
    assert platform.accepted == len(arrivals)
