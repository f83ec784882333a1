"""A query parameter given more than once is refused, never quietly read as one of its values.

Starlette's query (and FastAPI's parameter machinery over it) keeps the last value of a name given twice:
`?song=Numb&artist=Linkin+Park&song=Faint` was answered for Faint, with nothing to say the question was
ambiguous. The API's song routes read their query themselves (`api/deps.song_question`), the other routes
and the page's forms through FastAPI; each checks the names it takes here, and the refusal is the one
invalid-input answer (422, the parameter named in `problems`; on the page, its error view in the page's
words), as the API's error handler and the page's `invalid_input_page` write it.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi.exceptions import RequestValidationError
from starlette.datastructures import QueryParams

REPEATED = "repeated"  # the problem's type, as pydantic's are ("missing", "string_too_long", ...)


def repeated_problems(params: QueryParams, names: Iterable[str]) -> list[dict[str, object]]:
    """A problem for each of `names` given more than once, as a validation error of it reads."""
    problems: list[dict[str, object]] = []
    for name in names:
        given = params.getlist(name)
        if len(given) > 1:
            problems.append(
                {
                    "type": REPEATED,
                    "loc": ("query", name),
                    "msg": f"must be given once (it was given {len(given):,} times)",
                    "input": given,
                    "ctx": {"times": len(given)},
                }
            )
    return problems


def given_once(params: QueryParams, names: Iterable[str]) -> None:
    """Raise the invalid-input error naming each of `names` the query gives more than once. Cheap when
    no name is repeated, as on nearly every request: one comparison of two lengths."""
    if len(params.multi_items()) == len(params):
        return
    problems = repeated_problems(params, names)
    if problems:
        raise RequestValidationError(problems)
