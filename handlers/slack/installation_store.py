"""Slack installations (OAuth, several workspaces) and OAuth states, in our own database.

slack_sdk's store contracts (``AsyncInstallationStore``, ``AsyncOAuthStateStore``) over the
tables ``storage.models`` builds with slack_sdk's own table builders, with SQLAlchemy's
async Core. Every token is sealed with Fernet before it is written: a leaked database dump
or backup holds no usable token without ``TANDEM_SECRET_KEY``.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from logging import Logger
from typing import Any
from uuid import uuid4

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import Table, and_, delete, desc, insert, select
from sqlalchemy.sql.elements import ColumnElement

from storage.db import Database
from storage.models import slack_bots, slack_installations, slack_oauth_states

log = logging.getLogger(__name__)
TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
DATE_FIELDS = ("installed_at", "bot_token_expires_at", "user_token_expires_at")
HKDF_INFO = b"tandem slack installation tokens"


class TokenTooLong(ValueError):
    """A sealed token longer than its column (see the note in ``_row``)."""


class TokenCipher:
    """Fernet with ``secret_key`` when it is a Fernet key, else a key derived from it (HKDF)."""

    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ValueError("an empty secret key cannot protect tokens")
        try:
            self._fernet = Fernet(secret_key.encode())
        except (ValueError, binascii.Error):
            derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
                secret_key.encode()
            )
            self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, token: str | None) -> str | None:
        return self._fernet.encrypt(token.encode()).decode() if token else token

    def open(self, sealed: str | None) -> str | None:
        return self._fernet.decrypt(sealed.encode()).decode() if sealed else sealed


def _naive_utc(value: Any) -> Any:
    # The tables' DateTime columns are naive (slack_sdk's builders): store UTC without zone.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _aware(value: Any) -> Any:
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) else value


class DatabaseInstallationStore(AsyncInstallationStore):
    """Installations and bots of one Slack app (``client_id``), tokens sealed at rest."""

    def __init__(self, database: Database, client_id: str, cipher: TokenCipher) -> None:
        self.database = database
        self.client_id = client_id
        self.cipher = cipher
        self._logger = log

    @property
    def logger(self) -> Logger:
        return self._logger

    def _row(self, table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
        row = {k: v for k, v in values.items() if k in table.c and k != "id"}
        row["client_id"] = self.client_id
        for name in DATE_FIELDS:
            if name in row:
                row[name] = _naive_utc(row[name])
        for name in TOKEN_FIELDS:
            if name in row:
                row[name] = sealed = self.cipher.seal(row[name])
                limit = getattr(table.c[name].type, "length", None)
                if sealed and limit and len(sealed) > limit:
                    # VARCHAR(200) holds a sealed token of up to 79 characters (xoxb- tokens
                    # are ~57); rotating tokens are longer: the columns must become TEXT.
                    raise TokenTooLong(f"{table.name}.{name} cannot hold this sealed token")
        return row

    def _opened(self, row: Mapping[Any, Any]) -> dict[str, Any] | None:
        values = dict(row)
        try:
            for name in TOKEN_FIELDS:
                if name in values:
                    values[name] = self.cipher.open(values[name])
        except InvalidToken:
            log.error(
                "slack: the stored tokens of team %s cannot be decrypted: did TANDEM_SECRET_KEY "
                "change? Reinstall the app in that workspace.",
                values.get("team_id"),
            )
            return None
        for name in DATE_FIELDS:
            if name in values:
                values[name] = _aware(values[name])
        return values

    async def async_save(self, installation: Installation) -> None:
        async with self.database.unit_of_work() as session:
            await session.execute(
                insert(slack_installations).values(
                    self._row(slack_installations, installation.to_dict())
                )
            )
            await session.execute(
                insert(slack_bots).values(self._row(slack_bots, installation.to_bot().to_dict()))
            )

    async def async_save_bot(self, bot: Bot) -> None:
        async with self.database.unit_of_work() as session:
            await session.execute(insert(slack_bots).values(self._row(slack_bots, bot.to_dict())))

    def _where(
        self, table: Table, enterprise_id: str | None, team_id: str | None
    ) -> ColumnElement[bool]:
        c = table.c
        return and_(
            c.client_id == self.client_id,
            c.enterprise_id.is_(None)
            if enterprise_id is None
            else c.enterprise_id == enterprise_id,
            c.team_id.is_(None) if team_id is None else c.team_id == team_id,
        )

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        if is_enterprise_install:
            team_id = None
        query = (
            select(slack_bots)
            .where(self._where(slack_bots, enterprise_id, team_id))
            .where(slack_bots.c.bot_token.is_not(None))
            .order_by(desc(slack_bots.c.installed_at), desc(slack_bots.c.id))
            .limit(1)
        )
        async with self.database.unit_of_work() as session:
            row = (await session.execute(query)).mappings().first()
        values = self._opened(row) if row is not None else None
        return SQLAlchemyInstallationStore.build_bot_entity(values) if values else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        if is_enterprise_install:
            team_id = None
        condition = self._where(slack_installations, enterprise_id, team_id)
        if user_id is not None:
            condition = and_(condition, slack_installations.c.user_id == user_id)
        query = (
            select(slack_installations)
            .where(condition)
            .order_by(desc(slack_installations.c.installed_at), desc(slack_installations.c.id))
            .limit(1)
        )
        async with self.database.unit_of_work() as session:
            row = (await session.execute(query)).mappings().first()
        values = self._opened(row) if row is not None else None
        if not values:
            return None
        installation = SQLAlchemyInstallationStore.build_installation_entity(values)
        if user_id is not None or installation.bot_token is None:
            # A user's own installation may predate the latest bot token (bolt-python#664).
            bot = await self.async_find_bot(
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=is_enterprise_install,
            )
            if bot is not None and bot.bot_token != installation.bot_token:
                installation.bot_id = bot.bot_id
                installation.bot_user_id = bot.bot_user_id
                installation.bot_token = bot.bot_token
                installation.bot_scopes = bot.bot_scopes
                installation.bot_refresh_token = bot.bot_refresh_token
                installation.bot_token_expires_at = bot.bot_token_expires_at
        return installation

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        async with self.database.unit_of_work() as session:
            await session.execute(
                delete(slack_bots).where(self._where(slack_bots, enterprise_id, team_id))
            )

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        condition = self._where(slack_installations, enterprise_id, team_id)
        if user_id is not None:
            condition = and_(condition, slack_installations.c.user_id == user_id)
        async with self.database.unit_of_work() as session:
            await session.execute(delete(slack_installations).where(condition))


class DatabaseOAuthStateStore(AsyncOAuthStateStore):
    """OAuth ``state`` values, each usable once before it expires (any replica may check)."""

    def __init__(self, database: Database, expiration_seconds: int = 600) -> None:
        self.database = database
        self.expiration = timedelta(seconds=expiration_seconds)

    @property
    def logger(self) -> Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = str(uuid4())
        expire_at = _naive_utc(datetime.now(UTC) + self.expiration)
        async with self.database.unit_of_work() as session:
            await session.execute(
                insert(slack_oauth_states).values(state=state, expire_at=expire_at)
            )
        return state

    async def async_consume(self, state: str) -> bool:
        now = _naive_utc(datetime.now(UTC))
        c = slack_oauth_states.c
        async with self.database.unit_of_work() as session:
            # DELETE … RETURNING: of two callbacks racing with one state, one wins.
            deleted = await session.execute(
                delete(slack_oauth_states)
                .where(c.state == state, c.expire_at > now)
                .returning(c.id)
            )
            return deleted.first() is not None
