"""The editors' desk: accounts, their sessions, sign-in attempts, the audit log and the
revisions events go through before readers see them.

Readers, the API and exports keep reading ``events`` alone: a revision reaches it only when
a reviewer publishes it, so drafts never leak. Sessions live here, not in a process, so
every replica behind the proxy knows them and a sign-out or a disabled account takes
effect everywhere at once; only a token's SHA-256 is kept, so a copy of the table signs
no one in. Sign-in attempts are counted here for the same reason: three replicas must
agree on a rate limit. ``revisions.number`` counts per event and is what optimistic
locking compares (``base_number`` is the number an editor started from).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NOW = sa.text("now()")


def upgrade() -> None:
    _accounts()
    _revisions()


def _accounts() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.CheckConstraint("role IN ('editor', 'reviewer', 'admin')", name="users_role"),
    )
    # Names are compared case-folded: "Aigerim" and "aigerim" are one account.
    op.execute("CREATE UNIQUE INDEX users_name ON users (lower(name))")
    op.create_table(
        "desk_sessions",
        sa.Column("token_hash", sa.LargeBinary, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("desk_sessions_user", "desk_sessions", ["user_id"])
    op.create_table(
        "signin_attempts",
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.execute("CREATE INDEX signin_attempts_account ON signin_attempts (lower(account), at)")
    op.create_index("signin_attempts_address", "signin_attempts", ["address", "at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("actor", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("target", sa.Text),
        sa.Column("address", sa.Text),
        sa.Column("detail", JSONB),
    )


def _revisions() -> None:
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("base_number", sa.Integer),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("feature", JSONB, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("review_comment", sa.Text),
        sa.Column("restored_from", sa.Integer),
        sa.Column("published_version", sa.Integer, sa.ForeignKey("versions.number")),
        sa.UniqueConstraint("event_id", "number", name="revisions_event_number"),
        sa.CheckConstraint(
            "state IN ('draft', 'in_review', 'returned', 'published', 'superseded')",
            name="revisions_state",
        ),
    )
    op.create_index("revisions_state", "revisions", ["state", "event_id"])


def downgrade() -> None:
    for table in ("revisions", "audit_log", "signin_attempts", "desk_sessions", "users"):
        op.drop_table(table)
