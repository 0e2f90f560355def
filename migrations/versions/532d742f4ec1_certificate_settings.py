"""certificate settings: issuer, place, signatories with signatures, stamp and logos set at
/admin/certificate (append-only rows; a certificate points at the one it was issued with)

Revision ID: 532d742f4ec1
Revises: 1ef1a613e87b
Create Date: 2026-12-06 00:58:47.317320

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '532d742f4ec1'
down_revision = '1ef1a613e87b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('issuer_name', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_role', sa.String(length=200), nullable=False),
    sa.Column('signature', sa.LargeBinary(), nullable=True),
    sa.Column('signatory2_name', sa.String(length=200), nullable=False),
    sa.Column('signatory2_role', sa.String(length=200), nullable=False),
    sa.Column('signature2', sa.LargeBinary(), nullable=True),
    sa.Column('stamp', sa.LargeBinary(), nullable=True),
    sa.Column('logo1', sa.LargeBinary(), nullable=True),
    sa.Column('logo2', sa.LargeBinary(), nullable=True),
    sa.Column('logo3', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_certificate_settings_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_settings'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settings_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_certificates_settings_id_certificate_settings'), 'certificate_settings', ['settings_id'], ['id'])



def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificates_settings_id_certificate_settings'), type_='foreignkey')
        batch_op.drop_column('settings_id')

    op.drop_table('certificate_settings')
