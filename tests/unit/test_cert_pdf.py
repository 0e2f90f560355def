"""Certificate PDFs: real text, a QR that decodes, one page, metadata, a locked fetcher."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from lms.certificates import pdf as pdfmod
from lms.certificates.pdf import (
    CertificateData,
    ResourceRefused,
    format_date,
    format_score,
    html_to_pdf,
    make_fetcher,
    pdf_design_version,
    render_certificate_html,
    render_certificate_pdf,
    size_class,
)

STATIC_DIR = Path(pdfmod.__file__).resolve().parents[1] / "static"
VERIFY_URL = "https://pelita.example.id/verifikasi/PLT-7Q3M-X9KD-4"
LONG_NAME = (
    "Raden Ajeng Siti Nurhaliza binti Abdul Rahman Wijayakusuma Hadiningrat "
    "Kusumawardhani Prameswari Ningrat Sastroamidjojo Putri"
)
assert len(LONG_NAME) >= 120

DATA = CertificateData(
    holder_name="Ni Luh Putu Ayu Saraswati",
    course_title_id="Transformasi Perpustakaan Berbasis Inklusi Sosial",
    course_title_en="Social-Inclusion-Based Library Transformation",
    hours=32,
    completed_on=date(2026, 11, 26),
    place="Jakarta",
    code="PLT-7Q3M-X9KD-4",
    issuer_name="Perpustakaan Nasional Republik Indonesia",
    signatory_name="Dr. Muh. Ma'ruf, S.Sos., M.Si.",
    signatory_role="Kepala Pusat Pengembangan Perpustakaan",
    score=87.5,
    expires_on=date(2029, 11, 26),
)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed (apt-get install -y poppler-utils zbar-tools)")
    return path


def _pdftotext(blob: bytes, tmp_path: Path) -> str:
    exe = _tool("pdftotext")
    path = tmp_path / "c.pdf"
    path.write_bytes(blob)
    out = subprocess.run([exe, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def _page_count(blob: bytes, tmp_path: Path) -> int:
    exe = shutil.which("pdfinfo")
    if exe is None:  # _layout_pages() covers the same property without poppler
        pytest.skip("pdfinfo not installed (apt-get install -y poppler-utils)")
    path = tmp_path / "count.pdf"
    path.write_bytes(blob)
    out = subprocess.run([exe, str(path)], capture_output=True, check=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def _layout_pages(data: CertificateData) -> int:
    """Pages as laid out by WeasyPrint itself (needs no poppler)."""
    import weasyprint

    html = render_certificate_html(data, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
    document = weasyprint.HTML(
        string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=make_fetcher(STATIC_DIR)
    ).render()
    return len(document.pages)


@pytest.fixture(scope="module")
def certificate_pdf() -> bytes:
    return render_certificate_pdf(DATA, static_dir=STATIC_DIR, verify_url=VERIFY_URL)


# ---------------------------------------------------------------- formatting


def test_indonesian_dates_do_not_depend_on_locale():
    assert format_date(date(2026, 11, 26)) == "26 November 2026"
    assert format_date(date(2026, 8, 17)) == "17 Agustus 2026"
    assert format_date(date(2027, 2, 1)) == "1 Februari 2027"
    assert format_date(date(2027, 5, 9)) == "9 Mei 2027"
    assert format_date(date(2027, 3, 1), "en") == "1 March 2027"


def test_scores_use_the_indonesian_decimal_comma():
    assert format_score(87.5) == "87,5"
    assert format_score(90.0) == "90"
    assert format_score(87.54, "en") == "87.5"


def test_size_class_shrinks_with_length():
    limits = pdfmod.NAME_LIMITS
    classes = [size_class("x" * n, limits) for n in range(1, 300)]
    assert classes == sorted(classes)
    assert classes[0] == 0 and classes[-1] == len(limits)
    assert size_class(LONG_NAME, limits) >= 4


# ---------------------------------------------------------------- the PDF


def test_renders_a_real_pdf(certificate_pdf):
    assert certificate_pdf.startswith(b"%PDF-")
    assert certificate_pdf.rstrip().endswith(b"%%EOF")
    assert 5_000 < len(certificate_pdf) < 200_000


def test_text_is_selectable_and_contiguous(certificate_pdf, tmp_path):
    text = _pdftotext(certificate_pdf, tmp_path)
    for expected in (
        "SERTIFIKAT",
        "diberikan kepada",
        DATA.holder_name,
        "telah menyelesaikan pelatihan",
        DATA.course_title_id,
        DATA.course_title_en,
        DATA.code,  # no letter-spacing: the code is one word
        "32 Jam Pelajaran (32 lesson hours)",
        "Jakarta, 26 November 2026",
        "Nilai akhir: 87,5",
        "Berlaku sampai dengan 26 November 2029",
        DATA.signatory_name,
        DATA.signatory_role,
        VERIFY_URL,
    ):
        assert expected in text, expected
    assert "(JP) (" not in text  # one pair of brackets, not two


def test_qr_code_decodes_to_the_verify_url(certificate_pdf, tmp_path):
    pdftoppm = _tool("pdftoppm")
    zbarimg = _tool("zbarimg")
    (tmp_path / "c.pdf").write_bytes(certificate_pdf)
    subprocess.run(
        [
            pdftoppm,
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "c.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = next(tmp_path.glob("page*.png"))
    out = subprocess.run([zbarimg, "-q", "--raw", str(image)], capture_output=True, text=True)
    assert out.stdout.strip().splitlines() == [VERIFY_URL], out.stderr


def test_metadata(certificate_pdf, tmp_path):
    exe = shutil.which("pdfinfo")
    if exe is None:
        import weasyprint

        html = render_certificate_html(DATA, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
        meta = weasyprint.HTML(string=html, url_fetcher=make_fetcher(STATIC_DIR)).render().metadata
        assert DATA.holder_name in meta.title and meta.authors == [DATA.issuer_name]
        return
    (tmp_path / "c.pdf").write_bytes(certificate_pdf)
    info = subprocess.run(
        [exe, "-enc", "UTF-8", str(tmp_path / "c.pdf")], capture_output=True, check=True
    )
    fields = dict(
        line.split(":", 1) for line in info.stdout.decode("utf-8").splitlines() if ":" in line
    )
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    assert DATA.holder_name in fields["Title"] and DATA.course_title_id in fields["Title"]
    assert fields["Author"] == DATA.issuer_name
    assert fields["Subject"] == DATA.course_title_id
    assert DATA.code in fields["Keywords"]
    assert fields["Pages"] == "1"
    assert "A4" in fields["Page size"] and fields["Page size"].startswith("841.89 x 595.2")


def test_only_the_two_bundled_faces_are_embedded(certificate_pdf, tmp_path):
    exe = _tool("pdffonts")
    (tmp_path / "c.pdf").write_bytes(certificate_pdf)
    out = subprocess.run(
        [exe, str(tmp_path / "c.pdf")], capture_output=True, check=True, text=True
    ).stdout
    fonts = [line.split()[0] for line in out.splitlines()[2:] if line.strip()]
    assert sorted(f.split("+", 1)[1] for f in fonts) == ["Pelita-Sans", "Pelita-Sans-Bold"]


def test_rendering_is_deterministic(certificate_pdf):
    again = render_certificate_pdf(DATA, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
    assert again == certificate_pdf


@pytest.mark.parametrize(
    "name",
    [
        LONG_NAME,
        "Muh. Ma'ruf",
        "Dewa Ayu Kadek Wédari Ŝ. Nguyễn Thị Ánh",
        "Ö" * 120,  # no break opportunities at all
        "A" * 160,
    ],
)
def test_any_name_stays_on_one_page(name, tmp_path):
    data = replace(DATA, holder_name=name)
    assert _layout_pages(data) == 1
    blob = render_certificate_pdf(data, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
    assert _page_count(blob, tmp_path) == 1
    if " " in name:
        assert name in _pdftotext(blob, tmp_path)


def test_long_everything_stays_on_one_page(tmp_path):
    data = replace(
        DATA,
        holder_name=LONG_NAME,
        course_title_id="Pelatihan Fasilitator " * 10,
        course_title_en="Facilitator Training " * 10,
        issuer_name="Dinas Perpustakaan dan Kearsipan Provinsi Nusa Tenggara Timur " * 2,
        signatory_name="Prof. Dr. Ir. H. Muhammad Abdurrahman Wahid Sastrodiningrat, M.Sc., Ph.D.",
        signatory_role="Kepala Dinas Perpustakaan dan Kearsipan Daerah Provinsi Nusa Tenggara Timur",
        place="Kabupaten Kepulauan Siau Tagulandang Biaro",
    )
    assert _layout_pages(data) == 1


def test_modules_go_on_an_annex_page(tmp_path):
    data = replace(DATA, modules=["Pengantar TPBIS", "Fasilitasi komunitas", "Literasi informasi"])
    blob = render_certificate_pdf(data, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
    assert _page_count(blob, tmp_path) == 2
    text = _pdftotext(blob, tmp_path)
    assert "Materi pelatihan" in text and "Fasilitasi komunitas" in text


def test_english_first_certificate(tmp_path):
    data = replace(DATA, lang="en")
    text = _pdftotext(
        render_certificate_pdf(data, static_dir=STATIC_DIR, verify_url=VERIFY_URL), tmp_path
    )
    assert "CERTIFICATE" in text and "awarded to" in text
    assert "Jakarta, 26 November 2026" in text
    assert DATA.course_title_en in text


def test_html_escapes_names():
    html = render_certificate_html(
        replace(DATA, holder_name="<script>alert(1)</script> & Co"),
        static_dir=STATIC_DIR,
        verify_url=VERIFY_URL,
    )
    assert "<script>alert" not in html and "&lt;script&gt;" in html


# ---------------------------------------------------------------- logo


def test_logo_outside_static_dir_is_embedded_as_data_uri(tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text((STATIC_DIR / "img" / "logo-default.svg").read_text())
    html = render_certificate_html(
        DATA, static_dir=STATIC_DIR, verify_url=VERIFY_URL, logo_path=logo
    )
    assert 'src="data:image/svg+xml;base64,' in html
    blob = render_certificate_pdf(
        DATA, static_dir=STATIC_DIR, verify_url=VERIFY_URL, logo_path=logo
    )
    assert blob.startswith(b"%PDF-")


def test_logo_of_unknown_type_is_refused(tmp_path):
    logo = tmp_path / "logo.gifx"
    logo.write_bytes(b"GIF89a")
    with pytest.raises(ValueError, match="logo"):
        render_certificate_html(DATA, static_dir=STATIC_DIR, verify_url=VERIFY_URL, logo_path=logo)


def test_default_logo_is_served_from_static(tmp_path):
    html = render_certificate_html(DATA, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
    assert 'src="img/logo-default.svg"' in html


# ---------------------------------------------------------------- fetcher


def test_fetcher_serves_static_files_and_data_uris():
    fetcher = make_fetcher(STATIC_DIR)
    font = fetcher((STATIC_DIR / "fonts" / "DejaVuSans.ttf").as_uri())
    assert font.read()[:4] == b"\x00\x01\x00\x00"
    data = fetcher("data:text/plain;base64,aGFsbw==")
    assert data.read() == b"halo"
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/font.ttf",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "file://evil.example/share/x.png",
        "{static}/../../pyproject.toml",
        "{static}/img/../../certificates/pdf.py",
        "{static}/img/does-not-exist.png",
        "{static}/fonts",  # a directory, not a file
        "gopher://example.com/",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses_everything_else(url):
    fetcher = make_fetcher(STATIC_DIR)
    url = url.replace("{static}", STATIC_DIR.as_uri())
    with pytest.raises(ResourceRefused):
        fetcher(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_symlinks_out_of_static_dir(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("rahasia")
    (static / "link.txt").symlink_to(secret)
    fetcher = make_fetcher(static)
    with pytest.raises(ResourceRefused):
        fetcher((static / "link.txt").as_uri())


def test_rendering_with_outside_urls_does_not_fetch_them(tmp_path):
    fetcher = make_fetcher(STATIC_DIR)
    html = """<html><head><style>
      @import url("https://example.com/evil.css");
      body { background: url("http://example.com/bg.png"); }
    </style></head><body>
      <img src="http://example.com/x.png"><img src="file:///etc/passwd">
      <img src="../../pyproject.toml"><img src="img/logo-default.svg">
      <p>Sertifikat uji</p></body></html>"""
    blob = html_to_pdf(html, static_dir=STATIC_DIR, fetcher=fetcher)
    assert blob.startswith(b"%PDF-")
    assert set(fetcher.refused) >= {
        "https://example.com/evil.css",
        "http://example.com/bg.png",
        "http://example.com/x.png",
        "file:///etc/passwd",
    }
    assert any(url.endswith("/pyproject.toml") for url in fetcher.refused)
    assert all(url.startswith(STATIC_DIR.as_uri()) for url in fetcher.served)
    assert b"root:" not in blob
    if shutil.which("pdftotext"):
        assert "Sertifikat uji" in _pdftotext(blob, tmp_path)


def test_certificate_render_fetches_nothing_outside_static(monkeypatch):
    seen = []
    real = pdfmod.make_fetcher

    def spy(static_dir):
        fetcher = real(static_dir)
        seen.append(fetcher)
        return fetcher

    monkeypatch.setattr(pdfmod, "make_fetcher", spy)
    render_certificate_pdf(DATA, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
    (fetcher,) = seen
    assert fetcher.refused == []
    assert any(url.endswith("fonts/DejaVuSans-Bold.ttf") for url in fetcher.served)


# ---------------------------------------------------------------- design version


def test_design_version_is_stable_and_tracks_the_template(tmp_path, monkeypatch):
    version = pdf_design_version(STATIC_DIR)
    assert re.fullmatch(r"[0-9a-f]{16}", version)
    assert pdf_design_version(STATIC_DIR) == version
    copy = tmp_path / "templates_pdf"
    shutil.copytree(pdfmod.TEMPLATE_DIR, copy)
    monkeypatch.setattr(pdfmod, "TEMPLATE_DIR", copy)
    assert pdf_design_version(STATIC_DIR) == version
    css = copy / "certificate.css"
    css.write_text(css.read_text() + "\n/* tweak */\n")
    assert pdf_design_version(STATIC_DIR) != version


def test_design_version_tracks_fonts(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(STATIC_DIR / "fonts", static / "fonts")
    shutil.copytree(STATIC_DIR / "img", static / "img")
    version = pdf_design_version(static)
    (static / "fonts" / "DejaVuSans-Bold.ttf").write_bytes(b"changed")
    assert pdf_design_version(static) != version


def test_references_inside_a_logo_svg_go_through_the_fetcher(tmp_path, monkeypatch):
    logo = tmp_path / "evil-logo.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 10 10"><image href="http://example.com/track.png" width="10" height="10"/>'
        '<image xlink:href="file:///etc/passwd" width="10" height="10"/>'
        '<rect width="10" height="10" fill="#0f4c5c"/></svg>'
    )
    seen = []
    real = pdfmod.make_fetcher

    def spy(static_dir):
        fetcher = real(static_dir)
        seen.append(fetcher)
        return fetcher

    monkeypatch.setattr(pdfmod, "make_fetcher", spy)
    blob = render_certificate_pdf(
        DATA, static_dir=STATIC_DIR, verify_url=VERIFY_URL, logo_path=logo
    )
    assert blob.startswith(b"%PDF-")
    (fetcher,) = seen
    assert "http://example.com/track.png" in fetcher.refused
    assert "file:///etc/passwd" in fetcher.refused


def _word_boxes(
    blob: bytes, tmp_path: Path
) -> tuple[list[tuple[float, float, float, float, str]], float, float]:
    """Every word on the first page with its box, from ``pdftotext -bbox``."""
    exe = _tool("pdftotext")
    path = tmp_path / "bbox.pdf"
    path.write_bytes(blob)
    out = subprocess.run(
        [exe, "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', out)
    words = [
        (float(a), float(b), float(c), float(d), text)
        for a, b, c, d, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            out,
        )
    ]
    return words, float(page.group(1)), float(page.group(2))


@pytest.mark.parametrize(
    "name", [DATA.holder_name, LONG_NAME, "Ö" * 120, "Muhammad" * 25, "A. " * 60]
)
def test_no_text_leaves_the_frame_or_overlaps_other_text(name, tmp_path):
    data = replace(
        DATA,
        holder_name=name,
        course_title_id="Transformasi Perpustakaan Berbasis Inklusi Sosial untuk Fasilitator " * 3,
        signatory_role="Kepala Dinas Perpustakaan dan Kearsipan Daerah Provinsi Nusa Tenggara Timur",
    )
    blob = render_certificate_pdf(data, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
    words, width, height = _word_boxes(blob, tmp_path)
    frame = 12 * 72 / 25.4  # the inner gold border sits ~11.5 mm from the paper edge
    for x0, y0, x1, y1, text in words:
        assert frame <= x0 and x1 <= width - frame, text
        assert frame <= y0 and y1 <= height - frame, text
    # pdftotext boxes span the font's full ascent+descent, so lines set tighter than
    # that touch a little; text drawn over text overlaps far more than a third.
    for i, (ax0, ay0, ax1, ay1, atext) in enumerate(words):
        for bx0, by0, bx1, by1, btext in words[i + 1 :]:
            overlap_x = min(ax1, bx1) - max(ax0, bx0)
            overlap_y = min(ay1, by1) - max(ay0, by0)
            tolerance = 0.35 * min(ay1 - ay0, by1 - by0)
            assert overlap_x <= 0.5 or overlap_y <= tolerance, (atext, btext)


def test_fetcher_is_not_fooled_by_percent_encoding():
    fetcher = make_fetcher(STATIC_DIR / "img")
    for url in (
        (STATIC_DIR / "img").as_uri() + "/%2e%2e/fonts/DejaVuSans.ttf",
        (STATIC_DIR / "img").as_uri() + "/..%2Ffonts%2FDejaVuSans.ttf",
        (STATIC_DIR / "img").as_uri() + "/%252e%252e/fonts/DejaVuSans.ttf",
    ):
        with pytest.raises(ResourceRefused):
            fetcher(url)
    assert fetcher((STATIC_DIR / "img").as_uri() + "/logo%2Ddefault.svg").read().startswith(b"<svg")


def test_set_up_artwork_prints_two_signatories_a_stamp_and_logos_on_one_page(tmp_path):
    """Signatures, stamp and logos come as data: URIs; the page stays one page (+ annex), every
    text is selectable and the QR still decodes."""
    from tests.helpers.images import png

    uri = pdfmod.image_data_uri
    data = replace(
        DATA, signatory2_name="Drs. I Gusti Ngurah Rai Wiratama",
        signatory2_role="Kepala Dinas Perpustakaan Provinsi Bali",
        signature_src=uri(png(200, 80)), signature2_src=uri(png(200, 80, (0, 120, 0))),
        stamp_src=uri(png(100, 100, (180, 0, 0))),
        logo_srcs=(uri(png(120, 60)), uri(png(60, 60, (200, 150, 0))), uri(png(90, 60))),
    )
    html = render_certificate_html(data, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
    assert html.count("data:image/png;base64,") == 6
    assert pdfmod.DEFAULT_LOGO not in html  # the set-up's logos replace the default one
    assert _layout_pages(data) == 1
    blob = render_certificate_pdf(data, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
    text = _pdftotext(blob, tmp_path)
    for expected in (DATA.signatory_name, DATA.signatory_role, data.signatory2_name,
                     data.signatory2_role, DATA.issuer_name, "Jakarta, 26 November 2026"):
        assert expected in text, expected
