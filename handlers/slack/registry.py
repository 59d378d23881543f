"""Long option lists of the forms on screen, for the options endpoint (searchable selects).

A modal's ``private_metadata`` cannot hold hundreds of options, so the list stays here,
keyed by the form's reference, while the modal is likely to be open.
"""

from __future__ import annotations

from collections import OrderedDict

from dialogs.core.ui import Form, Option
from handlers.slack.forms import searchable_options

MAX_FORMS = 2000


class OpenForms:
    def __init__(self) -> None:
        self._options: OrderedDict[str, dict[str, tuple[Option, ...]]] = OrderedDict()

    def remember(self, form: Form) -> None:
        options = searchable_options(form)
        if not options:
            return
        key = form.ref.encode()
        self._options[key] = options
        self._options.move_to_end(key)
        while len(self._options) > MAX_FORMS:
            self._options.popitem(last=False)

    def options(self, metadata: str, field: str) -> tuple[Option, ...]:
        return self._options.get(metadata, {}).get(field, ())
