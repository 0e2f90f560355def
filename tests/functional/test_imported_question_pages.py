"""Questions imported from Moodle XML on the learner's pages: images in options, matching and
ordering items and feedback load from the course version (as the question text's do), and
matching right-hand texts with `&`, `<` and quotes show once, submit and grade right."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from html import unescape

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.quizzes import rules as quiz_rules
from lms.quizzes.models import QuizAttempt
from lms.quizzes.services import attempts as quiz_attempts
from lms.quizzes.services.bank import import_questions
from tests.helpers.quizzes import basic_quiz, enrol, import_pack, quiz_by_slug, write_pack

pytestmark = pytest.mark.usefixtures("english_messages")


def png(red: int) -> bytes:
    """A 1x1 PNG of its own colour (so each image is its own file)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = zlib.compress(bytes([0, red, 0, 0]))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


IMAGES = {name: png(k * 40) for k, name in enumerate(
    ["opsi.png", "umpan.png", "kiri.png", "urut.png", "umum.png"], start=1)}


def file_of(name: str) -> str:
    return (f'<file name="{name}" path="/" encoding="base64">'
            f"{base64.b64encode(IMAGES[name]).decode()}</file>")


def img(name: str, alt: str) -> str:
    return f'<![CDATA[<p><img src="@@PLUGINFILE@@/{name}" alt="{alt}"></p>]]>'


XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>Bendera</text></name>
    <questiontext format="html"><text>Yang mana bendera Indonesia?</text></questiontext>
    <generalfeedback format="html"><text>{img("umum.png", "peta umum")}</text>
      {file_of("umum.png")}</generalfeedback>
    <single>true</single><shuffleanswers>false</shuffleanswers>
    <answer fraction="100" format="html"><text>{img("opsi.png", "merah putih")}</text>
      {file_of("opsi.png")}
      <feedback format="html"><text>{img("umpan.png", "centang")}</text>
        {file_of("umpan.png")}</feedback>
    </answer>
    <answer fraction="0" format="html"><text>Biru putih</text>
      <feedback format="html"><text></text></feedback></answer>
  </question>
  <question type="matching">
    <name><text>Tanda</text></name>
    <questiontext format="html"><text>Pasangkan.</text></questiontext>
    <shuffleanswers>false</shuffleanswers>
    <subquestion format="html"><text>{img("kiri.png", "cangkir")}</text>{file_of("kiri.png")}
      <answer><text>Teh &amp;amp; kopi</text></answer></subquestion>
    <subquestion format="html"><text>Kode</text>
      <answer><text>&amp;lt;b&amp;gt; &amp; "kutip"</text></answer></subquestion>
    <subquestion format="html"><text>Ejaan</text>
      <answer><text>'tunggal' &amp; A&amp;B</text></answer></subquestion>
  </question>
  <question type="ordering">
    <name><text>Urut</text></name>
    <questiontext format="html"><text>Urutkan.</text></questiontext>
    <gradingtype>ALL_OR_NOTHING</gradingtype>
    <answer fraction="1" format="html"><text>{img("urut.png", "langkah satu")}</text>
      {file_of("urut.png")}</answer>
    <answer fraction="2" format="plain_text"><text>Dua</text></answer>
    <answer fraction="3" format="plain_text"><text>Tiga</text></answer>
  </question>
</quiz>
"""

def test_images_and_matching_texts_of_an_imported_bank(app, client, auth, make_user, tmp_path):
    learner = make_user()
    course = import_pack(write_pack(tmp_path, quizzes={"kuis": basic_quiz()}))
    source = tmp_path / "gambar.xml"
    source.write_text(XML)
    import_questions(source, course_slug="quiz-uji", quiz_slug="gambar", module="satu")
    db.session.expire_all()
    enrol(learner, course)
    quiz = quiz_by_slug(course, "gambar")
    attempt = quiz_attempts.start_or_resume(learner, quiz)
    base = f"/courses/quiz-uji/v{attempt.quiz_version.version_id}/media/"
    fields = {qid: quiz_rules.field_name(i) for i, qid in enumerate(attempt.question_ids)}
    auth.login(learner.email)

    html = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    # The option, the matching left-hand item and the ordering item show their images.
    assert f'<img src="{base}opsi.png" alt="merah putih">' in html
    assert f'<img src="{base}kiri.png" alt="cangkir">' in html
    assert f'<img src="{base}urut.png" alt="langkah satu">' in html
    # An <option> cannot hold an image: the ordering select names it by its alt text.
    assert ">langkah satu</option>" in html
    for name in ("opsi.png", "kiri.png", "urut.png"):
        got = client.get(base + name)
        assert got.status_code == 200 and got.data == IMAGES[name]
    assert 'src="../media/' not in html  # (option values carry the item's own text)

    # Matching right-hand texts: shown once as text (never &amp;amp; nor a tag).
    mfield = fields["tanda"]
    first = re.findall(rf'<select name="{mfield}-0".*?</select>', html, re.S)[0]
    options = re.findall(r'<option value="0:([^"]*)"[^>]*>([^<]*)</option>', first)
    assert [unescape(label) for _, label in options] == [
        "Teh & kopi", '<b> & "kutip"', "'tunggal' & A&B"]
    assert "&amp;amp;" not in html and "<b> &" not in html

    # Answer everything right through the form, as the page's own option values say.
    values = [unescape(value) for value, _ in options]
    form = {fields["bendera"]: "a"}
    form |= {f"{mfield}-{i}": f"{i}:{values[i]}" for i in range(3)}
    ofield = fields["urut"]
    items = re.findall(rf'<select name="{ofield}-0".*?</select>', html, re.S)[0]
    order = {unescape(label): unescape(value) for value, label in
             re.findall(r'<option value="0:([^"]*)"[^>]*>([^<]*)</option>', items)}
    for p, label in enumerate(["langkah satu", "Dua", "Tiga"]):
        form[f"{ofield}-{p}"] = f"{p}:{order[label]}"
    assert client.post(f"/attempts/{attempt.id}/save", data=form).status_code in (200, 302)
    client.post(f"/attempts/{attempt.id}/submit")
    db.session.expire_all()
    done = db.session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt.id))
    assert done.score == 100.0

    review = client.get(f"/attempts/{attempt.id}/review").get_data(as_text=True)
    # The option's feedback and the general feedback show their images too.
    assert f'<img src="{base}umpan.png" alt="centang">' in review
    assert f'<img src="{base}umum.png" alt="peta umum">' in review
    assert f'<img src="{base}opsi.png" alt="merah putih">' in review
    assert client.get(base + "umpan.png").data == IMAGES["umpan.png"]
    assert client.get(base + "umum.png").data == IMAGES["umum.png"]
    assert 'src="../media/' not in review
