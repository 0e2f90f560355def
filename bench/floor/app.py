"""The framework floor: the smallest honest Flask page — one SQLAlchemy primary-key query and a
small Jinja template — served by the same gunicorn settings as Pelita (bench/common.gunicorn).
Every learner and trainer page is reported as a share of this app's req/s in the same run
(bench/pages.py, bench/trainer_pages.py; docs/performance.md).

    FLOOR_DATABASE_URL=sqlite:////tmp/floor.sqlite3 gunicorn -w 2 bench.floor.app:app

Nothing of Pelita is imported: no session, CSRF, Babel, login, compression or security headers.
`seed(url)` creates the table with 10,000 rows once, before the server starts.
"""

from __future__ import annotations

import os

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROWS = 10_000
ITEM_ID = 4242


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Item(db.Model):
    __tablename__ = "bench_floor_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


def create_app(url: str) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db.init_app(app)

    @app.get("/floor")
    def floor():
        item = db.session.get(Item, ITEM_ID)
        return render_template("page.html", item=item, rows=range(20))

    @app.get("/bare")
    def bare():
        return "ok"

    return app


def seed(url: str) -> None:
    """The table and its rows (once; an existing table is left as it is)."""
    app = create_app(url)
    with app.app_context():
        Item.__table__.create(db.engine, checkfirst=True)
        if db.session.get(Item, ITEM_ID) is None:
            db.session.execute(Item.__table__.insert(), [
                {"id": i, "title": f"Butir {i}", "body": f"Isi butir nomor {i}. " * 8}
                for i in range(1, ROWS + 1)])
            db.session.commit()
        db.engine.dispose()


def drop(url: str) -> None:
    app = create_app(url)
    with app.app_context():
        Item.__table__.drop(db.engine, checkfirst=True)
        db.engine.dispose()


app = create_app(os.environ["FLOOR_DATABASE_URL"]) if "FLOOR_DATABASE_URL" in os.environ else None
