"""The guessable-question check: each heuristic finds its giveaway and leaves fair items alone."""

from __future__ import annotations

from types import SimpleNamespace

from lms.quizzes.quality import CHANCE_SHARE, check_pack, check_questions, pack_warnings


def single(qid, right, *wrong, text="Mana yang tepat?"):
    options = [{"id": "a", "text": right, "correct": True}]
    options += [{"id": chr(ord("b") + i), "text": w, "correct": False} for i, w in enumerate(wrong)]
    return {"id": qid, "type": "single_choice", "text": text, "options": options}


def multiple(qid, right, wrong, text="Pilih semua yang tepat."):
    options = [{"id": f"r{i}", "text": t, "correct": True} for i, t in enumerate(right)]
    options += [{"id": f"w{i}", "text": t, "correct": False} for i, t in enumerate(wrong)]
    return {"id": qid, "type": "multiple_choice", "text": text, "options": options}


FAIR = single("fair", "Salin KDT", "Abaikan KDT", "Tebak kelas", "Tunggu dinas")


def codes(result, qid=None):
    return [w.code for w in result.warnings if qid is None or w.question == qid]


def test_a_fair_quiz_has_no_warnings_and_a_figure_of_zero():
    result = check_questions([FAIR, multiple("m", ["Satu", "Dua"], ["Tiga", "Empat"])], "kuis")
    assert result.warnings == []
    assert (result.single_choice, result.longest_right, result.share) == (1, [], 0)
    assert result.figure == "0 of 1 (0%)"


def test_the_figure_counts_single_choice_questions_whose_right_option_is_uniquely_longest():
    questions = [
        single("q1", "Jawaban yang benar dan panjang", "Pendek", "Pendek juga"),
        single("q2", "Sama", "Sama"[::-1], "Lain"),  # a tie is not "uniquely" longest
        FAIR,
        single("q4", "Benar", "Pengecoh yang lebih panjang", "Lain"),
    ]
    result = check_questions(questions)
    assert result.longest_right == ["q1"]
    assert result.share == 0.25 and not result.above_chance


def test_above_chance_is_a_quiz_warning_naming_the_questions():
    questions = [single("q1", "Benar dan cukup panjang", "Salah a", "Salah b"),
                 single("q2", "Benar dan agak panjang", "Salah c", "Salah d"), FAIR]
    result = check_questions(questions)
    assert result.share > CHANCE_SHARE and result.above_chance
    first = result.warnings[0]
    assert first.code == "longest-share" and first.question == ""
    assert "q1, q2" in first.reason and "2 of 3" in first.reason


def test_a_clearly_longer_right_option_is_a_warning_of_its_own():
    result = check_questions([single("q1", "x" * 30, "y" * 20, "z" * 10), FAIR, FAIR | {"id": "f2"},
                              FAIR | {"id": "f3"}])
    assert "longest" in codes(result, "q1")
    result = check_questions([single("q1", "x" * 25, "y" * 20, "z" * 10)])
    assert "longest" not in codes(result, "q1")  # longest, but only 1.25× the next


def test_markup_does_not_count_as_length():
    result = check_questions([single("q1", "**Benar**", "Salah1", "Salah2")])
    assert result.longest_right == []


def test_catch_all_options_are_reported():
    for text in ("Semua benar", "Semua jawaban di atas benar", "semua jawaban di atas",
                 "Tidak ada yang benar", "A dan B benar", "All of the above.", "None of the above"):
        wrong = ["Pengecoh yang jauh lebih panjang daripada semua pilihan lain", "Dua", "Tiga"]
        result = check_questions([single("q1", text, *wrong)])
        assert codes(result, "q1") == ["catch-all"], text
    result = check_questions([multiple("m", ["Semua warga", "Ibu"], ["Semua salah", "Anak"])])
    assert codes(result, "m") == ["catch-all"]


def test_duplicate_options_are_reported():
    result = check_questions([single("q1", "Salin KDT", "salin  KDT.", "Abaikan", "Tunggu")])
    assert codes(result, "q1") == ["duplicate"]
    assert result.warnings[0].params == {"first": "a", "second": "b"}


def test_negative_stems_need_emphasis():
    plain = ["Mana yang tidak termasuk data pribadi spesifik?",
             "Semua tugas berikut termasuk peran fasda, kecuali",
             "Mana yang bukan strategi TPBIS?",
             "Which of these is not a TPBIS strategy?"]
    for text in plain:
        result = check_questions([single("q1", "Satu", "Dua", "Tiga", text=text)])
        assert codes(result, "q1") == ["negative-stem"], text
    emphasised = ["Mana yang **tidak** termasuk data pribadi spesifik?",
                  "Semua tugas berikut termasuk peran fasda, KECUALI",
                  "Mana yang *bukan* strategi TPBIS?",
                  "Mana yang <strong>tidak</strong> perlu?",
                  # a negative in the scenario, not in the question, is not a negative stem
                  "Warga yang tidak punya ponsel datang ke perpustakaan. Apa langkah pertama?"]
    for text in emphasised:
        result = check_questions([single("q1", "Satu", "Dua", "Tiga", text=text)])
        assert codes(result, "q1") == [], text


def test_multiple_answer_questions_need_at_least_two_wrong_options():
    one = check_questions([multiple("m", ["A benar", "B benar", "C benar"], ["D salah"])])
    assert codes(one, "m") == ["one-wrong"] and one.warnings[0].params["wrong"] == 1
    none = check_questions([multiple("m", ["A benar", "B benar"], [])])
    assert codes(none, "m") == ["one-wrong"] and none.warnings[0].params["wrong"] == 0
    weighted = {"id": "w", "type": "multiple_choice", "text": "Pilih.", "options": [
        {"id": "a", "text": "A", "weight": 50}, {"id": "b", "text": "B", "weight": 50},
        {"id": "c", "text": "C", "weight": -50}, {"id": "d", "text": "D", "weight": 0}]}
    assert check_questions([weighted]).warnings == []


def test_other_question_types_are_left_alone():
    questions = [{"id": "tf", "type": "true_false", "text": "Mana yang tidak?", "answer": True},
                 {"id": "sa", "type": "short_answer", "text": "Tulis.", "answers": [{"text": "x"}]}]
    result = check_questions(questions)
    assert result.warnings == [] and result.share is None and result.figure == ""


def test_pack_warnings_name_the_file_and_the_question():
    quiz = SimpleNamespace(slug="kuis-1", filename="quizzes/kuis-1.toml",
                           questions=[single("q1", "Semua benar", "Satu", "Dua")])
    pack = SimpleNamespace(slug="kursus", quizzes=[quiz])
    assert [r.quiz for r in check_pack(pack)] == ["kuis-1"]
    lines = pack_warnings(pack)
    assert any(line.startswith("warning: kursus/quizzes/kuis-1.toml: q1: ") for line in lines)
