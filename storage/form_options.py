"""The long option lists of the forms on screen, where every replica finds them.

A Slack modal cannot carry more than 100 options: its searchable selects ask the options
endpoint as the person types, and that request may land on any replica. The lists are kept
here by the form's reference for ``KEEP_FOR``; a form open longer than that shows no
suggestions (reopening it keeps them again). Expired rows go when the next form is kept.
The expiry is housekeeping, not business time: it reads the real wall clock, as leases do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FormOption
from storage.types import utcnow

KEEP_FOR = timedelta(hours=24)  # a modal left open over a working day still answers

OptionRow = tuple[str, str]  # value, label


async def keep_options(
    session: AsyncSession,
    form_key: str,
    lists: Mapping[str, Sequence[OptionRow]],
    *,
    now: datetime | None = None,
) -> None:
    """Keep (or refresh) the option lists of the form ``form_key``, field by field."""
    now = now or utcnow()
    await session.execute(delete(FormOption).where(FormOption.expires_at <= now))
    options = {field: [list(row) for row in rows] for field, rows in lists.items()}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(FormOption).values(
        form_key=form_key, options=options, expires_at=now + KEEP_FOR
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["form_key"],
            set_={"options": options, "expires_at": now + KEEP_FOR},
        )
    )


async def kept_options(
    session: AsyncSession, form_key: str, field: str, *, now: datetime | None = None
) -> tuple[OptionRow, ...]:
    """The options of one field of a form kept and not expired; none when unknown."""
    kept = await session.scalar(
        select(FormOption.options).where(
            FormOption.form_key == form_key, FormOption.expires_at > (now or utcnow())
        )
    )
    rows = (kept or {}).get(field, [])
    return tuple((str(value), str(label)) for value, label in rows)
