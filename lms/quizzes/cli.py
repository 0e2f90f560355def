"""Quiz-engine commands, added to the `flask lms` group by `register_quiz_cli(group)`."""

from __future__ import annotations

import click

from lms.content import QUIZ_KINDS


def register_quiz_cli(group: click.Group) -> None:
    """Add `import-questions` to `group` (the `flask lms` command group)."""
    group.add_command(import_questions_command)


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
