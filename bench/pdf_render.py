"""Print certificate PDF render figures: import, first render, warm p50/p95, size.

Usage: .venv/bin/python bench/pdf_render.py [-n 20] [--out bench/out/certificate.pdf]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lms.certificates.pdf import (  # noqa: E402  (path set up above)
    CertificateData,
    pdf_design_version,
    render_certificate_pdf,
)

STATIC_DIR = ROOT / "lms" / "static"
VERIFY_URL = "https://pelita.example.id/verifikasi/PLT-7Q3M-X9KD-4"
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
)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--renders", type=int, default=20, help="warm renders (default 20)")
    parser.add_argument("--out", type=Path, help="also write the PDF here")
    args = parser.parse_args()

    start = time.perf_counter()
    import weasyprint

    import_ms = (time.perf_counter() - start) * 1000

    start = time.perf_counter()
    pdf = render_certificate_pdf(DATA, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
    first_ms = (time.perf_counter() - start) * 1000

    timings = []
    for i in range(args.renders):
        # vary the name so nothing can be cached between renders
        data = DATA.__class__(**{**DATA.__dict__, "holder_name": f"{DATA.holder_name} {i}"})
        start = time.perf_counter()
        render_certificate_pdf(data, static_dir=STATIC_DIR, verify_url=VERIFY_URL)
        timings.append((time.perf_counter() - start) * 1000)

    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(pdf)

    print(f"WeasyPrint {weasyprint.__version__}, design {pdf_design_version(STATIC_DIR)}")
    print(f"import weasyprint          {import_ms:8.0f} ms")
    print(f"first render after import  {first_ms:8.0f} ms")
    print(
        f"warm render (n={args.renders:<3})       "
        f"p50 {statistics.median(timings):.0f} ms  p95 {percentile(timings, 0.95):.0f} ms  "
        f"min {min(timings):.0f} ms  max {max(timings):.0f} ms"
    )
    print(f"PDF size                   {len(pdf) / 1024:8.1f} KB")


if __name__ == "__main__":
    main()
