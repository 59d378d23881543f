"""The shape of a Slack payload, checked before slack-bolt sees it.

A valid signature says Slack sent a body, not that the body has the shape bolt 1.30 assumes:
its context builder and listener matchers index into the payload without type checks
(``"callback_id" in body["view"]``, ``"id" in body["user"]``, ``body["actions"][0]``,
``body.get("event", {}).get(...)``), so ``"view": null`` or ``"user": 42`` raised inside
bolt and the request ended in HTTP 500. Tandem's own translation (``translate``, ``forms``)
then reads a few more fields. Each model below declares the JSON types of the fields those
two read, with the right nesting; every other field is allowed and left alone (Slack adds
fields over time). Types are strict: ``"42"`` is not a number and ``1`` is not a string.

``problem(body)`` answers None for a body bolt and Tandem can serve, or a short reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# Who acted (a Slack user or team id) and which delivery it was (event id, trigger id, view
# id and hash, action time) are what Tandem records and dedupes on: an empty one would make
# every such payload the same person or a duplicate of the first, and an oversized one does
# not fit the columns (``platform_identities.user_id`` is 128 characters, the record key 255;
# PostgreSQL refuses longer values where SQLite stores them). Slack's own are 9-60 characters.
SlackId = Annotated[str, Field(min_length=1, max_length=64)]
Key = Annotated[str, Field(min_length=1, max_length=100)]
ShortId = Annotated[str, Field(max_length=64)]


class Shape(BaseModel):
    """Extra fields allowed (Slack adds fields), declared ones strictly typed."""

    model_config = ConfigDict(extra="allow", strict=True)

    # Fields that may be absent but are never null when present: bolt reads them as
    # ``body.get(key, {}).get(...)`` or ``len(body[key])``, which a null breaks.
    not_null: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _present_means_not_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = [key for key in cls.not_null if key in data and data[key] is None]
            if nulls:
                raise ValueError(f"{', '.join(nulls)} must not be null")
        return data


class Ref(Shape):
    """``{"id": …}`` objects: a team, an enterprise, a channel."""

    id: ShortId | None = None


class UserRef(Ref):
    team_id: str | None = None


class Person(Shape):
    """The person who acted in an interaction: Tandem answers and records by this id."""

    id: SlackId
    team_id: str | None = None


class ResponseUrl(Shape):
    response_url: str | None = None


class Context(Shape):
    """What bolt's context builder (``slack_bolt.request.internals``) reads on a payload and,
    recursively, on its ``event``, ``message``, ``previous_message``, ``item``,
    ``assistant_thread`` and first authorization."""

    not_null = ("event", "response_urls")

    type: str | None = None
    token: str | None = None
    api_app_id: str | None = None
    enterprise: str | Ref | None = None
    enterprise_id: str | None = None
    team: str | Ref | None = None
    team_id: str | None = None
    user: str | UserRef | None = None
    user_id: str | None = None
    channel: ShortId | Ref | None = None
    channel_id: ShortId | None = None
    thread_ts: str | None = None
    is_enterprise_install: bool | None = None
    is_ext_shared_channel: bool | None = None
    authorizations: list[Context] | None = None
    event: Event | None = None
    message: Context | None = None
    previous_message: Context | None = None
    item: Context | None = None
    assistant_thread: Context | None = None
    function_execution_id: str | None = None
    function_data: dict[str, Any] | None = None
    bot_access_token: str | None = None
    response_url: str | None = None
    response_urls: list[ResponseUrl] | None = None
    trigger_id: str | None = None
    # bolt takes any body with a ``command`` for a slash command.
    command: str | None = None
    view: View | None = None


class Event(Context):
    """The ``event`` of an ``event_callback``; bolt matches listeners on its ``type``."""

    type: str
    subtype: str | None = None
    text: str | None = None
    ts: str | None = None
    event_ts: str | None = None
    channel_type: str | None = None
    bot_id: str | None = None
    tab: str | None = None
    user_team: str | None = None

    @model_validator(mode="after")
    def _a_person_wrote_it(self) -> Self:
        # What a person typed or opened is answered to that person: it must name them.
        from_person = self.type in ("app_mention", "app_home_opened") or (
            self.type == "message" and self.subtype is None and self.bot_id is None
        )
        if from_person and not (isinstance(self.user, str) and 0 < len(self.user) <= 64):
            raise ValueError(f"a {self.type} event without its author")
        return self


class Option(Shape):
    value: str | None = None
    text: dict[str, Any] | None = None


class Element(Shape):
    """One input's state in ``view.state.values`` (``forms.submitted_values`` reads these)."""

    type: str | None = None
    value: str | None = None
    selected_option: Option | None = None
    selected_options: list[Option] | None = None
    selected_date: str | None = None
    selected_time: str | None = None


class State(Shape):
    values: dict[str, dict[str, Element]] | None = None


class View(Shape):
    """A modal or Home view; bolt reads ``callback_id``, ``team_id`` and
    ``app_installed_team_id``, Tandem ``id``, ``hash``, ``private_metadata`` and ``state``."""

    id: str | None = None
    hash: str | None = None
    type: str | None = None
    callback_id: str | None = None
    private_metadata: str | None = None
    team_id: str | None = None
    app_installed_team_id: str | None = None
    root_view_id: str | None = None
    previous_view_id: str | None = None
    external_id: str | None = None
    state: State | None = None
    blocks: list[dict[str, Any]] | None = None


class SubmittedView(View):
    """A view that was submitted or closed: Tandem keys the record on ``id`` and ``hash``;
    bolt reads ``type`` on every submission (is it a legacy workflow step?)."""

    id: Key
    hash: Key
    type: str
    callback_id: str


class Action(Shape):
    action_id: str
    block_id: str | None = None
    type: str | None = None
    value: str | None = None
    action_ts: Key | None = None


class Container(Shape):
    type: str | None = None
    message_ts: str | None = None
    channel_id: str | None = None
    is_ephemeral: bool | None = None
    view_id: str | None = None


class Message(Context):
    """The message whose button was clicked: Tandem reuses its blocks and text."""

    ts: str | None = None
    text: str | None = None
    blocks: list[dict[str, Any]] | None = None


class Interaction(Context):
    """Interactive payloads: someone did something, and their ``user`` object says who."""

    type: str
    user: Person  # type: ignore[assignment]  # narrower than Context's on purpose
    team: Ref | None = None
    channel: Ref | None = None


class BlockActions(Interaction):
    type: Literal["block_actions"]
    trigger_id: Key
    # bolt's matchers read ``actions[0]``; Tandem keys the record on its ``action_ts``.
    actions: Annotated[list[Action], Field(min_length=1)]
    container: Container | None = None
    message: Message | None = None


class ViewSubmission(Interaction):
    type: Literal["view_submission"]
    trigger_id: Key
    view: SubmittedView
    workflow_step: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _a_step_has_its_step(self) -> Self:
        # bolt hands every listener ``body["workflow_step"]`` for a workflow step's view.
        if self.view.type == "workflow_step" and self.workflow_step is None:
            raise ValueError("a workflow step's view without its workflow_step")
        return self


class ViewClosed(Interaction):
    type: Literal["view_closed"]
    view: SubmittedView
    is_cleared: bool | None = None


class BlockSuggestion(Interaction):
    type: Literal["block_suggestion"]
    action_id: str
    block_id: str | None = None
    value: str | None = None


class Shortcut(Interaction):
    """Global and message shortcuts, and legacy dialogs: bolt's matchers compare their
    ``callback_id``, our action matcher with a pattern (a number there raised ``TypeError``)."""

    type: Literal[
        "shortcut",
        "message_action",
        "dialog_submission",
        "dialog_cancellation",
        "dialog_suggestion",
    ]
    callback_id: str


class AttachmentAction(Interaction):
    """A legacy attachment button: bolt builds every listener's ``action`` argument from
    ``actions[0]`` before any matcher runs."""

    type: Literal["interactive_message"]
    callback_id: str
    actions: Annotated[list[Any], Field(min_length=1)]


class WorkflowStepEdit(Interaction):
    """Legacy workflow steps: bolt's ``step`` argument is ``body["workflow_step"]``."""

    type: Literal["workflow_step_edit"]
    callback_id: str
    workflow_step: dict[str, Any]


class EventCallback(Context):
    type: Literal["event_callback"]
    team_id: SlackId
    event_id: Key
    event: Event


class UrlVerification(Context):
    type: Literal["url_verification"]
    challenge: str


class SlashCommand(Shape):
    """A slash command's form fields (all strings by nature): who, where and what."""

    command: str
    team_id: SlackId
    user_id: SlackId
    channel_id: ShortId | None = None
    # Tandem dedupes commands on it: without one, every such command after the first would
    # be taken for a retry of the first and dropped.
    trigger_id: Key
    text: str | None = None


BY_TYPE: dict[str, type[Context]] = {
    "event_callback": EventCallback,
    "url_verification": UrlVerification,
    "block_actions": BlockActions,
    "view_submission": ViewSubmission,
    "view_closed": ViewClosed,
    "block_suggestion": BlockSuggestion,
    **{kind: Shortcut for kind in ("shortcut", "message_action", "dialog_submission")},
    **{kind: Shortcut for kind in ("dialog_cancellation", "dialog_suggestion")},
    "interactive_message": AttachmentAction,
    "workflow_step_edit": WorkflowStepEdit,
}


def _reason(error: ValidationError) -> str:
    first = error.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "payload"
    return f"{where}: {first['msg']}"


def problem(body: Mapping[str, Any], *, form: bool = False) -> str | None:
    """None when bolt and Tandem can serve ``body``; else a short reason for the 400.

    ``form``: the fields of a form-encoded body without ``payload`` (a slash command), whose
    values are strings and which bolt's context builder reads as such."""
    try:
        if form:
            SlashCommand.model_validate(body)
            return None
        # Any type bolt may route gets at least the checks its context builder needs.
        BY_TYPE.get(str(body.get("type")), Context).model_validate(body)
        if "command" in body:  # bolt would take it for a slash command too
            SlashCommand.model_validate(body)
    except ValidationError as error:
        return _reason(error)
    return None


# The models refer to each other before all are defined (``Context.event`` is an ``Event``,
# itself a ``Context``): resolve those references once, now that every name exists.
MODELS: tuple[type[Shape], ...] = (Context, Event, Message, Interaction, *set(BY_TYPE.values()))
for _model in MODELS:
    _model.model_rebuild()
