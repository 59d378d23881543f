"""Who is talking: a platform identity linked to one Person across Slack, Teams and the console."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, PlatformIdentity
from storage.types import utcnow

LAST_SEEN_PRECISION = timedelta(minutes=5)


@dataclass(frozen=True)
class PlatformUser:
    platform: str
    tenant_id: str
    user_id: str
    display_name: str | None = None
    email: str | None = None
    timezone: str | None = None
    locale: str | None = None  # the platform's hint, e.g. "fr-FR"

    def plausible(self) -> PlatformUser:
        """Without the hints no real platform sends (longer than their columns): a forged
        or broken activity still reaches its person instead of failing the whole event."""

        def fit(value: str | None, name: str) -> str | None:
            return value if value is None or len(value) <= PROFILE_HINT_LIMITS[name] else None

        # Every event passes here: the usual, plausible user is returned as it is.
        limits = PROFILE_HINT_LIMITS.items()
        if all(len(getattr(self, name) or "") <= limit for name, limit in limits):
            return self
        return replace(
            self,
            display_name=fit(self.display_name, "display_name"),
            email=fit(self.email, "email"),
            timezone=fit(self.timezone, "timezone"),
            locale=fit(self.locale, "locale"),
        )


# The smallest column each hint lands in (a display name also splits into first and last).
PROFILE_HINT_LIMITS = {"display_name": 120, "email": 320, "timezone": 64, "locale": 16}


async def resolve_person(
    session: AsyncSession, user: PlatformUser, *, trust_email: bool
) -> Person | None:
    """The person behind a platform user, linked or created on first contact.

    An email links to an existing person only when ``trust_email`` (the tenant is in an
    allow-list): otherwise anyone could claim a colleague's address. The console's user id
    is the person's own opaque id, and the console never creates people.
    """
    user = user.plausible()
    if user.platform == "console":
        local = await session.get(Person, user.user_id)
        return local if local is not None and local.erased_at is None else None

    # One round trip for the common case: a known identity and its person.
    found = (
        await session.execute(
            select(PlatformIdentity, Person)
            .join(Person, Person.id == PlatformIdentity.person_id)
            .where(
                PlatformIdentity.platform == user.platform,
                PlatformIdentity.tenant_id == user.tenant_id,
                PlatformIdentity.user_id == user.user_id,
            )
        )
    ).one_or_none()
    identity, person = (found[0], found[1]) if found is not None else (None, None)
    email = user.email.strip().lower() if user.email else None
    if identity is None and trust_email and email:
        person = (
            await session.execute(select(Person).where(func.lower(Person.email) == email))
        ).scalar_one_or_none()
    if person is None:
        first, _, last = (user.display_name or "").strip().partition(" ")
        person = Person(
            email=email if trust_email else None,
            first_name=first or None,
            last_name=last or None,
            timezone=user.timezone,
            languages=[],
        )
        session.add(person)
        await session.flush()
    if identity is None:
        identity = PlatformIdentity(
            person_id=person.id,
            platform=user.platform,
            tenant_id=user.tenant_id,
            user_id=user.user_id,
        )
        session.add(identity)
    # Only write what changed: most events change nothing, and a write costs a lock.
    now = utcnow()
    if user.display_name and identity.display_name != user.display_name:
        identity.display_name = user.display_name
    if email and identity.email != email:
        identity.email = email
    if user.locale and identity.locale != user.locale:
        identity.locale = user.locale
    if identity.last_seen_at is None or now - identity.last_seen_at > LAST_SEEN_PRECISION:
        identity.last_seen_at = now
    if not identity.reachable:
        identity.reachable = True  # they just talked to us
    if person.timezone is None and user.timezone:
        person.timezone = user.timezone
    if person.preferred_platform is None:
        person.preferred_platform = user.platform
    return person
