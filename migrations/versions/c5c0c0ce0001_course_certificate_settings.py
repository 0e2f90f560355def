"""per-course certificate set-up: certificate_settings rows may belong to one course (their
fields override the site-wide set-up), and a certificate remembers the course's row it was
issued with

Revision ID: c5c0c0ce0001
Revises: 532d742f4ec1
Create Date: 2026-12-06 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5c0c0ce0001'
down_revision = '532d742f4ec1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('course_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_certificate_settings_course_id'), ['course_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_certificate_settings_course_id_courses'),
                                    'courses', ['course_id'], ['id'])
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('course_settings_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_certificates_course_settings_id_certificate_settings'),
            'certificate_settings', ['course_settings_id'], ['id'])


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_certificates_course_settings_id_certificate_settings'),
            type_='foreignkey')
        batch_op.drop_column('course_settings_id')
    with op.batch_alter_table('certificate_settings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificate_settings_course_id_courses'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_certificate_settings_course_id'))
        batch_op.drop_column('course_id')
