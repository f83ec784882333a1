"""Typed reads from decoded JSON, so a payload of the wrong shape is a clear `InvalidPayloadError`.

APIs change shape without notice (fields renamed, lists turned into objects). Reading through these
helpers turns such a change into one error naming the source and the field, instead of a KeyError or
TypeError deep inside a source adapter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from musicflow.errors import InvalidPayloadError

JsonObject = Mapping[str, object]


def as_object(value: object, *, source: str, what: str) -> JsonObject:
    if not isinstance(value, dict):
        raise InvalidPayloadError(f"{source}: {what} should be a JSON object, got {type(value).__name__}")
    return value


def as_list(value: object, *, source: str, what: str) -> Sequence[object]:
    if not isinstance(value, list):
        raise InvalidPayloadError(f"{source}: {what} should be a JSON list, got {type(value).__name__}")
    return value


def text_field(obj: JsonObject, name: str, *, source: str, what: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidPayloadError(f"{source}: {what}.{name} should be a non-empty string, got {value!r:.40}")
    return value


def optional_text(obj: JsonObject, name: str, *, source: str, what: str) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidPayloadError(f"{source}: {what}.{name} should be a string, got {value!r:.40}")
    return value or None
