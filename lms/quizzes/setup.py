"""Attach the question-type registry to the app: built-in types plus installed plugins."""

from __future__ import annotations

import logging

from lms.quizzes.registry import QuestionTypeRegistry, default_registry

log = logging.getLogger("pelita.quizzes")


def init_question_types(app) -> QuestionTypeRegistry:
    """Build the registry once per app; a broken plugin type is logged, never fatal."""
    registry = default_registry()
    for name, error in registry.load_entry_points():
        log.error("question type plugin %r failed to load: %s", name, error)
    app.extensions["pelita_question_types"] = registry
    app.extensions["pelita_question_validator"] = registry.validate_question
    return registry


def question_types() -> QuestionTypeRegistry:
    """The app's question-type registry: the ONE accessor (services and views call this, or
    `lms.quizzes.queries.registry`, which is this)."""
    from flask import current_app

    return current_app.extensions["pelita_question_types"]
