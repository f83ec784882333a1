"""A size on disk in words, for every sentence that says how much space something takes or freed."""

from __future__ import annotations

from musicflow.core.plurals import counted

UNITS = ("KiB", "MiB", "GiB", "TiB")


def size_words(size_bytes: int) -> str:
    """ "0 bytes", "1 byte", "812 bytes", "9.6 KiB", "21.4 MiB", "3.1 GiB": binary units, one decimal."""
    if size_bytes < 1024:
        return counted(size_bytes, "byte")
    value = float(size_bytes)
    for unit in UNITS:
        value /= 1024
        if round(value, 1) < 1024 or unit == UNITS[-1]:
            return f"{value:,.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover
