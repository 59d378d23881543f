"""Modal submissions: the form answer (errors, next step, done) goes inside the ack.

Slack waits 3 s for that ack. Under a burst it would not come in time, so the modal is
closed (an empty ack) and the answer comes as a message, the next step as a button that
opens it, once the work is done: when every handling slot is taken or the person has
earlier events waiting (``handlers.lanes``), or past ``ACK_BUDGET_S``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from dialogs.core.ui import Done, NextForm
from handlers.slack import forms, translate
from handlers.slack.inbox import Inbox, lane_of

log = logging.getLogger(__name__)
ACK_BUDGET_S = 2.0


def register(app: AsyncApp, inbox: Inbox) -> None:
    @app.view(forms.CALLBACK_ID)
    async def submitted(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        translated = translate.view_submission(body)
        record_id = await inbox.record(translated, body)
        if record_id is None:  # the same submission again: already answered
            await ack()
            return
        lane = lane_of(translated)
        async with inbox.intake.lanes.now_or_never(lane) as now:
            if not now:  # a backlog: this one waits its turn in it
                await ack()
                inbox.intake.spawn(inbox.process(record_id, translated, client), lane)
                return
            handling = asyncio.ensure_future(inbox.handle(translated, client))
            try:
                outcome = await asyncio.wait_for(asyncio.shield(handling), ACK_BUDGET_S)
            except TimeoutError:
                await ack()
                inbox.intake.spawn(inbox.process(record_id, translated, client, handling), lane)
                return
            except Exception:
                log.exception("slack: a form submission failed")
                await ack()
                await inbox.close(record_id, "failed")
                return
        answer = outcome.form_answer
        if isinstance(answer, NextForm):
            await inbox.delivery.keep_options(answer.form)  # before the ack shows it
        if answer is None:
            await ack()
        else:
            await ack(**forms.form_answer(answer))
        if isinstance(answer, Done) and answer.message is not None:
            outcome = replace(outcome, messages=(*outcome.messages, answer.message))
        later = inbox.deliver_later(record_id, translated.origin, outcome, client)
        inbox.intake.spawn(later, lane)
