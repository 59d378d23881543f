"""Runs flows: starts them, checks every answer's reference, persists each step.

An answer whose flow instance, step or version no longer match (an old card, a stacked
modal sent late, a double click, two replicas racing) is answered politely and changes
nothing: ``advance_flow`` only moves from the version that was read, inside a savepoint
that also undoes the step's own changes when another answer won.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from dialogs.core.flow import Flow, FlowContext, Step, Transition
from dialogs.core.replies import stale_message
from dialogs.core.ui import (
    BACK_FIELD,
    ActionRef,
    Done,
    FieldErrors,
    FieldValue,
    Form,
    FormAnswer,
    Message,
    NextForm,
)
from storage.dialog_states import FlowInstance, advance_flow, load_flow, open_flow, start_flow

TRAIL = "_trail"  # in an instance's data: the form steps behind it, for *Back*


@dataclass(frozen=True)
class CardAnswer:
    """What a button click on a flow's card led to."""

    message: Message | None  # the next card, the closing message or the stale notice
    stale: bool = False


class FlowEngine:
    def __init__(self, flows: Mapping[str, Flow]) -> None:
        self.flows = dict(flows)

    async def start(
        self, ctx: FlowContext, flow_name: str, data: Mapping[str, Any] | None = None
    ) -> Form | Message:
        """The form or card of the person's open instance (resume) or of a new one."""
        flow = self.flows[flow_name]
        instance = await open_flow(ctx.session, ctx.person.id, flow.name)
        if instance is None:
            instance = await start_flow(
                ctx.session, ctx.person.id, flow.name, flow.first_step, dict(data or {})
            )
        return self._present(ctx, flow, instance)

    async def reopen(self, ctx: FlowContext, ref: ActionRef) -> Form | Message:
        """The form of ``ref`` again, while its instance still stands at that step.

        An answered form, or a step that moved on meanwhile, gets the stale notice.
        """
        current = await self._current(ctx, ref)
        if current is None:
            return stale_message(ctx.t)
        shown = self._present(ctx, *current)
        return shown if isinstance(shown, Form) else stale_message(ctx.t)

    def _present(self, ctx: FlowContext, flow: Flow, instance: FlowInstance) -> Form | Message:
        step = flow.step(instance.step)
        ref = ActionRef(flow.name, instance.id, instance.step, instance.version)
        if step.form is not None:
            form = step.form(ctx, instance.data, ref)
            return replace(form, back_label=ctx.t("Back")) if _trail(instance) else form
        assert step.card is not None, f"step {flow.name}.{step.name} shows nothing"
        return step.card(ctx, instance.data, ref)

    async def _current(self, ctx: FlowContext, ref: ActionRef) -> tuple[Flow, FlowInstance] | None:
        flow = self.flows.get(ref.flow)
        instance = await load_flow(ctx.session, ref.instance_id)
        if (
            flow is None
            or instance is None
            or instance.person_id != ctx.person.id  # someone else's card: same polite answer
            or instance.finished
            or instance.step != ref.step
            or instance.version != ref.version
            or ref.step not in flow.steps
        ):
            return None
        return flow, instance

    async def _advance(
        self,
        ctx: FlowContext,
        flow: Flow,
        instance: FlowInstance,
        run: Callable[[Step], Awaitable[Transition]],
    ) -> tuple[Transition, FlowInstance] | Transition | None:
        """Run the step; None if another answer won, the Transition alone on field errors."""
        savepoint = await ctx.session.begin_nested()
        transition = await run(flow.step(instance.step))
        if transition.errors:
            await savepoint.rollback()
            await ctx.session.refresh(ctx.person)  # a rollback expires what the step touched
            return transition
        data = {**instance.data, **transition.data}
        if transition.next_step not in (None, instance.step) and flow.step(instance.step).form:
            data[TRAIL] = [*_trail(instance), instance.step]
        moved = await advance_flow(
            ctx.session,
            instance.id,
            instance.version,
            transition.next_step or instance.step,
            data,
            finished=transition.next_step is None,
            now=ctx.now(),
        )
        if moved is None:
            await savepoint.rollback()
            await ctx.session.refresh(ctx.person)
            return None
        await savepoint.commit()
        return transition, moved

    async def submit(
        self, ctx: FlowContext, ref: ActionRef, values: Mapping[str, FieldValue]
    ) -> FormAnswer:
        current = await self._current(ctx, ref)
        if current is None or current[0].step(ref.step).submit is None:
            return Done(stale_message(ctx.t))
        flow, instance = current
        if values.get(BACK_FIELD) is not None:
            return await self._back(ctx, flow, instance)

        async def run(step: Step) -> Transition:
            assert step.submit is not None
            return await step.submit(ctx, instance.data, values)

        result = await self._advance(ctx, flow, instance, run)
        if result is None:
            return Done(stale_message(ctx.t))
        if isinstance(result, Transition):
            form = self._present(ctx, flow, instance)
            again = form.with_values(values) if isinstance(form, Form) else None
            return FieldErrors(dict(result.errors), again)
        transition, moved = result
        if transition.next_step is None:
            return Done(transition.message)
        return self._form_answer(ctx, flow, moved)

    async def _back(self, ctx: FlowContext, flow: Flow, instance: FlowInstance) -> FormAnswer:
        """The step before, filled as it was left (what this step's fields held is not
        kept: it was never submitted)."""
        trail = _trail(instance)
        if trail:  # a first step has no Back: it is shown again
            data = {**instance.data, TRAIL: trail[:-1]}
            moved = await advance_flow(
                ctx.session, instance.id, instance.version, trail[-1], data, now=ctx.now()
            )
            if moved is None:
                return Done(stale_message(ctx.t))
            instance = moved
        return self._form_answer(ctx, flow, instance)

    def _form_answer(self, ctx: FlowContext, flow: Flow, instance: FlowInstance) -> FormAnswer:
        shown = self._present(ctx, flow, instance)
        return NextForm(shown) if isinstance(shown, Form) else Done(shown)

    async def act(self, ctx: FlowContext, ref: ActionRef, action: str, value: str) -> CardAnswer:
        current = await self._current(ctx, ref)
        if current is None or current[0].step(ref.step).act is None:
            return CardAnswer(stale_message(ctx.t), stale=True)
        flow, instance = current

        async def run(step: Step) -> Transition:
            assert step.act is not None
            return await step.act(ctx, instance.data, action, value)

        result = await self._advance(ctx, flow, instance, run)
        if result is None:
            return CardAnswer(stale_message(ctx.t), stale=True)
        if isinstance(result, Transition):  # a card has no fields: show why, keep the step
            return CardAnswer(None)
        transition, moved = result
        if transition.next_step is None:
            return CardAnswer(transition.message)
        following = self._present(ctx, flow, moved)
        return CardAnswer(following if isinstance(following, Message) else None)


def _trail(instance: FlowInstance) -> list[str]:
    trail = instance.data.get(TRAIL)
    return [str(step) for step in trail] if isinstance(trail, list) else []
