"""jobs carry a heartbeat: a dead worker's job is taken back within a minute

Revision ID: hb19a0000001
Revises: 532d742f4ec1
Create Date: 2026-12-06 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'hb19a0000001'
down_revision = 'c5c0c0ce0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
    # Jobs running during the upgrade: their claim time is their last sign of life.
    op.execute("UPDATE jobs SET heartbeat_at = locked_at WHERE status = 'running'")


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
