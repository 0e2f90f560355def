"""Registry: registration, duplicates, unknown types, validation safety, entry points."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from lms.quizzes import registry as registry_module
from lms.quizzes.base import Grade, QuestionDefinitionError, QuestionType
from lms.quizzes.registry import (
    DuplicateQuestionType,
    QuestionTypeRegistry,
    UnknownQuestionType,
    default_registry,
)

BUILTIN = [
    "single_choice",
    "multiple_choice",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
    "ordering",
    "essay",
    "description",
]


class Dummy(QuestionType):
    name = "dummy"
    label = "Dummy"


class OtherDummy(QuestionType):
    name = "dummy"
    label = "Other dummy"


class Exploding(QuestionType):
    name = "exploding"
    label = "Exploding"

    def validate(self, q):
        raise RuntimeError("boom")


def test_default_registry_has_every_builtin_type():
    reg = default_registry()
    assert reg.names() == BUILTIN
    for name in BUILTIN:
        qtype = reg.get(name)
        assert qtype.name == name
        assert qtype.label
    assert reg.get("essay").auto_graded is False
    assert reg.get("description").is_question is False
    assert len(reg) == len(BUILTIN)
    assert "essay" in reg and "nope" not in reg


def test_register_accepts_class_or_instance():
    reg = QuestionTypeRegistry()
    reg.register(Dummy)
    assert isinstance(reg.get("dummy"), Dummy)
    reg2 = QuestionTypeRegistry()
    inst = Dummy()
    assert reg2.register(inst) is inst


def test_duplicate_name_names_both_classes():
    reg = QuestionTypeRegistry()
    reg.register(Dummy)
    with pytest.raises(DuplicateQuestionType) as info:
        reg.register(OtherDummy)
    message = str(info.value)
    assert "Dummy" in message and "OtherDummy" in message and "'dummy'" in message


def test_register_rejects_non_types_and_nameless():
    reg = QuestionTypeRegistry()
    with pytest.raises(TypeError):
        reg.register(object())
    with pytest.raises(TypeError):
        reg.register(int)

    class Nameless(QuestionType):
        pass

    with pytest.raises(ValueError, match="no name"):
        reg.register(Nameless)


def test_unknown_type_error_is_helpful():
    reg = default_registry()
    with pytest.raises(UnknownQuestionType) as info:
        reg.get("cloze")
    assert info.value.name == "cloze"
    assert "single_choice" in info.value.known
    assert "Unknown question type 'cloze'; known types: single_choice" in str(info.value)
    with pytest.raises(LookupError):
        reg.get(["unhashable"])


def test_validate_question_unknown_type_and_non_dict():
    reg = default_registry()
    problems = reg.validate_question({"type": "x", "text": "?"})
    assert problems[0][0] == "type"
    assert problems[0][1].startswith("Unknown question type 'x'; known types: single_choice, ")
    assert reg.validate_question("not a dict")[0][1].startswith("The question must be")
    assert reg.validate_question({"text": "no type"})[0][0] == "type"


def test_validate_question_never_propagates_type_errors():
    reg = QuestionTypeRegistry()
    reg.register(Exploding)
    problems = reg.validate_question({"type": "exploding", "text": "?"})
    assert len(problems) == 1
    assert "RuntimeError: boom" in problems[0][1]


def test_validate_question_good():
    reg = default_registry()
    q = {"id": "q1", "type": "true_false", "text": "Benar?", "answer": True}
    assert reg.validate_question(q) == []


def test_check_raises_definition_error_with_problems():
    qtype = default_registry().get("true_false")
    with pytest.raises(QuestionDefinitionError) as info:
        qtype.check({"id": "q7", "type": "true_false", "text": "?"})
    assert info.value.problems == [("answer", "Set answer = true or answer = false.")]
    assert "q7" in str(info.value)


class FakeEntryPoint:
    def __init__(self, name, target=None, error=None):
        self.name = name
        self._target = target
        self._error = error

    def load(self):
        if self._error:
            raise self._error
        return self._target


def test_load_entry_points_registers_and_reports_failures(monkeypatch):
    eps = [
        FakeEntryPoint("dummy", Dummy),
        FakeEntryPoint("broken", error=ImportError("no module named plugin")),
        FakeEntryPoint("duplicate", OtherDummy),
        FakeEntryPoint("not_a_type", target=42),
    ]
    seen = {}

    def fake_entry_points(group):
        seen["group"] = group
        return eps

    monkeypatch.setattr(registry_module, "entry_points", fake_entry_points)
    reg = default_registry()
    failures = reg.load_entry_points()
    assert seen["group"] == "pelita.question_types"
    assert "dummy" in reg.names()
    names = [name for name, _ in failures]
    assert names == ["broken", "duplicate", "not_a_type"]
    assert "ImportError" in failures[0][1]
    assert "already registered" in failures[1][1]


def test_load_entry_points_with_real_metadata_empty_group():
    reg = default_registry()
    assert reg.load_entry_points(group="pelita.no_such_group_for_tests") == []
    assert isinstance(EntryPoint, type)


def test_grade_invariants():
    with pytest.raises(ValueError):
        Grade(1.5, [], "correct")
    with pytest.raises(ValueError):
        Grade(0.5, [], "maybe")
    assert Grade.from_fraction(2).fraction == 1.0
    assert Grade.from_fraction(-3).state == "incorrect"
    assert Grade.from_fraction(0.9999999).state == "correct"
    assert Grade.from_fraction(0.5, ["", "x"]).feedback == ["x"]
    assert Grade.from_fraction(float("nan")).fraction == 0.0
    assert Grade.unanswered() == Grade(0.0, [], "unanswered")
