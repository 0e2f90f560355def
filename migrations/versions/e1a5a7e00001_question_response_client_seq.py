"""question responses remember the device and edit number of a background save

Revision ID: e1a5a7e00001
Revises: b9fcd5ee0446
Create Date: 2026-12-05 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1a5a7e00001'
down_revision = 'b9fcd5ee0446'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('client_seq', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('question_responses', schema=None) as batch_op:
        batch_op.drop_column('client_seq')
        batch_op.drop_column('client_id')
