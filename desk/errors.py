"""What a desk action refuses with, so every caller turns it into the same answer: a page
into 403, 404 or 409 (or 400 next to a field), a command into its message and exit code."""

from __future__ import annotations


class DeskError(Exception):
    """A refused desk action; ``message`` says what and why, in words for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Forbidden(DeskError):  # noqa: N818 (the names the desk's pages were designed on)
    """The account may not do this (its role, or its own change to review)."""


class NotFound(DeskError):  # noqa: N818
    """No such event or revision."""


class WrongState(DeskError):  # noqa: N818
    """The revision or event is not in a state that allows this (a draft cannot be
    published; an event in review cannot be edited until it is published or sent back)."""


class FieldError(DeskError):
    """A value given with the action is not usable (a reason that is empty or too long);
    ``field`` names the form field, so a page shows the message next to it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
