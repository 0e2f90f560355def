"""The guessable-question check (`lms.quizzes.quality`) for authors: the quiz editor's quality box
and the note on the publish form. Only words for people live here; the heuristics do not."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from lms.authoring import quizfiles
from lms.authoring.models import DraftFile
from lms.extensions import db
from lms.i18n import gettext as _
from lms.quizzes.quality import CHANCE_SHARE, QualityWarning, QuizQuality, check_questions


def describe(w: QualityWarning) -> str:
    """One warning in the reader's language."""
    p = w.params
    if w.code == "longest-share":
        return _("The right option is the longest one in %(right)d of %(total)d single-choice "
                 "questions (%(percent)d%%); by chance it would be at most %(chance)d%%. "
                 "Questions: %(ids)s.", right=p.get("right", 0), total=p.get("total", 0),
                 percent=p.get("percent", 0), chance=round(CHANCE_SHARE * 100),
                 ids=p.get("ids", ""))
    if w.code == "longest":
        return _("The right option is clearly the longest (%(ratio)s× the next one): make the "
                 "other options as long and as plausible.", ratio=p.get("ratio", ""))
    if w.code == "catch-all":
        return _("The option “%(option)s” is a catch-all answer; write a real near-miss "
                 "instead.", option=p.get("option", ""))
    if w.code == "duplicate":
        return _("Options %(first)s and %(second)s have the same text.",
                 first=p.get("first", ""), second=p.get("second", ""))
    if w.code == "negative-stem":
        return _("The question asks for the negative (“%(word)s”) without emphasis: write "
                 "**%(word)s** or %(upper)s.", word=p.get("word", ""),
                 upper=str(p.get("word", "")).upper())
    if w.code == "one-wrong":
        if p.get("wrong") == 0:
            return _("Every option is right: ticking all of them scores full marks.")
        return _("Only one of %(num)d options is wrong: ticking all of them still scores "
                 "well. Add plausible wrong options.", num=p.get("options", 0))
    return w.reason


@dataclass
class QualityBox:
    """What the quiz editor shows: the figure and the warnings, each with its question id."""

    result: QuizQuality
    items: list[tuple[str, str]] = field(default_factory=list)  # (question id, message)

    @property
    def has_choice(self) -> bool:
        return self.result.share is not None

    @property
    def right(self) -> int:
        return len(self.result.longest_right)

    @property
    def total(self) -> int:
        return self.result.single_choice

    @property
    def percent(self) -> int:
        return round(100 * (self.result.share or 0))

    @property
    def above_chance(self) -> bool:
        return self.result.above_chance

    @property
    def chance(self) -> int:
        return round(CHANCE_SHARE * 100)


def box(questions: list[dict], quiz: str) -> QualityBox:
    result = check_questions(questions, quiz=quiz)
    return QualityBox(result, [(w.question, describe(w)) for w in result.warnings])


def draft_notes(draft, locale: str = "id") -> list[tuple[str, int, str]]:
    """(quiz slug, number of warnings, quiz title in `locale`) of the draft's quizzes that have
    any: the publish note."""
    rows = db.session.execute(
        select(DraftFile.path, DraftFile.data)
        .where(DraftFile.draft_id == draft.id, DraftFile.path.like("quizzes/%.toml"))
        .order_by(DraftFile.path))
    notes = []
    for path, data in rows:
        slug = quizfiles.quiz_slug(path)
        if not slug:
            continue
        try:
            doc = quizfiles.parse(data)
            questions = quizfiles.questions_of(doc)
        except (quizfiles.QuizFileError, UnicodeDecodeError):
            continue  # the loader's problems list reports a broken quiz file
        warnings = check_questions(questions, quiz=slug).warnings
        if warnings:
            title = doc.get("title") if isinstance(doc.get("title"), dict) else {}
            notes.append((slug, len(warnings),
                          str(title.get(locale) or title.get("id") or slug)))
    return notes
