"""Server-side role checks for views: `role_required` is `lms.access.role` (kept under this name
for the views and plugins that import it). The rules themselves live in `lms/access.py`."""

from lms.access import role as role_required

__all__ = ["role_required"]
