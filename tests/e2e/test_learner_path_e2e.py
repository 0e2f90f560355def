"""The whole path of a facilitator candidate, in a real browser: enrol, read, pass the quiz,
receive the certificate, and have a stranger verify it from its code; and the completion moment
after passing a final exam."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.auth.services import register_participant
from lms.extensions import db
from tests.helpers.browser import log_in
from tests.helpers.packs import import_folder, make_pack

QUIZ = '''module = "modul-1"
kind = "module"
pass_mark = 70
attempts = 2

[title]
id = "Kuis Modul 1"

[[questions]]
id = "q1"
type = "single_choice"
text = "Warga ingin meneruskan pesan berantai tentang bantuan tunai. Apa langkah pertama?"
options = [
  { id = "a", text = "Langsung meneruskan ke grup desa", correct = false, feedback = "Belum diperiksa." },
  { id = "b", text = "Memeriksa sumber resminya dahulu", correct = true, feedback = "Tepat." },
]

[[questions]]
id = "q2"
type = "true_false"
text = "Kata sandi boleh dibagikan kepada rekan kerja."
answer = false
feedback_true = "Kata sandi bersifat pribadi."
feedback_false = "Benar: kata sandi bersifat pribadi."
'''


@pytest.fixture
def learner(live_server, tmp_path):
    pack = make_pack(tmp_path, "jalur-lengkap", modules=1)
    (pack / "quizzes").mkdir()
    (pack / "quizzes" / "kuis-modul-1.toml").write_text(QUIZ, encoding="utf-8")
    with live_server.app.app_context():
        import_folder(pack)
        register_participant(full_name="Maria Goreti Lewar", email="maria@contoh.id",
                             password="pustaka-flores-2026", library_name="Perpustakaan Desa Watublapi",
                             library_level="desa", province_code="53", regency_code="53.10")
        db.session.remove()


def test_enrol_pass_quiz_get_certificate_and_verify_it(page, browser, live_server, learner):
    log_in(page, "maria@contoh.id", "pustaka-flores-2026")

    page.goto("/courses/jalur-lengkap")
    page.get_by_role("button", name="Ikuti kursus ini").click()
    page.get_by_role("link", name="Mulai:").click()
    page.get_by_role("button", name="Tandai selesai").click()

    page.get_by_role("link", name="Kuis Modul 1").click()
    page.get_by_role("button", name="Mulai kuis").click()
    page.get_by_label("Memeriksa sumber resminya dahulu").check()
    page.get_by_label("Salah").check()
    page.reload()  # a refresh loses nothing already saved in the background or by the form
    page.get_by_role("button", name="Simpan dan selesai").click()
    page.get_by_role("button", name="Kirim semua jawaban dan selesai").click()
    expect(page.get_by_text("100")).to_be_visible()

    page.goto("/")
    expect(page.get_by_role("heading", name="Kursus selesai")).to_be_visible()
    certificate = page.locator(".card", has=page.get_by_role("link", name="Unduh PDF"))
    code = certificate.locator(".card__meta").inner_text().split(" ")[0]
    assert code.startswith("PLT-")

    # A district official with no account types the code, carelessly.
    stranger = browser.new_context(base_url=live_server.url).new_page()
    stranger.goto("/")
    stranger.get_by_role("link", name="Verifikasi sertifikat").click()
    stranger.get_by_label("Kode sertifikat").fill(code.lower().replace("-", " "))
    stranger.get_by_role("button", name="Periksa", exact=True).click()
    expect(stranger.get_by_role("heading", level=1)).to_contain_text("Sah")
    expect(stranger.get_by_text("Maria Goreti Lewar")).to_be_visible()
    expect(stranger.get_by_text("Kursus Uji jalur-lengkap")).to_be_visible()


FINAL = '''kind = "final"
pass_mark = 70
shuffle_options = false

[title]
id = "Ujian Akhir"

[[questions]]
id = "f1"
type = "single_choice"
text = "Apa langkah pertama sebelum meneruskan pesan berantai?"
options = [
  { id = "a", text = "Langsung meneruskan", correct = false, feedback = "Belum diperiksa." },
  { id = "b", text = "Memeriksa sumber resminya", correct = true, feedback = "Tepat." },
]
'''


@pytest.fixture
def finalist(live_server, tmp_path):
    """A one-module course closed by a final exam, and a learner who has read the module."""
    pack = make_pack(tmp_path, "kursus-akhir", modules=1)
    (pack / "quizzes").mkdir()
    (pack / "quizzes" / "ujian-akhir.toml").write_text(FINAL, encoding="utf-8")
    with live_server.app.app_context():
        import_folder(pack)
        register_participant(full_name="Yohanes Bria", email="yohanes@contoh.id",
                             password="pustaka-atambua-2026", library_name="TBM Atambua",
                             library_level="desa", province_code="53", regency_code="53.04")
        db.session.remove()


def test_passing_the_final_shows_the_completion_moment_and_its_certificate(
        page, live_server, finalist, axe):
    log_in(page, "yohanes@contoh.id", "pustaka-atambua-2026")
    page.goto("/courses/kursus-akhir")
    page.get_by_role("button", name="Ikuti kursus ini").click()
    page.get_by_role("link", name="Mulai:").click()
    page.get_by_role("button", name="Tandai selesai").click()
    # After the last module, the page points to the final exam.
    page.get_by_role("link", name="Berikutnya: ujian akhir").click()
    expect(page.get_by_role("navigation", name="Jejak navigasi")).to_contain_text("Kursus Uji kursus-akhir")
    page.get_by_role("button", name="Mulai kuis").click()
    page.get_by_label("Memeriksa sumber resminya").check()
    page.get_by_role("button", name="Simpan dan selesai").click()
    page.get_by_role("button", name="Kirim semua jawaban dan selesai").click()

    expect(page.get_by_text("Anda lulus.")).to_be_visible()
    expect(page.get_by_role("heading", name="Selamat! Sertifikat Anda sudah terbit.")).to_be_visible()
    # The pass mark of a final is raised by the course rule (final_min_score 75 in this pack).
    expect(page.get_by_text("Lulus — nilai lulus 75%")).to_be_visible()
    # The option's feedback sits under the chosen option.
    expect(page.locator(".pq-option", has_text="Memeriksa sumber resminya")).to_contain_text("Tepat.")
    assert axe(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh sertifikat Anda (PDF)").click()
    assert download.value.suggested_filename.startswith("sertifikat-PLT-")
    page.get_by_role("link", name="Halaman verifikasi publik sertifikat").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sah")

    page.goto("/")
    expect(page.get_by_role("heading", name="Selamat! Sertifikat Anda sudah terbit.")).to_be_visible()
