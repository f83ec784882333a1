"""What a profile may be called: the one rule the CLI checks a `--profile` by, and the store's column."""

from __future__ import annotations

import pytest
from sqlalchemy import String

from musicflow.app.profiles import MAX_PROFILE_NAME, profile_asked, profile_name_problem
from musicflow.store.schema import profiles


def test_the_longest_name_is_what_the_store_keeps():
    column = profiles.c.name.type
    assert isinstance(column, String) and column.length == MAX_PROFILE_NAME


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("alex", None),
        (" alex ", None),  # the spaces around it are left out, as `profile_asked` does
        ("p" * MAX_PROFILE_NAME, None),
        ("", "a profile's name cannot be empty"),
        (" \t", "a profile's name cannot be empty"),
        (
            "p" * (MAX_PROFILE_NAME + 1),
            f"a profile's name is at most 64 characters long, not {MAX_PROFILE_NAME + 1}",
        ),
        (f" {'p' * MAX_PROFILE_NAME} ", None),
    ],
)
def test_a_name_is_refused_only_when_the_store_cannot_keep_it(name: str, problem: str | None):
    assert profile_name_problem(name) == problem
    if problem is None:
        assert profile_asked(name) == name.strip()
