"""Which listener a command or a request is about: the one it names, else the default profile.

One rule for every front end: the CLI's `--profile` defaults to `DEFAULT_PROFILE`, and so does the server
(`musicflow serve --profile` names another); an API or page request without `?profile=` (or with a blank
one) is about the server's profile.

What a profile may be called (`profile_name_problem`) is the store's: a name of at most
`MAX_PROFILE_NAME` characters (its column), with something in it besides spaces. The CLI checks a name
as it reads it, before any store is opened, so `--profile ""` is refused rather than made a profile of
its own that no hint can name again.
"""

from __future__ import annotations

DEFAULT_PROFILE = "default"
MAX_PROFILE_NAME = 64  # the store's `profiles.name` column (VARCHAR(64)): a longer name is not kept whole


def profile_asked(named: str | None, default: str = DEFAULT_PROFILE) -> str:
    """The profile named (without the spaces around it), or `default` when none is."""
    chosen = named.strip() if named else ""
    return chosen or default


def profile_name_problem(name: str) -> str | None:
    """Why `name` (as given, spaces around it left out) cannot name a profile; None when it can."""
    if not name.strip():
        return "a profile's name cannot be empty"
    if len(name.strip()) > MAX_PROFILE_NAME:
        return f"a profile's name is at most {MAX_PROFILE_NAME} characters long, not {len(name.strip()):,}"
    return None
