"""Each quiz attempt keeps its own secret for the hidden order of its parts

Revision ID: a7c2e4d9b013
Revises: f1b47082e0ae
Create Date: 2026-11-23 07:00:00

Attempts started before this revision keep NULL and derive their secret from the application's
secret key, as they always did.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c2e4d9b013"
down_revision = "f1b47082e0ae"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quiz_attempt") as batch_op:
        batch_op.add_column(sa.Column("secret", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("quiz_attempt") as batch_op:
        batch_op.drop_column("secret")
