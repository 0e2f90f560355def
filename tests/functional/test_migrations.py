"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from lms.extensions import db


def empty_database():
    """Drop every table, including Alembic's version table that the models do not know."""
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_migrations_match_the_models(app):
    empty_database()  # the fixture created the tables with create_all
    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}),
                                db.metadata)
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"
    empty_database()


def test_migrations_downgrade_to_empty_and_upgrade_again(app):
    empty_database()
    upgrade()
    downgrade(revision="base")
    with db.engine.connect() as conn:
        tables = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    empty_database()
