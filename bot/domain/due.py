"""Due-action kinds, each declared once: its stored name, its payload, its idempotency key.

A kind is a value (``SEND = DueKind("proposal.send", ProposalRef, key=...)``): the code
that queues an action and the handler that runs it share the payload dataclass, so a
payload key written in one module and read in another cannot drift apart. Payloads are
stored as JSON under their field names: a field's name is a stored name (see
tests/test_stored_names.py) and keeps its value across versions.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

P = TypeVar("P")


@dataclass(frozen=True)
class DueKind(Generic[P]):
    """One kind of due action. ``key`` builds the idempotency key from the payload; a kind
    without one takes its key from the caller (a notification's key names its cause)."""

    name: str
    payload: type[P]
    key: Callable[[P], str] | None = field(default=None, compare=False)

    every: ClassVar[dict[str, DueKind[Any]]] = {}

    def __post_init__(self) -> None:
        if not dataclasses.is_dataclass(self.payload):
            raise TypeError(f"{self.name}: the payload of a due action is a dataclass")
        if self.name in DueKind.every:
            raise ValueError(f"the due-action kind {self.name!r} is declared twice")
        DueKind.every[self.name] = self

    def dump(self, payload: P) -> dict[str, Any]:
        """The JSON stored in the queue: the payload's fields by name (tuples as lists)."""
        if not isinstance(payload, self.payload):
            raise TypeError(f"{self.name} takes a {self.payload.__name__}, not {payload!r}")
        return {
            f.name: _json(getattr(payload, f.name))
            for f in dataclasses.fields(self.payload)  # type: ignore[arg-type]
        }

    def load(self, data: Mapping[str, Any]) -> P:
        """The payload back from the queue; keys it does not know (a newer version's) are
        ignored, missing ones take the field's default."""
        known = {f.name for f in dataclasses.fields(self.payload)}  # type: ignore[arg-type]
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known}
        return self.payload(**values)

    def key_of(self, payload: P) -> str:
        if self.key is None:
            raise ValueError(f"due actions of kind {self.name!r} take their key from the caller")
        return self.key(payload)


def unique(prefix: str) -> str:
    """A key that never repeats: for actions that happen once per event, even twice in
    the same instant of a frozen clock."""
    return f"{prefix}:{uuid.uuid4().hex}"


def _json(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value
