"""The whole path of a facilitator candidate, in a real browser: enrol, read, pass the quiz,
receive the certificate, and have a stranger verify it from its code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.auth.services import register_participant
from lms.extensions import db
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
    page.goto("/login")
    page.get_by_label("Email").fill("maria@contoh.id")
    page.get_by_label("Kata sandi").fill("pustaka-flores-2026")
    page.get_by_role("button", name="Masuk").click()

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
