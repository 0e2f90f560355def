"""Who may author: one check every authoring view uses (roles are checked on the server)."""

from __future__ import annotations

from flask import abort, current_app
from flask_login import current_user

from lms.authoring.models import CourseDraft
from lms.authoring.services import drafts


def require_author() -> None:
    """Trainers and admins only (403 for everyone else; anonymous users are sent to log in by
    `login_required` on the view)."""
    if not current_user.is_authenticated or not current_user.has_role("trainer", "admin"):
        abort(403)


def authors_only():
    """`before_request` of every authoring blueprint: visitors are sent to log in, signed-in
    people who are not trainers or admins get 403."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    require_author()
    return None


def editable_draft_or_abort(slug: str) -> CourseDraft:
    """The workspace of course `slug` if the current user may edit it: 404 when there is no such
    course, 403 when the user is not one of its editors (admins edit every course)."""
    require_author()
    draft = drafts.draft_for(slug)
    if draft is None:
        if not current_user.is_admin:
            abort(403 if _course_exists(slug) else 404)
        try:
            draft = drafts.open_draft(slug, current_user)
        except LookupError:
            abort(404)
    if not drafts.is_editor(current_user, draft):
        abort(403)
    return draft


def _course_exists(slug: str) -> bool:
    from sqlalchemy import select

    from lms.courses.models import Course
    from lms.extensions import db

    return db.session.scalar(select(Course.id).where(Course.slug == slug)) is not None
