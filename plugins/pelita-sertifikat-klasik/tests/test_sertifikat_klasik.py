"""The klasik design: installed through its entry point, chosen by a course's course.toml, and
rendered into a real PDF (portrait, selectable name and code, a QR code that still decodes)."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from pelita_sertifikat_klasik import DESIGN, plugin
from sqlalchemy import select

from lms.certificates import services as cert_services
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.plugin_loader import plugin_records
from lms.plugins import certificate_templates
from tests.helpers.packs import import_folder, make_pack


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed (apt-get install -y poppler-utils zbar-tools)")
    return path


def _with_template(pack: Path, template: str | None) -> Path:
    toml = pack / "course.toml"
    text = toml.read_text("utf-8").split("\n[certificate]")[0]
    if template is not None:
        text += f'\n[certificate]\ntemplate = "{template}"\n'
    toml.write_text(text, "utf-8")
    return pack


def _complete(client, tmp_path, template: str | None) -> Certificate:
    import_folder(_with_template(make_pack(tmp_path, "kursus-klasik", modules=2), template))
    client.post("/courses/kursus-klasik/enrol")
    client.post("/courses/kursus-klasik/modules/modul-1/done")
    client.post("/courses/kursus-klasik/modules/modul-2/done")
    cert = db.session.scalar(select(Certificate))
    assert cert is not None
    return cert


def _pdf_text(blob: bytes, tmp_path: Path) -> str:
    path = tmp_path / "klasik.pdf"
    path.write_bytes(blob)
    out = subprocess.run([_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def _page_size(blob: bytes, tmp_path: Path) -> tuple[float, float]:
    path = tmp_path / "size.pdf"
    path.write_bytes(blob)
    out = subprocess.run([_tool("pdfinfo"), str(path)], capture_output=True, text=True,
                         check=True).stdout
    line = next(row for row in out.splitlines() if row.startswith("Page size:"))
    width, _x, height = line.split(":", 1)[1].split()[:3]
    return float(width), float(height)


def test_the_installed_plugin_offers_the_klasik_design(app):
    templates = certificate_templates(app)
    assert templates["klasik"].folder == DESIGN.resolve()
    [record] = [r for r in plugin_records(app) if r.name == plugin.name]
    assert record.status == "loaded" and record.certificate_templates == ["klasik"]
    assert (DESIGN / "certificate.html").is_file() and (DESIGN / "fonts/DejaVuSerif-Bold.ttf").is_file()


def test_a_course_with_template_klasik_gets_a_portrait_pdf_with_name_code_and_qr(
        app, logged_in, participant, tmp_path):
    cert = _complete(logged_in, tmp_path, "klasik")
    response = logged_in.get(f"/certificates/{cert.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data, tmp_path)
    assert participant.full_name in text and cert.code in text
    assert "Kursus Uji kursus-klasik" in text
    width, height = _page_size(response.data, tmp_path)
    assert height > width, "the klasik design is portrait"
    db.session.expire_all()
    stored = db.session.get(Certificate, cert.id)
    assert stored.pdf_design == cert_services.current_design(certificate_templates(app)["klasik"])
    assert stored.pdf_design != cert_services.current_design()

    pdf = tmp_path / "qr.pdf"
    pdf.write_bytes(response.data)
    subprocess.run([_tool("pdftoppm"), "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    out = subprocess.run([_tool("zbarimg"), "-q", "--raw", str(image)], capture_output=True,
                         text=True)
    assert out.stdout.strip().splitlines() == [cert_services.verify_url(cert.code)], out.stderr


def test_the_pdf_reads_only_lms_static_and_the_design_folder(app, logged_in, tmp_path,
                                                              monkeypatch):
    from lms.certificates import pdf as pdfmod

    seen = []
    real = pdfmod.make_fetcher

    def spy(*args):
        fetcher = real(*args)
        seen.append(fetcher)
        return fetcher

    monkeypatch.setattr(pdfmod, "make_fetcher", spy)
    cert = _complete(logged_in, tmp_path, "klasik")
    assert logged_in.get(f"/certificates/{cert.code}.pdf").status_code == 200
    (fetcher,) = seen
    static = Path(app.static_folder).resolve().as_uri()
    assert fetcher.refused == []
    assert any(url.endswith("design/fonts/DejaVuSerif-Bold.ttf") for url in fetcher.served)
    assert all(url.startswith((static, DESIGN.resolve().as_uri())) for url in fetcher.served)


def test_switching_a_course_to_klasik_re_renders_its_certificates(app, logged_in, tmp_path):
    cert = _complete(logged_in, tmp_path, None)
    first = logged_in.get(f"/certificates/{cert.code}.pdf").data
    width, height = _page_size(first, tmp_path)
    assert width > height  # the built-in design is landscape
    import_folder(_with_template(tmp_path / "kursus-klasik", "klasik"))
    assert cert_services.render_stale() == 1
    assert cert_services.render_stale() == 0
    db.session.expire_all()
    again = logged_in.get(f"/certificates/{cert.code}.pdf").data
    width, height = _page_size(again, tmp_path)
    assert height > width


def test_an_unknown_template_falls_back_to_the_built_in_design(app, logged_in, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="pelita.certificates"):
        cert = _complete(logged_in, tmp_path, "tidak-ada")
        response = logged_in.get(f"/certificates/{cert.code}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    width, height = _page_size(response.data, tmp_path)
    assert width > height
    assert "'tidak-ada' is not installed" in caplog.text
