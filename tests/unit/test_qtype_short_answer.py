"""short_answer: normalisation, wildcards, variants, Indonesian numbers, credit."""

from __future__ import annotations

import pytest

from lms.quizzes.types._indonesian import numbers_to_digits
from lms.quizzes.types.short_answer import ShortAnswer, normalise_text

SA = ShortAnswer()


def q(*answers, **extra):
    d = {"id": "sa", "type": "short_answer", "text": "Jawab?", "answers": list(answers)}
    d.update(extra)
    return d


def grade(question, text):
    return SA.grade(question, SA.normalise_response(question, [text]))


def test_valid():
    assert SA.validate(q({"text": "katalog"})) == []
    assert (
        SA.validate(
            q({"text": "katalog", "credit": 100, "feedback": "ok"}, {"text": "kat*", "credit": 50})
        )
        == []
    )


@pytest.mark.parametrize(
    ("question", "field"),
    [
        (q(), "answers"),
        (q({"text": ""}), "answers[0].text"),
        (q({"text": "?!"}), "answers[0].text"),
        (q({"text": "a", "credit": 150}), "answers[0].credit"),
        (q({"text": "a", "credit": 50}), "answers"),
        (q("a"), "answers[0]"),
        (q({"text": "a"}, case_sensitive="yes"), "case_sensitive"),
        (q({"text": "a"}, indonesian=1), "indonesian"),
        (q({"text": "a"}, variants=["x"]), "variants"),
        (q({"text": "a"}, variants={"a": "b"}), "variants"),
        (q({"text": "a", "feedback": 2}), "answers[0].feedback"),
    ],
)
def test_invalid(question, field):
    assert field in [f for f, _ in SA.validate(question)]


def test_normalise_text_rules():
    assert normalise_text("  Katalog   INDUK! ") == "katalog induk"
    assert normalise_text("e-book") == "ebook"
    assert normalise_text("Jum'at") == "jumat"
    assert normalise_text("kata,kata") == "kata kata"
    assert normalise_text('"(a); b: c?"') == "a b c"
    assert normalise_text("Katalog", case_sensitive=True) == "Katalog"


def test_case_whitespace_punctuation_insensitive():
    question = q({"text": "Katalog Induk Nasional"})
    for text in [
        "katalog induk nasional",
        "  KATALOG   induk\tnasional. ",
        "Katalog, induk nasional!",
    ]:
        assert grade(question, text).fraction == 1.0, text
    assert grade(question, "katalog").fraction == 0.0


def test_case_sensitive():
    question = q({"text": "DDC"}, case_sensitive=True)
    assert grade(question, "DDC").fraction == 1.0
    assert grade(question, "ddc").fraction == 0.0


def test_wildcards():
    question = q({"text": "kat*"})
    assert grade(question, "Katalog").fraction == 1.0
    assert grade(question, "kat").fraction == 1.0
    assert grade(question, "akat").fraction == 0.0
    spaced = q({"text": "buku * besar"})
    assert grade(spaced, "buku yang sangat besar").fraction == 1.0
    assert grade(spaced, "buku besar").fraction == 1.0
    assert grade(spaced, "bukubesar").fraction == 0.0
    assert grade(q({"text": "*"}), "apa saja").fraction == 1.0
    literal = q({"text": "a\\*b"})
    assert grade(literal, "a*b").fraction == 1.0
    assert grade(literal, "axb").fraction == 0.0
    assert SA.correct_response(literal) == "a*b"


def test_regex_characters_are_literal():
    question = q({"text": "a.b (c)+"})
    assert grade(question, "A.B (C)+").fraction == 1.0
    assert grade(question, "axb (c)+").fraction == 0.0
    assert grade(question, "a.b (c)").fraction == 0.0


def test_highest_credit_wins_and_feedback():
    question = q(
        {"text": "Jakarta", "feedback": "Benar."},
        {"text": "J*", "credit": 50, "feedback": "Hampir."},
        {"text": "Bandung", "credit": 0, "feedback": "Itu ibu kota Jawa Barat."},
    )
    g = grade(question, "jakarta")
    assert (g.fraction, g.feedback, g.state) == (1.0, ["Benar."], "correct")
    g = grade(question, "Jayapura")
    assert (g.fraction, g.feedback, g.state) == (0.5, ["Hampir."], "partial")
    g = grade(question, "Bandung")
    assert (g.fraction, g.feedback, g.state) == (0.0, ["Itu ibu kota Jawa Barat."], "incorrect")
    g = grade(question, "Surabaya")
    assert (g.fraction, g.feedback, g.state) == (0.0, [], "incorrect")


def test_variants_replace_words_before_matching():
    question = q(
        {"text": "perpustakaan desa"},
        variants={"perpustakaan": ["perpus", "pustaka"], "desa": ["kampung halaman"]},
    )
    assert grade(question, "Perpus desa").fraction == 1.0
    assert grade(question, "pustaka kampung halaman").fraction == 1.0
    assert grade(question, "perpusdesa").fraction == 0.0


@pytest.mark.parametrize(
    ("words", "digits"),
    [
        ("nol", "0"),
        ("satu", "1"),
        ("sembilan", "9"),
        ("sepuluh", "10"),
        ("sebelas", "11"),
        ("dua belas", "12"),
        ("sembilan belas", "19"),
        ("dua puluh", "20"),
        ("dua puluh lima", "25"),
        ("duapuluh lima", "25"),
        ("seratus", "100"),
        ("seratus sebelas", "111"),
        ("tiga ratus empat puluh dua", "342"),
        ("seribu", "1000"),
        ("seribu sembilan ratus empat puluh lima", "1945"),
        ("sepuluh ribu", "10000"),
        ("sembilan ribu sembilan ratus sembilan puluh sembilan", "9999"),
        ("dua juta", "2000000"),
        ("ada lima buku", "ada 5 buku"),
        ("dua tiga", "2 3"),
    ],
)
def test_indonesian_numbers(words, digits):
    assert numbers_to_digits(words) == digits


def test_indonesian_numbers_0_to_9999_spot_check():
    ones = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]

    def say(n):
        parts = []
        th, n = divmod(n, 1000)
        h, n = divmod(n, 100)
        if th:
            parts.append("seribu" if th == 1 else f"{ones[th]} ribu")
        if h:
            parts.append("seratus" if h == 1 else f"{ones[h]} ratus")
        if n == 10:
            parts.append("sepuluh")
        elif n == 11:
            parts.append("sebelas")
        elif 12 <= n <= 19:
            parts.append(f"{ones[n - 10]} belas")
        elif n >= 20:
            tens, unit = divmod(n, 10)
            parts.append(f"{ones[tens]} puluh" + (f" {ones[unit]}" if unit else ""))
        elif n:
            parts.append(ones[n])
        return " ".join(parts) or "nol"

    for n in range(10000):
        assert numbers_to_digits(say(n)) == str(n), say(n)


def test_indonesian_flag_in_grading():
    question = q({"text": "25 buku"}, indonesian=True)
    assert grade(question, "Dua puluh lima buku").fraction == 1.0
    assert grade(question, "25 buku").fraction == 1.0
    plain = q({"text": "25 buku"})
    assert grade(plain, "dua puluh lima buku").fraction == 0.0
    words = q({"text": "dua belas"}, indonesian=True)
    assert grade(words, "12").fraction == 1.0


def test_garbage_and_unanswered():
    question = q({"text": "katalog"})
    assert SA.normalise_response(question, []) is None
    assert SA.normalise_response(question, ["   "]) is None
    assert SA.normalise_response(question, None) is None
    assert SA.normalise_response(question, ["  a   b "]) == "a b"
    assert SA.normalise_response(question, ["x" * 5000]) == "x" * 2000
    assert SA.grade(question, None).state == "unanswered"
    assert SA.grade(question, 5).state == "unanswered"
    assert SA.grade(question, "!!!").state == "incorrect"


def test_correct_response_and_right_answer():
    question = q({"text": "kat*log", "credit": 100}, {"text": "x", "credit": 50})
    assert SA.correct_response(question) == "katlog"
    assert SA.grade(question, SA.correct_response(question)).fraction == 1.0
    assert SA.right_answer_text(question) == "kat*log"
