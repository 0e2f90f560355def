"""One broken pack per error class: each problem names its file and line."""

import os
import shutil
from pathlib import Path

import pytest

from lms.content import CoursePackError, load_pack, validate_pack

BROKEN = Path(__file__).resolve().parents[1] / "data" / "courses" / "broken"
GOOD = Path(__file__).resolve().parents[1] / "data" / "courses" / "good-minimal"

# pack -> [(file, line, fragment of the message)]
CASES = {
    "course-toml-syntax": [("course.toml", 4, "invalid TOML")],
    "front-matter-syntax": [("modules/01-satu.md", 3, "front matter is not valid TOML")],
    "quiz-syntax": [("quizzes/kuis.toml", 5, "invalid TOML")],
    "missing-front-matter": [("modules/01-satu.md", 1, "does not start with TOML front matter")],
    "unterminated-front-matter": [("modules/01-satu.md", 1, "never closed")],
    "unknown-key": [
        ("course.toml", 5, "unknown key `colour`"),
        ("course.toml", 10, "unknown key `fr` in [title]"),
        ("modules/01-satu.md", 3, "unknown key `author`"),
        ("quizzes/kuis.toml", 3, "unknown key `passmark`"),
    ],
    "missing-required-key": [
        ("course.toml", None, "required key `area` is missing"),
        ("course.toml", 6, "required key `en` is missing in [title]"),
        ("modules/01-satu.md", 1, "required key `title` is missing"),
        ("quizzes/kuis.toml", 13, "question 2 has no `text`"),
    ],
    "bad-values": [
        ("course.toml", 1, "`slug` must be a slug"),
        ("course.toml", 3, "`area` must be one of"),
        ("course.toml", 4, "`hours` must be a whole number of at least 1, not -2"),
        ("course.toml", 5, "`enrolment` must be one of"),
        ("course.toml", 6, "`sequential` must be `true` or `false`"),
        ("course.toml", 14, "`final_min_score` must be a number from 0 to 100"),
        ("course.toml", 17, "`valid_months` must be a whole number"),
        ("modules/01-satu.md", 3, "`minutes` must be a whole number"),
        ("quizzes/kuis.toml", 2, "`kind` must be one of"),
        ("quizzes/kuis.toml", 3, "`pass_mark` must be a number from 0 to 100"),
        ("quizzes/kuis.toml", 4, "`attempts` must be a whole number"),
        ("quizzes/kuis.toml", 5, "`grading` must be one of"),
    ],
    "duplicate-module-slug": [("course.toml", 5, "listed twice")],
    "unlisted-module": [
        ("modules/02-lain.md", None, 'add "lain" to `modules` in course.toml or delete the file')
    ],
    "missing-module-file": [("course.toml", 5, "modules/NN-dua.md does not exist")],
    "quiz-unknown-module": [("quizzes/kuis.toml", 1, "module `tidak-ada`, which does not exist")],
    "self-prerequisite": [("course.toml", 6, "lists itself in `prerequisites`")],
    "missing-media": [
        (
            "modules/01-satu.md",
            6,
            "image `../media/tidak-ada.png` refers to media/tidak-ada.png, which does not exist",
        ),
        ("modules/01-satu.md", 8, "link `media/berkas.pdf`"),
    ],
    "bad-module-link": [("modules/01-satu.md", 5, "module `hilang`, which does not exist")],
    "path-escape": [
        ("modules/01-satu.md", 4, "points outside the pack"),
        ("modules/01-satu.md", 6, "is an absolute path"),
    ],
    "not-utf8": [("modules/01-satu.md", 5, "not valid UTF-8")],
    "stray-files": [
        ("catatan.txt", None, "unexpected file at the pack root"),
        ("lain/berkas.md", None, "unexpected file outside"),
        ("modules/catatan.txt", None, "NN-slug.md"),
        ("quizzes/Kuis Besar.toml", None, "quiz files must be named"),
    ],
    "no-modules": [("course.toml", 5, "at least one module")],
    "bad-questions": [
        ("quizzes/kuis.toml", 14, "question id `q1` is already used"),
        ("quizzes/kuis.toml", 19, "question 3 has no `type`"),
    ],
}


def _render(file, line):
    return f"{file}:{line}: " if line is not None else f"{file}: "


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_error_class_is_reported_with_file_and_line(name):
    problems = validate_pack(BROKEN / name)
    rendered = [str(p) for p in problems]
    for file, line, fragment in CASES[name]:
        prefix = _render(file, line)
        assert any(r.startswith(prefix) and fragment in r for r in rendered), (
            prefix,
            fragment,
            rendered,
        )
    assert len(problems) == len(CASES[name]), rendered
    for problem in problems:
        assert " — " in problem.message, "every message says how to fix it"
    with pytest.raises(CoursePackError) as info:
        load_pack(BROKEN / name)
    assert info.value.problems == problems


def test_every_broken_pack_has_a_case():
    on_disk = {p.name for p in BROKEN.iterdir() if p.is_dir()}
    assert on_disk - {"several-errors", "oversize"} == set(CASES)


def test_several_errors_are_all_reported_in_one_run():
    rendered = [str(p) for p in validate_pack(BROKEN / "several-errors")]
    expected = [
        "course.toml:3: `area` must be one of",
        "course.toml:5: module `dua` is listed in `modules` but",
        "catatan.txt: unexpected file",
        "modules/01-satu.md:4: image `../media/hilang.png`",
        "modules/03-tiga.md: module file is not listed",
        "quizzes/kuis.toml:1: quiz is attached to module `empat`",
    ]
    assert len(rendered) == len(expected)
    for start in expected:
        assert any(r.startswith(start) for r in rendered), (start, rendered)


def test_oversize_files_are_reported_with_configurable_limits():
    assert validate_pack(BROKEN / "oversize") == []
    problems = validate_pack(BROKEN / "oversize", max_media_bytes=1000)
    assert [str(p) for p in problems] == [
        "media/besar.bin: file is 3000 bytes, over the 1000-byte limit — make it smaller or split it"
    ]
    problems = validate_pack(BROKEN / "oversize", max_text_bytes=40)
    assert {p.file for p in problems} >= {"course.toml", "modules/01-satu.md"}
    assert all(
        "over the 40-byte limit" in p.message
        for p in problems
        if p.file != BROKEN.joinpath("oversize").as_posix()
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_pointing_outside_the_pack_is_rejected(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"secret")
    pack = tmp_path / "pack"
    shutil.copytree(GOOD, pack)
    (pack / "media").mkdir()
    (pack / "media" / "foto.png").symlink_to(secret)
    (pack / "media" / "luar").symlink_to(tmp_path, target_is_directory=True)
    module = pack / "modules" / "01-satu.md"
    module.write_text(module.read_text() + "\n![x](../media/foto.png)\n")
    rendered = [str(p) for p in validate_pack(pack)]
    assert any(
        r.startswith("media/foto.png: symbolic link points outside the pack") for r in rendered
    ), rendered
    assert any(
        r.startswith("media/luar: symbolic link points outside the pack") for r in rendered
    ), rendered
    with pytest.raises(CoursePackError):
        load_pack(pack)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_inside_the_pack_is_read(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(GOOD, pack)
    (pack / "media").mkdir()
    (pack / "media" / "asli.png").write_bytes(b"png")
    (pack / "media" / "salinan.png").symlink_to(pack / "media" / "asli.png")
    loaded = load_pack(pack)
    assert loaded.files["media/salinan.png"] == b"png"


def test_problems_for_wrong_table_shapes(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(GOOD, pack)
    course = pack / "course.toml"
    text = course.read_text().replace('[title]\nid = "Kursus Uji"\nen = "Test Course"\n', "")
    course.write_text('title = "Judul"\n' + text + "\n[completion]\nmodules = 5\n")
    (pack / "quizzes").mkdir()
    (pack / "quizzes" / "akhir.toml").write_text(
        'kind = "final"\nmodule = "satu"\ndraw = 3\n\n[title]\nid = "A"\n\n[[questions]]\nid = "q"\ntype = "essay"\ntext = "x"\npoints = -1\n'
    )
    (pack / "quizzes" / "akhir-dua.toml").write_text('kind = "final"\nquestions = [1, 2]\n')
    (pack / "quizzes" / "modul.toml").write_text(
        'kind = "module"\n[title]\nid = "M"\n[[questions]]\nid = "q"\ntype = "essay"\ntext = "x"\n'
    )
    rendered = [str(p) for p in validate_pack(pack)]
    expected = [
        "course.toml:1: `title` must be a table",
        "course.toml:10: `modules = 5` in [completion] is more than the number of modules in the course (1)",
        "quizzes/akhir.toml:2: a final quiz belongs to the whole course",
        "quizzes/akhir.toml:3: `draw = 3` is more than the number of questions in the pool (1)",
        "quizzes/akhir.toml:12: `points` of question 1 must be a number",
        "quizzes/akhir.toml: a course can have only one final quiz",
        "quizzes/akhir-dua.toml: required table `[title]` is missing",
        "quizzes/akhir-dua.toml:2: `questions` must be written as `[[questions]]` sections",
        'quizzes/modul.toml:1: a quiz of kind "module" must name its module',
    ]
    for start in expected:
        assert any(r.startswith(start) for r in rendered), (start, rendered)
    assert len(rendered) == len(expected), rendered


def test_media_in_question_text_and_unknown_tables_are_checked(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(GOOD, pack)
    course = pack / "course.toml"
    course.write_text(course.read_text() + "\n[extra]\nx = 1\n")
    (pack / "quizzes").mkdir()
    (pack / "quizzes" / "kuis.toml").write_text(
        'module = "satu"\nkind = "module"\n[title]\nid = "K"\n[[questions]]\nid = "q"\n'
        'type = "essay"\ntext = """\nLihat gambar:\n![x](../media/hilang.png)\n"""\n'
        'feedback = "[m](../modules/01-satu.md) ![ok](media/hilang2.png)"\n'
    )
    rendered = [str(p) for p in validate_pack(pack)]
    assert any(r.startswith("course.toml:11: unknown key `extra`") for r in rendered), rendered
    assert any(
        r.startswith("quizzes/kuis.toml:10: image `../media/hilang.png`") for r in rendered
    ), rendered
    assert any(r.startswith("quizzes/kuis.toml:12: image `media/hilang2.png`") for r in rendered), (
        rendered
    )
    assert len(rendered) == 3, rendered


def test_a_broken_modules_list_does_not_cascade(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(GOOD, pack)
    course = pack / "course.toml"
    course.write_text(course.read_text().replace('modules = ["satu"]', 'modules = ["Satu"]'))
    rendered = [str(p) for p in validate_pack(pack)]
    assert len(rendered) == 1 and rendered[0].startswith(
        "course.toml:5: `modules` must be a list of module slugs"
    ), rendered


def test_hand_written_html_keys_in_questions_are_refused(tmp_path):
    import shutil

    from lms.content import validate_pack

    pack = tmp_path / "pack"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "courses" / "good-minimal", pack)
    quiz = next((pack / "quizzes").glob("*.toml"), None)
    if quiz is None:
        (pack / "quizzes").mkdir(exist_ok=True)
        quiz = pack / "quizzes" / "kuis.toml"
        quiz.write_text('kind = "final"\n[title]\nid = "Kuis"\n', encoding="utf-8")
    quiz.write_text(quiz.read_text(encoding="utf-8") + '''
[[questions]]
id = "jahat"
type = "single_choice"
text = "Pilih"
options = [
  { id = "a", text = "A", text_html = "<img src=x onerror=alert(1)>", correct = true },
  { id = "b", text = "B", correct = false },
]
''', encoding="utf-8")
    problems = [str(p) for p in validate_pack(pack)]
    assert any("options[0].text_html" in p and "_html" in p for p in problems), problems
