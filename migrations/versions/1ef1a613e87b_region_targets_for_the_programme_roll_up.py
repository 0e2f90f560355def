"""Region targets for the programme roll-up: one row per province or regency/city code

Revision ID: 1ef1a613e87b
Revises: 9daa0f3b6249
Create Date: 2026-12-05 23:51:58.911988

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1ef1a613e87b'
down_revision = '9daa0f3b6249'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('region_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=13), nullable=False),
    sa.Column('villages_target', sa.Integer(), nullable=False),
    sa.Column('facilitators_target', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_region_targets_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region_targets')),
    sa.UniqueConstraint('region_code', name=op.f('uq_region_targets_region_code'))
    )


def downgrade():
    op.drop_table('region_targets')
