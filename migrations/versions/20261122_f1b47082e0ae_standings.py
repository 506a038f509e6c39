"""Standings: each trainee's record per quiz and per scenario, filled from the existing rows

Revision ID: f1b47082e0ae
Revises: 61c53e8a6201
Create Date: 2026-11-22 23:35:04.509773

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1b47082e0ae"
down_revision = "61c53e8a6201"
branch_labels = None
depends_on = None

# The same aggregates as refresh_quiz_standings / refresh_scenario_standings, written out so the
# migration does not depend on today's models.
FILL_QUIZ_STANDING = """
INSERT INTO quiz_standing (user_id, quiz_slug, best_score, fails, last_pass_at, last_fail_at)
SELECT user_id, quiz_slug, MAX(score_percent),
       SUM(CASE WHEN passed IS FALSE THEN 1 ELSE 0 END),
       MAX(CASE WHEN passed THEN submitted_at END),
       MAX(CASE WHEN passed IS FALSE THEN submitted_at END)
FROM quiz_attempt
WHERE mode = 'assessed' AND status = 'submitted'
GROUP BY user_id, quiz_slug
"""
FILL_SCENARIO_STANDING = """
INSERT INTO scenario_standing (user_id, scenario_slug, best_score, passed, fatal)
SELECT user_id, scenario_slug, COALESCE(MAX(COALESCE(reviewed_score, score)), 0.0),
       CASE WHEN MAX(CASE WHEN COALESCE(reviewed_passed, passed) THEN 1 ELSE 0 END) = 1
            THEN TRUE ELSE FALSE END,
       CASE WHEN MAX(finished_at)
                 = MAX(CASE WHEN COALESCE(reviewed_fatal, fatal) THEN finished_at END)
            THEN TRUE ELSE FALSE END
FROM conversation
WHERE mode = 'assessed' AND finished_at IS NOT NULL
GROUP BY user_id, scenario_slug
"""


def upgrade():
    op.create_table(
        "quiz_standing",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quiz_slug", sa.String(length=64), nullable=False),
        sa.Column("best_score", sa.Float(), nullable=True),
        sa.Column("fails", sa.Integer(), nullable=False),
        sa.Column("last_pass_at", sa.DateTime(), nullable=True),
        sa.Column("last_fail_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_quiz_standing_user_id_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "quiz_slug", name=op.f("pk_quiz_standing")),
    )
    op.create_table(
        "scenario_standing",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scenario_slug", sa.String(length=80), nullable=False),
        sa.Column("best_score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("fatal", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_scenario_standing_user_id_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "scenario_slug", name=op.f("pk_scenario_standing")),
    )
    op.execute(FILL_QUIZ_STANDING)
    op.execute(FILL_SCENARIO_STANDING)


def downgrade():
    op.drop_table("scenario_standing")
    op.drop_table("quiz_standing")
