"""API errors with the HTTP status, an OGC-style code, and the parameter at fault."""

from __future__ import annotations


class ApiError(Exception):
    """A request the API cannot answer: ``as_dict`` is the JSON body of the response."""

    def __init__(
        self,
        status: int,
        code: str,
        description: str,
        parameter: str | None = None,
        expected: str | None = None,
    ):
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.parameter = parameter
        self.expected = expected

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "description": self.description}
        if self.parameter is not None:
            body["parameter"] = self.parameter
        if self.expected:
            body["expected"] = self.expected
        return body


def invalid(parameter: str, expected: str, found: str) -> ApiError:
    """400 for a parameter with a wrong value, naming it and what was expected."""
    shown = found if len(found) <= 80 else found[:79] + "…"
    return ApiError(
        400,
        "InvalidParameterValue",
        f"parameter '{parameter}': expected {expected}, got {shown!r}",
        parameter,
        expected,
    )


def not_found(what: str) -> ApiError:
    return ApiError(404, "NotFound", what)
