"""Cohorts, members, deadlines, invitations and notifications

Revision ID: c0b0a7000001
Revises: a7b0c0de0001
Create Date: 2026-11-26 03:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0b0a7000001'
down_revision = 'a7b0c0de0001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
