"""lms/auth/strength.py without an app: the shipped lists, base words, the user's own words."""

from __future__ import annotations

from zxcvbn import matching

from lms.auth import strength
from lms.auth.strength import Weakness


def test_the_shipped_lists_hold_thousands_of_passwords_and_the_indonesian_favourites():
    common = strength.common_passwords()
    assert len(common) > 5000
    for word in ("bismillah", "indonesia", "sayangku", "rahasia", "perpustakaan", "password",
                 "qwertyuiop", "1234567890"):
        assert word in common, word
    for name in ("common-passwords.txt", "common-passwords-id.txt"):
        head = (strength.DATA / name).read_text(encoding="utf-8").splitlines()[:3]
        assert head[0].startswith("#"), name  # each list says where it comes from
    assert "MIT" in (strength.DATA / "README.md").read_text(encoding="utf-8")


def test_digits_years_symbols_and_swaps_around_a_common_word_are_common():
    for password in ("Bismillah2024", "indonesia1945!", "@sayangku99", "r4h4s14", "P3rpu5takaan",
                     "  merdeka 45  ", "kata sandi"):
        assert strength.is_common(password), password
    for password in ("bismillah pagi ini cerah", "rak buku kayu jati"):
        assert not strength.is_common(password), password


def test_personal_words_come_from_name_email_and_library():
    words = strength.personal_words("Ni Luh Putu Ayu", "NiLuh.Ayu@contoh.id",
                                    "Perpustakaan Desa Tegallalang")
    for word in ("niluhputuayu", "putu", "niluhayu", "contoh", "tegallalang", "perpustakaan"):
        assert word in words, word
    assert "ni" not in words  # too short to mean anything


def test_reasons():
    mine = strength.personal_words("Ani Lestari", "ani@contoh.id", "TBM Pelangi Pagi")
    assert strength.weakness("pelangipagi2024", mine) is Weakness.PERSONAL
    assert strength.weakness("AniLestari!", mine) is Weakness.PERSONAL
    assert strength.weakness("wertyuiopsdfgh") is Weakness.KEYBOARD
    assert strength.weakness("abcabcabcabcabc") is Weakness.REPEAT
    assert strength.weakness("bismillah2024") is Weakness.COMMON_LIST
    assert strength.weakness("rumah kayu di tepi sungai", mine) is None
    assert strength.weakness("buku-baru-datang-pagi", mine) is None


def test_the_users_words_never_reach_zxcvbns_shared_dictionary():
    strength.weakness("sesuatu-yang-panjang-sekali", ["rahasiapribadi"])
    assert "rahasiapribadi" not in matching.RANKED_DICTIONARIES.get("user_inputs", {})
