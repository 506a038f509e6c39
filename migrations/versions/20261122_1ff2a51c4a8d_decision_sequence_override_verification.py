"""probation decisions: sequence per trainee, state before, override, verification code

Revision ID: 1ff2a51c4a8d
Revises: 55495e65289e
Create Date: 2026-11-22 16:07:23.748241

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1ff2a51c4a8d"
down_revision = "55495e65289e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("probation_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=True))
        # Decisions recorded before this revision did not note the state before them.
        batch_op.add_column(
            sa.Column(
                "previous_state", sa.String(length=16), nullable=False, server_default="unknown"
            )
        )
        batch_op.add_column(
            sa.Column("override", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("verification_code", sa.String(length=32), nullable=True))
    # Number each trainee's existing decisions 1, 2, 3 ... in the order they were recorded.
    op.execute(
        "UPDATE probation_decision SET sequence = (SELECT COUNT(*) FROM probation_decision AS d"
        " WHERE d.trainee_id = probation_decision.trainee_id AND d.id <= probation_decision.id)"
    )
    with op.batch_alter_table("probation_decision", schema=None) as batch_op:
        batch_op.alter_column("sequence", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_probation_decision_trainee_id_sequence"), ["trainee_id", "sequence"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_probation_decision_verification_code"), ["verification_code"]
        )


def downgrade():
    with op.batch_alter_table("probation_decision", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_probation_decision_verification_code"), type_="unique"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_probation_decision_trainee_id_sequence"), type_="unique"
        )
        batch_op.drop_column("verification_code")
        batch_op.drop_column("override")
        batch_op.drop_column("previous_state")
        batch_op.drop_column("sequence")
