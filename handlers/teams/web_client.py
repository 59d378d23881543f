"""Connector clients: built once per service URL, sending with aiohttp and retrying.

botbuilder 4.17.1 builds two msrest clients per activity (about 4 ms each, in msrest's
retry-policy constructor) and sends with ``requests`` in a thread. Here botbuilder's own
extension points (a ``ConnectorFactory`` and a ``BotFrameworkAuthentication`` subclass)
hand out clients kept per service URL, whose msrest pipeline sends through one shared
aiohttp session with the retry policy of ``handlers.teams.retry``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from enum import Enum
from typing import Any

import aiohttp
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector import models as connector_models
from botframework.connector.aio import ConnectorClient
from botframework.connector.aio.operations_async import ConversationsOperations
from botframework.connector.auth import (
    AuthenticateRequestResult,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.bot_framework_sdk_client_async import (
    BotFrameworkConnectorConfiguration,
)
from msrest import Serializer
from msrest.pipeline import Request, Response
from msrest.pipeline.async_abc import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline
from msrest.pipeline.universal import RawDeserializer
from msrest.serialization import Model
from msrest.universal_http.aiohttp import AioHttpClientResponse

from handlers.teams.retry import RetryPolicy
from handlers.teams.validated_tokens import token_expiry

USER_AGENT = "Tandem (botbuilder-python 4.17)"
# AAD's tokens last an hour or more; refreshing five minutes early covers clock skew and
# a request that is slow to reach the connector.
REFRESH_BEFORE_S = 300.0


class SharedSessionSender(AsyncHTTPSender[Any, Any]):
    """Sends msrest requests through one aiohttp session (no thread, kept-alive sockets)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> SharedSessionSender:
        return self

    async def __aexit__(self, *exc_details: object) -> None:
        return None  # the session belongs to the factory

    def build_context(self) -> Any:
        return None

    async def send(self, request: Request[Any], **config: Any) -> Response[Any, Any]:
        http = request.http_request
        async with self._session.request(
            http.method, http.url, headers=dict(http.headers), data=http.data
        ) as raw:
            response = AioHttpClientResponse(http, raw)
            await response.load_body()
        return Response(request, response)


class OutboundToken:
    """The bot's token for the connector, asked of its credentials only when it runs out.

    The credentials' ``get_access_token`` may block (an MSAL refresh is an HTTP call), so it
    runs in a thread, and it was asked on every outbound call. AAD's tokens are JWTs: one is
    kept until ``REFRESH_BEFORE_S`` before its ``exp``, then asked for again (one caller
    asks, the others wait for it). A token without a readable expiry is asked for every
    time, as before. ``now`` is the system clock (a lease, not business time).
    """

    def __init__(self, credentials: Any, *, now: Callable[[], float] = time.time) -> None:
        self._credentials = credentials
        self._now = now
        self._token = ""
        self._good_until = float("-inf")
        self._lock = asyncio.Lock()
        self.asked = 0  # how many times the credentials were asked (tests check reuse)

    async def get(self) -> str:
        if self._now() < self._good_until:
            return self._token
        async with self._lock:
            if self._now() < self._good_until:  # another caller refreshed it meanwhile
                return self._token
            token = str(await asyncio.to_thread(self._credentials.get_access_token))
            self.asked += 1
            expiry = token_expiry(token)
            self._token = token
            self._good_until = float("-inf") if expiry is None else expiry - REFRESH_BEFORE_S
            return token


class BearerPolicy(AsyncHTTPPolicy[Any, Any]):
    """Adds the bot's token; none when anonymous (no app id), as botbuilder's session does."""

    def __init__(self, credentials: Any, *, now: Callable[[], float] = time.time) -> None:
        super().__init__()
        self._credentials = credentials
        self.token = OutboundToken(credentials, now=now)

    def _next(self) -> Any:
        assert self.next is not None, "policy used outside a pipeline"
        return self.next

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        if self._credentials.microsoft_app_id:
            token = await self.token.get()
            request.http_request.headers["Authorization"] = f"Bearer {token}"
        response: Response[Any, Any] = await self._next().send(request, **kwargs)
        return response


JSON_LEAVES = (str, int, float, bool, type(None))
# The models botbuilder's own connector client serialises with (its ``__init__`` does this).
CONNECTOR_MODELS = {k: v for k, v in connector_models.__dict__.items() if isinstance(v, type)}


def _plain_json(node: Any) -> bool:
    """Built of dicts with string keys, lists and JSON scalars only (exact types)."""
    kind = type(node)
    if kind is dict:
        return all(type(k) is str and _plain_json(v) for k, v in node.items())
    if kind is list:
        return all(_plain_json(item) for item in node)
    return kind in JSON_LEAVES


def _plain_object(value: Any) -> bool:
    """An msrest ``object`` value that is already its own JSON (a card, channel data)."""
    return type(value) in (dict, list) and _plain_json(value)


class _NotPlain(Exception):
    """A value the short way does not know: msrest serialises the whole body instead."""


# msrest types whose Python values are sent as they are (exact types only: a bool given
# for an int, say, goes through msrest).
_AS_IS = {"str": str, "bool": bool, "int": int}


class CardSerializer(Serializer):
    """msrest's serializer, cheaper for what a bot sends.

    - A plain JSON ``object`` field (a card, channel data) is passed on as it is: msrest
      rebuilds it node by node into an equal copy, a tenth of a turn's CPU.
    - A request body that is a model built of models, lists, strings (str enums
      included), booleans, integers and plain JSON (an outgoing activity) is turned into
      its dict directly from the models' own ``_attribute_map``, as msrest's ``_serialize``
      would: without msrest first parsing the models back into models and validating
      them (a fifth of a turn's CPU). Any other value (a date, a dict where a model is
      expected, a bool where a string is) sends the whole body through msrest unchanged.
      ``tests/teams/test_connector_serializer.py`` checks that both give the same JSON.
    """

    def __init__(self) -> None:
        super().__init__(CONNECTOR_MODELS)  # type: ignore[no-untyped-call]

    def serialize_object(self, attr: Any, **kwargs: Any) -> Any:
        if _plain_object(attr):
            return attr
        return super().serialize_object(attr, **kwargs)  # type: ignore[no-untyped-call]

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        if not kwargs and isinstance(data, Model) and type(data).__name__ == data_type:
            try:
                return self._model(data)
            except _NotPlain:
                pass
        return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]

    def _model(self, model: Model) -> dict[str, Any]:
        shown: dict[str, Any] = {}
        readonly = model._validation
        for attr, desc in model._attribute_map.items():
            if attr == "additional_properties" or "." in desc["key"]:
                raise _NotPlain  # merged or flattened keys: msrest's own rules
            value = getattr(model, attr)
            if value is None or readonly.get(attr, {}).get("readonly"):
                continue
            shown[desc["key"]] = self._value(value, desc["type"])
        return shown

    def _value(self, value: Any, kind: str) -> Any:
        if kind == "str" and isinstance(value, Enum):  # ActivityTypes.message: its value
            return value.value
        exact = _AS_IS.get(kind)
        if exact is not None:
            if type(value) is not exact:
                raise _NotPlain
            return value
        if kind == "object":
            if _plain_object(value):
                return value
            raise _NotPlain
        if kind[:1] == "[" and type(value) is list:
            return [self._value(item, kind[1:-1]) for item in value]
        model = self.dependencies.get(kind)
        if model is not None and isinstance(value, model):
            return self._model(value)
        raise _NotPlain


class CardConnectorClient(ConnectorClient):  # type: ignore[misc]
    """botbuilder's connector client whose conversation operations use ``CardSerializer``."""

    def __init__(self, credentials: Any, base_url: str, **kwargs: Any) -> None:
        super().__init__(credentials, base_url, **kwargs)
        serializer = CardSerializer()
        self._serialize = serializer
        self.conversations = ConversationsOperations(
            self._client, self.config, serializer, self._deserialize
        )


class ClientCache:
    """One connector client per (app id, service URL, audience), and their HTTP session."""

    def __init__(
        self, retry: RetryPolicy | None = None, *, now: Callable[[], float] = time.time
    ) -> None:
        self.retry = retry or RetryPolicy()
        self._now = now  # when outbound tokens run out (tests give their own)
        self._clients: dict[tuple[str, str, str], ConnectorClient] = {}
        self._session: aiohttp.ClientSession | None = None
        self.built = 0  # how many clients were built (tests check reuse)

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    def client(self, key: tuple[str, str, str], credentials: Any) -> ConnectorClient:
        client = self._clients.get(key)
        if client is None:
            client = self._build(key[1], credentials)
            self._clients[key] = client
            self.built += 1
        return client

    def _build(self, service_url: str, credentials: Any) -> ConnectorClient:
        configuration = BotFrameworkConnectorConfiguration(credentials, service_url)
        configuration.add_user_agent(USER_AGENT)
        policies = [
            configuration.user_agent_policy,
            BearerPolicy(credentials, now=self._now),
            self.retry,
            RawDeserializer(),
            configuration.http_logger_policy,
        ]
        configuration.custom_pipeline = AsyncPipeline(policies, SharedSessionSender(self.session()))
        return CardConnectorClient(credentials, service_url, custom_configuration=configuration)

    async def close(self) -> None:
        self._clients.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None


class CachedConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """botbuilder's ``ConnectorFactory`` contract, answered from the cache."""

    def __init__(
        self, cache: ClientCache, credentials_factory: Any, app_id: str, scope: str, login: str
    ) -> None:
        self._cache = cache
        self._credentials_factory = credentials_factory
        self._app_id = app_id or ""
        self._scope = scope
        self._login = login

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        scope = audience or self._scope
        key = (self._app_id, service_url, scope)
        cached = self._cache._clients.get(key)
        if cached is not None:
            return cached
        credentials = await self._credentials_factory.create_credentials(
            self._app_id, scope, self._login, True
        )
        return self._cache.client(key, credentials)


class ReusingAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's configuration authentication, with connector clients reused."""

    def __init__(self, configuration: Any, *, credentials_factory: Any, cache: ClientCache) -> None:
        super().__init__(configuration, credentials_factory=credentials_factory)
        self.cache = cache
        self._credentials_factory = credentials_factory
        self._user_token_clients: dict[str, UserTokenClient] = {}

    def _reusing(self, built: Any) -> CachedConnectorFactory:
        # botbuilder's own factory (built cheaply) says which app id, scope and login to use.
        return CachedConnectorFactory(
            self.cache,
            self._credentials_factory,
            getattr(built, "_app_id", None) or "",
            built._to_channel_from_bot_oauth_scope,
            built._login_endpoint,
        )

    async def authenticate_request(
        self, activity: Any, auth_header: str
    ) -> AuthenticateRequestResult:
        result: AuthenticateRequestResult = await super().authenticate_request(
            activity, auth_header
        )
        result.connector_factory = self._reusing(result.connector_factory)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._reusing(super().create_connector_factory(claims_identity))

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        # Built once per app id: this bot signs nobody in, but botbuilder asks every turn.
        key = str(claims_identity.claims.get("aud") or claims_identity.claims.get("appid") or "")
        client = self._user_token_clients.get(key)
        if client is None:
            client = await super().create_user_token_client(claims_identity)
            self._user_token_clients[key] = client
        return client
