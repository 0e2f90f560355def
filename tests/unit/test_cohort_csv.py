"""The participant-list reader: every kind of broken row, BOM, separators, Excel exports."""

from __future__ import annotations

import pytest

from lms.cohorts import csvimport
from lms.quizzes import rubric


def problems(result):
    return [(p.row, p.column, p.code) for p in result.all_problems()]


def test_a_clean_list_with_names_and_codes():
    data = (b"name,email,library,province,regency\n"
            b"Siti Aminah,Siti@Contoh.id,Perpustakaan Desa Sukamaju,Jawa Barat,Kabupaten Bandung\n"
            b"Budi Santoso,budi@contoh.id,TBM Melati,32,32.73\n")
    result = csvimport.parse(data)
    assert result.ok and result.delimiter == ","
    siti, budi = result.rows
    assert (siti.row, siti.name, siti.email) == (2, "Siti Aminah", "siti@contoh.id")
    assert (siti.province_code, siti.regency_code) == ("32", "32.04")
    assert (budi.province_code, budi.regency_code) == ("32", "32.73")


def test_excel_export_with_bom_semicolons_crlf_and_indonesian_headers():
    text = ("Nama;Email;Perpustakaan;Provinsi;Kabupaten/Kota\r\n"
            "Dewi Lestari;dewi@contoh.id;Perpustakaan Desa Mekar;JAWA BARAT;kab. bandung\r\n"
            ";;;;\r\n")  # Excel writes separator-only lines for empty rows
    result = csvimport.parse(b"\xef\xbb\xbf" + text.encode())
    assert result.ok, problems(result)
    assert result.delimiter == ";" and result.encoding == "utf-8"
    assert len(result.rows) == 1 and result.rows[0].regency_code == "32.04"
    assert result.rows[0].name == "Dewi Lestari"  # the BOM is not part of the first header


def test_windows_1252_file_is_read():
    data = "name;email\nJosé Ramos;jose@contoh.id\n".encode("cp1252")
    result = csvimport.parse(data)
    assert result.ok and result.encoding == "cp1252" and result.rows[0].name == "José Ramos"


def test_tab_separated_and_quoted_cells_with_separators_inside():
    data = b'name\temail\tlibrary\n"Rina, S.Pd."\trina@contoh.id\t"TBM ""Cahaya"""\n'
    result = csvimport.parse(data)
    assert result.ok and result.rows[0].name == "Rina, S.Pd." and result.rows[0].library == 'TBM "Cahaya"'


def test_every_broken_row_kind_names_row_and_column():
    data = ("name,email,library,province,regency\n"
            ",kosong@contoh.id,,,\n"                               # 2: name missing
            "Tanpa Email,,,,\n"                                    # 3: email missing
            "Salah Email,bukan-email,,,\n"                         # 4: invalid email
            "Siti,siti@contoh.id,,,\n"                             # 5: fine
            "Siti Kembar,SITI@contoh.id,,,\n"                      # 6: duplicate of row 5
            "Provinsi Asing,a@contoh.id,,Atlantis,\n"              # 7: unknown province
            "Kota Asing,b@contoh.id,,Jawa Barat,Gotham\n"          # 8: unknown regency
            "Salah Provinsi,c@contoh.id,,Bali,Kabupaten Bandung\n"  # 9: regency not in province
            "Dua Arti,d@contoh.id,,Jawa Barat,Bandung\n"           # 10: kabupaten or kota?
            f"{'x' * 201},e@contoh.id,,,\n").encode()              # 11: too long
    result = csvimport.parse(data)
    assert not result.ok
    assert problems(result) == [
        (2, "name", "required"),
        (3, "email", "required"),
        (4, "email", "invalid_email"),
        (6, "email", "duplicate_email"),
        (7, "province", "unknown_province"),
        (8, "regency", "unknown_regency"),
        (9, "regency", "regency_not_in_province"),
        (10, "regency", "ambiguous_regency"),
        (11, "name", "too_long"),
    ]
    duplicate = result.rows[4].problems[0]
    assert duplicate.params == {"first_row": 5} and duplicate.value == "siti@contoh.id"
    assert result.rows[3].ok  # the valid row stays valid among broken ones


def test_regency_alone_gives_its_province():
    result = csvimport.parse(b"name,email,regency\nA,a@contoh.id,32.04\n")
    assert result.ok and result.rows[0].province_code == "32"


def test_missing_and_duplicate_columns_are_reported_on_the_header_row():
    result = csvimport.parse(b"nama,perpustakaan\nA,B\n")
    assert problems(result) == [(1, "email", "missing_column")]
    result = csvimport.parse(b"name,email,e-mail\nA,a@contoh.id,b@contoh.id\n")
    assert problems(result) == [(1, "email", "duplicate_column")]


@pytest.mark.parametrize("data, code", [
    (b"", "empty_file"),
    (b"\xef\xbb\xbf\r\n;;;\r\n", "empty_file"),
    (b"name,email\n" + b"A,a@contoh.id\n" * 0 + b"x" * (csvimport.MAX_BYTES + 1), "too_big"),
])
def test_empty_or_oversized_files(data, code):
    assert [p.code for p in csvimport.parse(data).problems] == [code]


def test_too_many_rows():
    rows = "".join(f"P{i},p{i}@contoh.id\n" for i in range(csvimport.MAX_ROWS + 1))
    result = csvimport.parse(("name,email\n" + rows).encode())
    assert [p.code for p in result.problems] == ["too_many_rows"] and not result.rows


def test_province_names_resolve_case_insensitively_with_prefix():
    assert csvimport.resolve_province("provinsi jawa barat") == "32"
    assert csvimport.resolve_province("  BALI ") == "51"
    assert csvimport.resolve_province("Narnia") is None


PRACTICAL_RUBRIC = """
Penilai: master trainer.

**1. Relevansi** — apakah rencana menjawab kebutuhan?
- 4: Sangat.
- 3: Cukup.
- 2: Kurang.
- 1: Tidak.

**2. Akurasi** — benar?
- 4: a
- 1: d

**Aturan lulus:** rata-rata ≥ 2,5.
"""


def test_rubric_criteria_and_points():
    crits = rubric.criteria(PRACTICAL_RUBRIC)
    assert [(c.number, c.name, c.low, c.high) for c in crits] == [
        (1, "Relevansi", 1, 4), (2, "Akurasi", 1, 4)]
    assert rubric.points_from([3, 2], crits, 4) == 2.5  # average 2.5 of 4
    assert rubric.criteria("Tiga poin: peran, contoh, refleksi.") == []
    assert rubric.criteria(None) == []


def test_the_shipped_practical_rubric_has_four_criteria():
    import tomllib
    from pathlib import Path

    path = Path(__file__).parents[2] / "courses/pelibatan-masyarakat/quizzes/tugas-praktik.toml"
    q = tomllib.loads(path.read_text(encoding="utf-8"))["questions"][0]
    names = [c.name for c in rubric.criteria(q["rubric"])]
    assert names == ["Relevansi", "Akurasi", "Inklusi dan etika", "Penggunaan bukti"]


# --------------------------------------------------------------------------- rubric pass rule


def _practical_rubric() -> str:
    import tomllib
    from pathlib import Path

    path = Path(__file__).parents[2] / "courses/pelibatan-masyarakat/quizzes/tugas-praktik.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))["questions"][0]["rubric"]


def test_the_practical_rubric_states_its_pass_minimum():
    text = _practical_rubric()
    assert rubric.pass_minimum(text) == 2  # "tidak ada kriteria bernilai 1"
    crits = rubric.criteria(text)
    assert [(c.name, c.low, c.high, c.minimum) for c in crits] == [
        ("Relevansi", 1, 4, 2), ("Akurasi", 1, 4, 2), ("Inklusi dan etika", 1, 4, 2),
        ("Penggunaan bukti", 1, 4, 2)]
    # 4, 4, 4, 1: an average of 3.25 (81 %), but one criterion at 1 -> not passed.
    assert [c.name for c in rubric.failing([4, 4, 4, 1], crits)] == ["Penggunaan bukti"]
    assert rubric.failing([2, 2, 3, 3], crits) == []
    points = rubric.points_from([4, 4, 4, 1], crits, 4)
    assert points == 3.25 and rubric.capped_points(points, 4, 63) == 2.48  # 62 %
    assert rubric.capped_points(1.5, 4, 63) == 1.5  # already below: unchanged
    assert rubric.capped_points(3.25, 4, 0) == 3.25  # no pass mark: nothing to keep below


@pytest.mark.parametrize(("text", "expected"), [
    ("**Aturan lulus:** tidak ada kriteria **bernilai 1**.", 2),
    ("Tidak ada kriteria yang mendapat skor 2.", 3),
    ("Setiap kriteria minimal 3.", 3),
    ("To pass, no criterion may score 1.", 2),
    ("No criterion is scored 2 or lower", 3),
    ("Every criterion must score at least 2.", 2),
    ("Rata-rata ≥ 2,5. Bila satu kriteria bernilai 1, tugas belum lulus.", None),
    ("", None),
    (None, None),
])
def test_pass_minimum_wordings(text, expected):
    assert rubric.pass_minimum(text) == expected


def test_a_minimum_outside_the_levels_is_ignored():
    text = ("**1. A** x\n- 4: a\n- 1: b\n**2. B** y\n- 4: a\n- 1: b\n"
            "Every criterion at least 9.\n")
    assert [c.minimum for c in rubric.criteria(text)] == [None, None]
    assert rubric.failing([1, 1], rubric.criteria(text)) == []


def test_export_cells_never_run_as_formulas():
    from lms.cohorts.csvexport import safe

    assert [safe(v) for v in ["=1+1", "+62", "-5", "@SUM(A1)", "Siti", None, 75]] == [
        "'=1+1", "'+62", "'-5", "'@SUM(A1)", "Siti", "", "75"]
