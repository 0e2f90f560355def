"""Every model, imported in one place so Alembic's autogenerate sees them all."""

from lms.auth.models import LibraryLevel, Role, User

__all__ = ["LibraryLevel", "Role", "User"]
