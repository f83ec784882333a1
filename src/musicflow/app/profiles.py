"""Which listener a command or a request is about: the one it names, else the default profile.

One rule for every front end: the CLI's `--profile` defaults to `DEFAULT_PROFILE`, and so does the server
(`musicflow serve --profile` names another); an API or page request without `?profile=` (or with a blank
one) is about the server's profile.
"""

from __future__ import annotations

DEFAULT_PROFILE = "default"


def profile_asked(named: str | None, default: str = DEFAULT_PROFILE) -> str:
    """The profile named (without the spaces around it), or `default` when none is."""
    chosen = named.strip() if named else ""
    return chosen or default
