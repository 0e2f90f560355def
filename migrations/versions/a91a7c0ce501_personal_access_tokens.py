"""Personal access tokens for the JSON API (/api/v1): only a SHA-256 of each token is stored

Revision ID: a91a7c0ce501
Revises: 532d742f4ec1
Create Date: 2026-12-06 03:20:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a91a7c0ce501'
down_revision = 'hb19a0000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('personal_access_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scopes', sa.String(length=40), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_personal_access_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_access_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_personal_access_tokens_token_hash'))
    )
    with op.batch_alter_table('personal_access_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_access_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('personal_access_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_access_tokens_user_id'))

    op.drop_table('personal_access_tokens')
