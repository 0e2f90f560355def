"""The job-handler registry and the retry schedule: pure Python, no app."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.jobs.registry import DuplicateJobHandler, JobRegistry, UnknownJobKind, registry
from lms.jobs.services import backoff


def test_a_decorated_function_is_registered_and_returned_unchanged():
    jobs = JobRegistry()

    @jobs.handler("mail.send")
    def send(payload):
        return payload

    assert jobs.get("mail.send") is send and send({"a": 1}) == {"a": 1}
    assert "mail.send" in jobs and jobs.names() == ["mail.send"]


def test_a_duplicate_name_raises_naming_both_functions():
    jobs = JobRegistry()

    @jobs.handler("report.build")
    def first(payload):
        pass

    with pytest.raises(DuplicateJobHandler) as err:
        @jobs.handler("report.build")
        def second(payload):
            pass

    message = str(err.value)
    assert "report.build" in message
    assert f"{__name__}.test_a_duplicate_name_raises_naming_both_functions.<locals>.first" in message
    assert f"{__name__}.test_a_duplicate_name_raises_naming_both_functions.<locals>.second" in message
    assert jobs.get("report.build") is first


def test_the_same_function_registered_again_is_not_a_conflict():
    jobs = JobRegistry()

    def handler(payload):
        pass

    jobs.handler("x")(handler)
    jobs.handler("x")(handler)  # e.g. its module imported twice
    assert jobs.get("x") is handler


def test_an_unknown_kind_raises_with_the_known_names():
    jobs = JobRegistry()
    jobs.handler("known.one")(lambda payload: None)
    with pytest.raises(UnknownJobKind, match=r"'nope'.*known\.one"):
        jobs.get("nope")


@pytest.mark.parametrize("name", ["", "   ", None, "x" * 101])
def test_a_job_name_must_be_a_short_non_empty_string(name):
    with pytest.raises(ValueError, match="job name"):
        JobRegistry().handler(name)


def test_remove_forgets_a_handler():
    jobs = JobRegistry()
    jobs.handler("tmp")(lambda payload: None)
    jobs.remove("tmp")
    jobs.remove("never-there")
    assert "tmp" not in jobs


def test_the_built_in_handlers_are_registered_by_importing_the_package():
    import lms.jobs  # noqa: F401

    for name in ("certificates.render", "certificates.render_stale", "quizzes.close_overdue"):
        assert name in registry


def test_backoff_doubles_from_a_minute_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(seconds=s) for s in (60, 120, 240, 480)]
    assert backoff(30) == timedelta(hours=6)
