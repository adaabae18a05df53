"""The admin pages' forms: what each field accepts, checked before anything is written.

The rules the accounts module enforces (a known role, 12 characters of password) are
checked here too, so a wrong value is shown next to its own field rather than above the
form; desk.accounts stays the authority and its refusal is shown as well.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from almaty_map.desk.accounts import MAX_NAME, MAX_PASSWORD, MIN_PASSWORD, ROLES


def _password(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(message="Give a password."),
            Length(
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                message=f"A password has {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
            ),
        ],
    )


def _role() -> SelectField:
    return SelectField(
        "Role",
        choices=list(ROLES),
        validate_choice=True,
    )


class AddAccountForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired(message="Give the name the person signs in with."),
            Length(max=MAX_NAME, message=f"A name has at most {MAX_NAME} characters."),
        ],
    )
    role = _role()
    password = _password("Password")


class PasswordForm(FlaskForm):
    password = _password("New password")


class RoleForm(FlaskForm):
    role = _role()


class DisableForm(FlaskForm):
    """Nothing but its CSRF token: a POST that says "disable this account"."""
