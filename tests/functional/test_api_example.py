"""The example script of docs/api.md (docs/examples/cohort_progress.py) works: it lists a
trainer's cohorts and exports a cohort's progress as CSV, through the API."""

from __future__ import annotations

import csv
import importlib.util
import io
import urllib.error
from email.message import Message
from pathlib import Path

from tests.helpers.api import token_for
from tests.helpers.people import join_cohort
from tests.helpers.quizzes import basic_quiz, import_pack, write_pack

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "cohort_progress.py"


def _script():
    spec = importlib.util.spec_from_file_location("cohort_progress", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _opener(app):
    """urllib's urlopen, answered by the app instead of the network."""
    client = app.test_client(use_cookies=False)

    def urlopen(request):
        response = client.get(request.full_url.removeprefix("http://localhost"),
                              headers=dict(request.header_items()))
        if response.status_code >= 400:
            headers = Message()
            headers["Content-Type"] = response.content_type
            raise urllib.error.HTTPError(request.full_url, response.status_code, "error",
                                         headers, io.BytesIO(response.data))
        return io.BytesIO(response.data)

    return urlopen


def test_the_example_lists_cohorts_and_exports_progress(app, make_user, tmp_path, monkeypatch,
                                                         capsys):
    trainer = make_user("trainer")
    course = import_pack(write_pack(tmp_path, quizzes={"kuis": basic_quiz()}))
    learners = [make_user(full_name=f"Peserta {n}") for n in range(3)]
    cohort = join_cohort(trainer, learners, course, name="Angkatan Contoh")
    monkeypatch.setenv("PELITA_TOKEN", token_for(trainer, "read"))
    script = _script()

    listing = io.StringIO()
    assert script.main(["http://localhost"], opener=_opener(app), out=listing) == 0
    assert listing.getvalue() == f"{cohort.id}\tAngkatan Contoh\t3 members\n"

    target = tmp_path / "angkatan.csv"
    assert script.main(["http://localhost", str(cohort.id), "-o", str(target)],
                       opener=_opener(app)) == 0
    with target.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["name", "email", "library", "province", "regency", "quiz-uji %",
                       "quiz-uji completed"]
    assert sorted(r[0] for r in rows[1:]) == ["Peserta 0", "Peserta 1", "Peserta 2"]
    assert all(r[5:] == ["0", "no"] for r in rows[1:])


def test_the_example_says_why_it_is_refused(app, make_user, monkeypatch, capsys):
    monkeypatch.setenv("PELITA_TOKEN", token_for(make_user(), "read"))
    assert _script().main(["http://localhost", "1"], opener=_opener(app)) == 1
    assert "error: 404" in capsys.readouterr().err


def test_the_example_refuses_an_address_that_is_not_http(monkeypatch, capsys):
    import pytest

    monkeypatch.setenv("PELITA_TOKEN", "pelita_x")
    with pytest.raises(SystemExit):
        _script().main(["file:///etc/passwd"])
    assert "https://" in capsys.readouterr().err
