"""Canonical JSON text for the store's JSON columns: the same bytes on every backend, NaN stored as null."""

from __future__ import annotations

from typing import Any

import orjson

OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY


def dumps(value: Any) -> str:
    """Sorted keys, no NaN (orjson writes it as null), numpy scalars as plain numbers.

    Raises `TypeError` for anything that is not JSON, so a caller can say which field is wrong.
    """
    return orjson.dumps(value, option=OPTIONS, default=_plain).decode()


def loads(text: str) -> Any:
    return orjson.loads(text)


def _plain(value: Any) -> Any:
    """numpy scalars and the like expose `.item()`; everything else is not JSON."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON")
