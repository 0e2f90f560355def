"""Name -> question type; duplicates fail loudly, unknown names give a clear error."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from lms.quizzes.base import Problem, QuestionType

ENTRY_POINT_GROUP = "pelita.question_types"


class UnknownQuestionType(LookupError):
    """No question type is registered under `name`; `known` lists the registered names."""

    def __init__(self, name: Any, known: list[str]) -> None:
        self.name = name
        self.known = list(known)
        super().__init__(
            f"Unknown question type {name!r}; known types: {', '.join(self.known) or '(none)'}"
        )


class DuplicateQuestionType(ValueError):
    """Two question types claim the same name."""

    def __init__(self, name: str, existing: QuestionType, new: QuestionType) -> None:
        self.name = name
        self.existing = existing
        self.new = new
        super().__init__(
            f"Question type name {name!r} is already registered by {_qualname(existing)}; "
            f"cannot register {_qualname(new)} under the same name."
        )


def _qualname(obj: Any) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


class QuestionTypeRegistry:
    """Question types keyed by their unique `name`."""

    def __init__(self) -> None:
        self._types: dict[str, QuestionType] = {}

    def register(self, qtype: QuestionType | type[QuestionType]) -> QuestionType:
        """Register a type (instance or class); a duplicate name raises DuplicateQuestionType."""
        if isinstance(qtype, type):
            if not issubclass(qtype, QuestionType):
                raise TypeError(f"{_qualname(qtype)} is not a QuestionType subclass")
            qtype = qtype()
        if not isinstance(qtype, QuestionType):
            raise TypeError(f"{qtype!r} is not a QuestionType")
        name = qtype.name
        if not isinstance(name, str) or not name:
            raise ValueError(f"{_qualname(qtype)} has no name; set the class attribute `name`")
        if name in self._types:
            raise DuplicateQuestionType(name, self._types[name], qtype)
        self._types[name] = qtype
        return qtype

    def get(self, name: Any) -> QuestionType:
        """The type registered under `name`; raises UnknownQuestionType otherwise."""
        try:
            return self._types[name]
        except (KeyError, TypeError):
            raise UnknownQuestionType(name, self.names()) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._types

    def __iter__(self):
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def names(self) -> list[str]:
        """Registered names in registration order."""
        return list(self._types)

    def validate_question(self, q: Any) -> list[Problem]:
        """All problems of a definition; never raises, whatever the type's code does."""
        if not isinstance(q, dict):
            return [("", "The question must be a table/dict of fields.")]
        name = q.get("type")
        if name not in self:
            return [
                (
                    "type",
                    f"Unknown question type {name!r}; known types: {', '.join(self.names())}",
                )
            ]
        qtype = self._types[name]
        try:
            problems = qtype.validate(q)
            return [(str(f), str(m)) for f, m in problems]
        except Exception as exc:  # a broken plug-in must not break the caller
            return [
                (
                    "",
                    f"The {name!r} type failed to check this question: {type(exc).__name__}: {exc}",
                )
            ]

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> list[tuple[str, str]]:
        """Register third-party types from entry points; returns (name, error) failures."""
        failures: list[tuple[str, str]] = []
        for ep in entry_points(group=group):
            try:
                self.register(ep.load())
            except Exception as exc:
                failures.append((ep.name, f"{type(exc).__name__}: {exc}"))
        return failures


def builtin_types() -> list[type[QuestionType]]:
    """The built-in question type classes."""
    from lms.quizzes.types.description import Description
    from lms.quizzes.types.essay import Essay
    from lms.quizzes.types.matching import Matching
    from lms.quizzes.types.multiple_choice import MultipleChoice
    from lms.quizzes.types.numerical import Numerical
    from lms.quizzes.types.ordering import Ordering
    from lms.quizzes.types.short_answer import ShortAnswer
    from lms.quizzes.types.single_choice import SingleChoice
    from lms.quizzes.types.true_false import TrueFalse

    return [
        SingleChoice,
        MultipleChoice,
        TrueFalse,
        ShortAnswer,
        Numerical,
        Matching,
        Ordering,
        Essay,
        Description,
    ]


def default_registry() -> QuestionTypeRegistry:
    """A new registry holding every built-in type (entry points are not loaded)."""
    registry = QuestionTypeRegistry()
    for cls in builtin_types():
        registry.register(cls)
    return registry
