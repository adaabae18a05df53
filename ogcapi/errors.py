"""API errors: the HTTP status, an OGC-style code, and for a bad request every problem."""

from __future__ import annotations

from collections.abc import Sequence

from almaty_map.geodata.errors import QueryProblem

INVALID = "InvalidParameterValue"


class ApiError(Exception):
    """A request the API cannot answer: ``as_dict`` is the JSON body of the response."""

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

    def as_dict(self) -> dict[str, object]:
        """The first problem's parameter and expectation stay at the top, where clients read
        them before a response could list several."""
        body: dict[str, object] = {"code": self.code, "description": self.description}
        if self.problems:
            body["parameter"] = self.problems[0].parameter
            body["expected"] = self.problems[0].expected
            body["problems"] = [p.as_dict() for p in self.problems]
        return body


def rejected(problems: Sequence[QueryProblem]) -> ApiError:
    """400 for wrong parameters: described by the first (as clients have always read it),
    and listing every one."""
    return ApiError(400, INVALID, str(problems[0]), tuple(problems))


def not_found(what: str) -> ApiError:
    return ApiError(404, "NotFound", what)
