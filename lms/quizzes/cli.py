"""`flask lms import-questions | close-overdue | export-gift`: the quiz engine's commands.
Registered by lms/cli.py from `COMMANDS`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.content import QUIZ_KINDS


@click.command("import-questions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--course", "course_slug", required=True, help="Slug of the course to change.")
@click.option("--quiz", "quiz_slug", required=True,
              help="Quiz slug: the questions go to quizzes/<SLUG>.toml.")
@click.option("--kind", type=click.Choice(QUIZ_KINDS), default="module", show_default=True,
              help="Kind of a new quiz (an existing quiz keeps its own).")
@click.option("--module", "module", default=None,
              help="Module slug of a new module quiz (changes an existing quiz's module).")
@click.option("--title", default=None,
              help="Indonesian title of a new quiz (changes an existing quiz's title).")
@click.option("--format", "fmt", type=click.Choice(["gift", "aiken", "xml"]), default=None,
              help="File format (default: from the name, .gift GIFT, .aiken or .aiken.txt "
                   "Aiken, .xml Moodle XML; a .txt file by its content).")
@click.option("--note", default="", help="A change note stored with the new content version.")
def import_questions_command(file, course_slug, quiz_slug, kind, module, title, fmt, note):
    """Import questions from a GIFT, Aiken or Moodle XML FILE into a course's quiz, as a new
    content version (a Moodle XML file's images go to the pack's media/).

    A new quiz file is created with default settings; an existing quiz keeps its settings and
    gets these questions instead of its old ones. Nothing changes if the file has a problem.
    """
    from lms.quizzes.services.bank import QuestionImportError, import_questions

    try:
        done = import_questions(file, course_slug=course_slug, quiz_slug=quiz_slug, kind=kind,
                                module=module, title=title, note=note,
                                fmt="moodle_xml" if fmt == "xml" else fmt)
    except QuestionImportError as err:
        for line in err.lines():
            click.echo(line, err=True)
        raise click.ClickException(str(err.message)) from None
    action = "created" if done.created else "replaced the questions of"
    click.echo(f"{action} {done.quiz_file}: {done.questions} question(s)")
    for category, count in sorted(done.categories.items()):
        click.echo(f"  category {category}: {count}")
    click.echo(f"{done.status}: {done.course_slug} (version {done.version_id})")


@click.command("close-overdue")
@with_appcontext
def close_overdue():
    """Grade quiz attempts whose time limit has run out (run from cron or a worker)."""
    from lms.quizzes.services import attempts as quiz_attempts

    closed = quiz_attempts.close_overdue()
    click.echo(f"closed {closed} overdue attempt(s)")


@click.command("export-gift")
@click.argument("quiz_id", type=int)
@with_appcontext
def export_gift(quiz_id):
    """Print the questions of a quiz's current version in Moodle's GIFT format."""
    from lms.courses.models import Quiz
    from lms.extensions import db
    from lms.quizzes import queries as quiz_queries
    from lms.quizzes.formats.gift import export_gift_report

    quiz = db.session.get(Quiz, quiz_id)
    version = quiz_queries.current_version(quiz) if quiz is not None else None
    if version is None:
        raise click.ClickException(f"no quiz {quiz_id} in a current course version")
    unscored = {t.name for t in quiz_queries.registry() if not t.scored}
    text, report = export_gift_report(version.questions, unscored)
    for question_id, message in report:
        click.echo(f"warning: {question_id}: {message}", err=True)
    click.echo(text, nl=False)



@click.command("export-moodle-xml")
@click.option("--course", "course_slug", required=True, help="Slug of the course.")
@click.option("--quiz", "quiz_slug", default=None,
              help="Slug of one quiz (default: every quiz, each in a category named after it).")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True),
              default="-", show_default=True, help="The XML file to write ('-': standard output).")
@with_appcontext
def export_moodle_xml_command(course_slug, quiz_slug, output):
    """Export a course's questions (its current version) as Moodle XML, images embedded.

    What Moodle XML cannot keep (e.g. short-answer spelling variants, question types Moodle does
    not have) is listed on standard error; the file is written all the same.
    """
    import tomllib

    from flask import current_app
    from sqlalchemy import select

    from lms.courses.models import Course
    from lms.courses.services import importer
    from lms.extensions import db
    from lms.quizzes.formats.moodle_xml import export_moodle_xml

    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None or course.current_version_id is None:
        raise click.ClickException(f"There is no course {course_slug}.")
    files = importer.version_files(course.current_version_id)
    quizzes = sorted(p for p in files if p.startswith("quizzes/") and p.endswith(".toml"))
    if quiz_slug is not None:
        quizzes = [p for p in quizzes if p == f"quizzes/{quiz_slug}.toml"]
        if not quizzes:
            raise click.ClickException(f"The course {course_slug} has no quiz {quiz_slug}.")
    questions = []
    for path in quizzes:
        slug = path[len("quizzes/"):-len(".toml")]
        for q in tomllib.loads(files[path].decode("utf-8")).get("questions", []):
            if quiz_slug is None:
                q = {**q, "category": "/".join(c for c in (slug, q.get("category")) if c)}
            questions.append(q)
    registry = current_app.extensions["pelita_question_types"]
    unscored = [t.name for t in registry if not t.scored]
    text, problems = export_moodle_xml(questions, files, unscored=unscored)
    with click.open_file(output, "w", encoding="utf-8") as out:
        out.write(text)
    for qid, message in problems:
        click.echo(f"{qid}: {message}", err=True)
    written = text.count('<question type="') - text.count('<question type="category"')
    click.echo(f"wrote {output}: {written} question(s)", err=True)


COMMANDS = [import_questions_command, export_moodle_xml_command, close_overdue, export_gift]
