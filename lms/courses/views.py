"""Catalogue, course and module pages (filled in below)."""

from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses")
