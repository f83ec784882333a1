"""Song and artist names as catalog files really hold them: mis-decoded, padded, or as list literals.

A name that went through the wrong decoder once (`BeyoncÃ©`) or twice through different ones
(`ROSâ\\x88\\x9aÃ¢`: UTF-8 read as Mac Roman, then as Latin-1) is decoded back step by step; a step is
kept only when the bytes are valid UTF-8, so a name that really contains `Ã` is left alone.
"""

from __future__ import annotations

import re

from musicflow.core.artist_names import first_credits
from musicflow.features.catalog_formats.values import list_literal

_MOJIBAKE_MARKS = re.compile("[ÃÂâ€ï¬√ƒ¢‚„ÈÊ≈\uf8ff]")  # lead bytes as Windows-1252 or Mac Roman show them
_WRONG_DECODERS = ("cp1252", "latin-1", "mac_roman")
_MAX_REPAIR_STEPS = 3
_FEATURING = re.compile(r"\s+(?:featuring|feat\.|ft\.)\s+", re.IGNORECASE)
_SURROGATES = re.compile("[\udc80-\udcff]")

NOTE_REPAIRED = "name re-decoded from mis-encoded text"
NOTE_UNREADABLE = "name has unreadable characters"


def repair_text(text: str) -> tuple[str, str | None]:
    """The text with encoding damage undone where that is certain, and a note when it was touched."""
    note = None
    if _SURROGATES.search(text):  # bytes that were not UTF-8: the file is Windows-1252 here
        text = text.encode("utf-8", "surrogateescape").decode("cp1252", "replace")
        note = NOTE_REPAIRED
    for _ in range(_MAX_REPAIR_STEPS):
        if not _MOJIBAKE_MARKS.search(text):
            break
        repaired = _one_step_back(text)
        if repaired is None:
            break
        text, note = repaired, NOTE_REPAIRED
    if "\ufffd" in text:
        note = NOTE_UNREADABLE
    return text.strip(), note


def _one_step_back(text: str) -> str | None:
    for decoder in _WRONG_DECODERS:
        try:
            candidate = text.encode(decoder).decode("utf-8")
        except UnicodeError:
            continue
        if candidate != text:
            return candidate
    return None


def split_artists(text: str, style: str) -> list[str]:
    """Artist names, primary first, from one cell in the file's style.

    `list`: a Python list literal; `comma`: "A, B" as the Spotify API joins names; `semicolon`: our own
    native "A; B"; `single`: one credit, where only "X Featuring Y" (Billboard style) is split.
    A list literal is recognised in every style, since pandas exports write them wherever a list was,
    and names each artist whole; split from text, the parts that begin an artist whose one name reads as
    several ("Tyler", "The Creator" of "Tyler, The Creator, Kali Uchis") are joined back
    (`core.artist_names.first_credits`).
    """
    names = list_literal(text)
    if names is not None:
        return names
    if style == "comma":
        parts = text.split(", ")
    elif style == "semicolon":
        parts = text.split(";")
    else:
        parts = _FEATURING.split(text)
    return first_credits([part.strip() for part in parts if part.strip()])
