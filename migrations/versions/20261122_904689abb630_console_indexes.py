"""Indexes for the supervisor's console: every trainee's results read from the index alone

Revision ID: 904689abb630
Revises: 376abf0412d1
Create Date: 2026-11-22 16:19:03.401505

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "904689abb630"
down_revision = "376abf0412d1"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_conversation_results": (
        "conversation",
        ["user_id", "scenario_slug", "mode", "finished_at", "score", "passed", "fatal"],
    ),
    "ix_conversation_user_started": ("conversation", ["user_id", "started_at"]),
    "ix_lesson_progress_user_opened": ("lesson_progress", ["user_id", "last_opened_at"]),
    "ix_quiz_attempt_results": (
        "quiz_attempt",
        ["user_id", "quiz_slug", "mode", "status", "passed", "score_percent", "submitted_at"],
    ),
    "ix_quiz_attempt_user_started": ("quiz_attempt", ["user_id", "started_at"]),
}


def upgrade():
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
