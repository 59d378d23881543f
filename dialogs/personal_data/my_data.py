"""``my data`` (``mes données``): the person's own export, sent to them as a JSON file.

Their record exactly as ``tandem people export --email E --format json`` writes it, and
what they answered (``storage.personal_data.export``); nothing of anyone else. Slack gets
the file in the person's direct messages; Teams and the console a link that works for
``MY_DATA_LIFETIME``.
"""

from __future__ import annotations

import json

from bot.domain.personal_data import MY_DATA_LIFETIME, MY_DATA_PURPOSE, my_data_filename
from dialogs.core.events import Outcome
from dialogs.core.feature import Turn
from dialogs.core.replies import text_message
from dialogs.files import file_keys, file_message
from storage.files import store_file
from storage.personal_data.export import own_data

MEDIA_TYPE = "application/json"


async def send_my_data(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    now = ctx.now()
    data = await own_data(ctx.session, ctx.person.id, now)
    if data is None:
        return turn.reply(text_message(t("I keep no record about you.")))
    content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    stored = await store_file(
        ctx.session,
        owner_id=ctx.person.id,
        purpose=MY_DATA_PURPOSE,
        filename=my_data_filename(now.date().isoformat()),
        media_type=MEDIA_TYPE,
        content=content,
        now=now,
        expires_at=now + MY_DATA_LIFETIME,
    )
    message = file_message(
        stored,
        file_keys(ctx.calendar),
        title=t("Your data"),
        text=t(
            "Here is everything I keep about you, as a JSON file: your record and your own "
            "answers, nothing about anyone else. The download link works for 7 days."
        ),
        label=t("Download your data"),
        now=now,
        visibility="private",
    )
    return turn.reply(message)
