"""Each person's own data: ``my data`` and ``forget me``, in the chat."""

from __future__ import annotations

from bot.domain.personal_data import FORGET_ME
from dialogs.core.feature import Feature
from dialogs.personal_data.forget_me import (
    FORGET_ME_ACTION,
    FORGET_ME_FLOW,
    ask_to_confirm,
    forget_me,
)
from dialogs.personal_data.my_data import send_my_data

PERSONAL_DATA = Feature(
    name="personal_data",
    flows=(FORGET_ME_FLOW,),
    commands={"my data": send_my_data, "forget me": ask_to_confirm},
    actions={FORGET_ME_ACTION: ask_to_confirm},
    due={FORGET_ME: forget_me},
)
