"""The custom import-linter contract finds cycles between areas (and only those)."""

from tools.import_contracts import _strongly_connected


def test_a_cycle_between_two_areas_is_found():
    edges = {("quizzes", "learning"): [], ("learning", "quizzes"): [], ("learning", "courses"): []}
    assert _strongly_connected(edges) == [{"quizzes", "learning"}]


def test_a_longer_cycle_is_one_component_and_a_chain_is_none():
    chain = {("cohorts", "quizzes"): [], ("quizzes", "learning"): [], ("learning", "courses"): []}
    assert _strongly_connected(chain) == []
    looped = {**chain, ("courses", "cohorts"): []}
    assert _strongly_connected(looped) == [{"cohorts", "quizzes", "learning", "courses"}]
