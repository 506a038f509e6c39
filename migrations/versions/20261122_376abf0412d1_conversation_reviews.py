"""roleplay: supervisor comments on turns and score overrides of conversations

Overrides are kept as history in score_override; the latest is copied onto conversation
(reviewed_*) so evidence reads one row. The new columns are nullable: no server default needed.

Revision ID: 376abf0412d1
Revises: 1ff2a51c4a8d
Create Date: 2026-11-22 16:06:49.053456

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '376abf0412d1'
down_revision = '1ff2a51c4a8d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('score_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('previous_score', sa.Float(), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('fatal', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_score_override_author_id_user')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_score_override_conversation_id_conversation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_override'))
    )
    with op.batch_alter_table('score_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_override_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_override_created_at'), ['created_at'], unique=False)

    op.create_table('turn_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('turn_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_turn_comment_author_id_user')),
    sa.ForeignKeyConstraint(['turn_id'], ['conversation_turn.id'], name=op.f('fk_turn_comment_turn_id_conversation_turn')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_turn_comment'))
    )
    with op.batch_alter_table('turn_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_turn_comment_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_turn_comment_turn_id'), ['turn_id'], unique=False)

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_passed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_fatal', sa.Boolean(), nullable=True))



def downgrade():
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('reviewed_fatal')
        batch_op.drop_column('reviewed_passed')
        batch_op.drop_column('reviewed_score')

    with op.batch_alter_table('turn_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_turn_comment_turn_id'))
        batch_op.drop_index(batch_op.f('ix_turn_comment_created_at'))

    op.drop_table('turn_comment')
    with op.batch_alter_table('score_override', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_override_created_at'))
        batch_op.drop_index(batch_op.f('ix_score_override_conversation_id'))

    op.drop_table('score_override')
