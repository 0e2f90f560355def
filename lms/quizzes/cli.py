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
@click.option("--format", "fmt", type=click.Choice(["gift", "aiken"]), default=None,
              help="File format (default: from the suffix; .gift/.txt GIFT, .aiken Aiken).")
@click.option("--note", default="", help="A change note stored with the new content version.")
def import_questions_command(file, course_slug, quiz_slug, kind, module, title, fmt, note):
    """Import questions from a GIFT or Aiken FILE into a course's quiz, as a new content version.

    A new quiz file is created with default settings; an existing quiz keeps its settings and
    gets these questions instead of its old ones. Nothing changes if the file has a problem.
    """
    from lms.quizzes.services.bank import QuestionImportError, import_questions

    try:
        done = import_questions(file, course_slug=course_slug, quiz_slug=quiz_slug, kind=kind,
                                module=module, title=title, note=note, fmt=fmt)
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


COMMANDS = [import_questions_command, close_overdue, export_gift]
