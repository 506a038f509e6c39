"""Covering indexes for the console's scenario results (with overrides) and lessons done

Revision ID: 61c53e8a6201
Revises: 9939eb25e528
Create Date: 2026-11-22 19:45:46.710792

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "61c53e8a6201"
down_revision = "9939eb25e528"
branch_labels = None
depends_on = None

RESULTS = ["user_id", "scenario_slug", "mode", "finished_at", "score", "passed", "fatal"]
REVIEWED = ["reviewed_score", "reviewed_passed", "reviewed_fatal"]
LESSONS = ["user_id", "completed_at", "module_slug", "lesson_slug"]


def upgrade():
    # The results index gains the override columns, so it replaces the narrower one.
    op.drop_index("ix_conversation_results", table_name="conversation")
    op.create_index("ix_conversation_results", "conversation", RESULTS + REVIEWED, unique=False)
    op.create_index("ix_lesson_progress_user_completed", "lesson_progress", LESSONS, unique=False)


def downgrade():
    op.drop_index("ix_lesson_progress_user_completed", table_name="lesson_progress")
    op.drop_index("ix_conversation_results", table_name="conversation")
    op.create_index("ix_conversation_results", "conversation", RESULTS, unique=False)
