"""The quiz engine's errors: each is a user-visible message (lazy-translated), raised by the
attempt and grading services and shown by views and the CLI."""

from __future__ import annotations

from lms.errors_domain import ServiceError


class QuizError(ServiceError):
    """Base class of quiz-engine errors."""


class QuizUnavailable(QuizError):
    """The quiz has no current version (removed from its course) or the course is archived."""


class NotEnrolled(QuizError):
    """The learner is not enrolled in the quiz's course."""


class ModuleLocked(QuizError):
    """The quiz belongs to a module the learner has not unlocked yet (sequential course)."""


class QuizNotOpen(QuizError):
    """The quiz is not open yet."""


class QuizClosed(QuizError):
    """The quiz has closed."""


class AttemptLimitReached(QuizError):
    """Every allowed attempt has been used."""


class AttemptClosed(QuizError):
    """The attempt is no longer in progress (submitted, or its time ran out)."""


class GradingError(QuizError):
    """A manual grade is out of range or not for an essay awaiting grading."""


class UploadRefused(QuizError):
    """A file cannot be added to (or removed from) an answer: size, type, count, question."""
