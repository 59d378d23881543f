"""Runs flows: starts them, checks every submission's reference, persists each step.

A submission whose flow instance, step or version no longer match (an old card, a stacked
modal sent late, a double click, two replicas racing) is answered politely and changes
nothing: ``advance_flow`` only moves from the version that was read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs.flows.base import Flow, FlowContext
from dialogs.presenters import stale_message
from dialogs.ui import ActionRef, Done, FieldErrors, FieldValue, Form, FormAnswer, NextForm
from storage.dialog_states import advance_flow, load_flow, open_flow, start_flow


class FlowEngine:
    def __init__(self, flows: Mapping[str, Flow]) -> None:
        self.flows = dict(flows)

    async def start(
        self, ctx: FlowContext, flow_name: str, data: Mapping[str, Any] | None = None
    ) -> Form:
        """The form of the person's open instance (resume) or of a new one."""
        flow = self.flows[flow_name]
        instance = await open_flow(ctx.session, ctx.person.id, flow.name)
        if instance is None:
            instance = await start_flow(
                ctx.session, ctx.person.id, flow.name, flow.first_step, dict(data or {})
            )
        ref = ActionRef(flow.name, instance.id, instance.step, instance.version)
        return flow.step(instance.step).form(ctx, instance.data, ref)

    async def submit(
        self, ctx: FlowContext, ref: ActionRef, values: Mapping[str, FieldValue]
    ) -> FormAnswer:
        flow = self.flows.get(ref.flow)
        instance = await load_flow(ctx.session, ref.instance_id)
        if (
            flow is None
            or instance is None
            or instance.person_id != ctx.person.id  # someone else's form: same polite answer
            or instance.finished
            or instance.step != ref.step
            or instance.version != ref.version
            or ref.step not in flow.steps
        ):
            return Done(stale_message(ctx.t))
        # A savepoint: if another answer won the race, the step's side effects are undone too.
        savepoint = await ctx.session.begin_nested()
        transition = await flow.step(ref.step).submit(ctx, instance.data, values)
        if transition.errors:
            await savepoint.rollback()
            return FieldErrors(dict(transition.errors))
        moved = await advance_flow(
            ctx.session,
            instance.id,
            instance.version,
            transition.next_step or ref.step,
            {**instance.data, **transition.data},
            finished=transition.next_step is None,
        )
        if moved is None:
            await savepoint.rollback()
            return Done(stale_message(ctx.t))
        await savepoint.commit()
        if transition.next_step is None:
            return Done(transition.message)
        next_ref = ActionRef(flow.name, moved.id, moved.step, moved.version)
        return NextForm(flow.step(moved.step).form(ctx, moved.data, next_ref))
