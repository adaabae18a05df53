"""API errors: the HTTP status, an OGC-style code, and for a bad request every problem.

They carry no HTTP machinery: web.errors answers them in the shape every error of the app
has, so a client reads an API error and a page's bad request the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from almaty_map.geodata.errors import QueryProblem

INVALID = "InvalidParameterValue"


class ApiError(Exception):
    """A request the API cannot answer."""

    def __init__(
        self,
        status: int,
        code: str,
        description: str,
        problems: tuple[QueryProblem, ...] = (),
    ):
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.problems = problems


def rejected(problems: Sequence[QueryProblem]) -> ApiError:
    """400 for wrong parameters: described by the first (as clients have always read it),
    and listing every one."""
    return ApiError(400, INVALID, str(problems[0]), tuple(problems))


def not_found(what: str) -> ApiError:
    return ApiError(404, "NotFound", what)
