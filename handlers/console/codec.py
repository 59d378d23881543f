"""Neutral messages and forms to JSON and back, so the console can keep them in the database.

Only the classes of ``dialogs.core.content`` and ``dialogs.core.ui`` are accepted when decoding: a
stored payload never names an arbitrary class.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from typing import Any

from dialogs.core import content, ui

_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for module in (content, ui)
    for cls in vars(module).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__
}


def encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _CLASSES.get(name) is not type(value):
            raise TypeError(f"not a neutral UI class: {name}")
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"_t": name, **fields}
    if isinstance(value, datetime):
        return {"_dt": value.isoformat()}
    if isinstance(value, date):
        return {"_date": value.isoformat()}
    if isinstance(value, time):
        return {"_time": value.isoformat()}
    if isinstance(value, tuple):
        return {"_tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"_map": {str(k): encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot encode {type(value).__name__}")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "_t" in value:
        cls = _CLASSES.get(value["_t"])
        if cls is None:
            raise ValueError(f"unknown class in payload: {value['_t']!r}")
        return cls(**{k: decode(v) for k, v in value.items() if k != "_t"})
    if "_dt" in value:
        return datetime.fromisoformat(value["_dt"])
    if "_date" in value:
        return date.fromisoformat(value["_date"])
    if "_time" in value:
        return time.fromisoformat(value["_time"])
    if "_tuple" in value:
        return tuple(decode(v) for v in value["_tuple"])
    if "_map" in value:
        return {k: decode(v) for k, v in value["_map"].items()}
    raise ValueError("malformed payload")


def encode_message(message: ui.Message) -> dict[str, Any]:
    encoded = encode(message)
    assert isinstance(encoded, dict)
    return encoded


def decode_message(payload: dict[str, Any]) -> ui.Message:
    message = decode(payload)
    if not isinstance(message, ui.Message):
        raise ValueError("payload is not a message")
    return message
