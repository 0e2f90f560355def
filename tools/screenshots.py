"""Screenshots of the pages of issue 21 for docs/screenshots/ (`make screenshots`).

Starts Pelita on a throw-away SQLite database in a temporary folder (migrated with Alembic, then
`flask lms setup`: the shipped courses, paths and demo accounts), with the app's clock frozen at a
fixed moment so every run shows the same dates; adds a per-course certificate set-up for the
example course; moves the clock on 15 days so the demo participant shows as inactive on the
demo trainer's Beranda; then logs in as each demo account in Debian's Chromium (Playwright, as
the browser tests do, never a downloaded browser) and saves each page at 1280 and 360 CSS pixels
wide as `docs/screenshots/<page>-<width>.png`. Pages are full length up to `MAX_HEIGHT` and
reduced to a 256-colour palette with Pillow, so the set stays small (a few hundred kB).

    .venv/bin/python tools/screenshots.py [--out docs/screenshots] [--only trainer-home]

Nothing of the real instance/ folder or database is touched.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PELITA_CHROMIUM", "/usr/bin/chromium")
WIDTHS = (1280, 360)
MAX_HEIGHT = 2400  # CSS pixels: longer pages are cut (the top is what the README shows)
FROZEN_AT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 09:00 WIB, Monday 2 November 2026
IDLE_DAYS = 15

# Demo accounts (lms/cli.py DEMO_ACCOUNTS): role -> (email, password).
ACCOUNTS = {
    "participant": ("peserta@pelita.test", "belajar-bersama-2026"),
    "trainer": ("trainer@pelita.test", "latih-fasilitator-2026"),
    "admin": ("admin@pelita.test", "kelola-pelita-2026"),
}

# (file name, account, path) in the order they are taken.
PAGES = [
    ("learner-home", "participant", "/"),
    ("trainer-home", "trainer", "/"),
    ("module-editor", "trainer", "/author/contoh-kursus/modules/pengenalan/edit"),
    ("question-editor", "trainer", "/author/contoh-kursus/quizzes/kuis-pengenalan/questions/q2"),
    ("admin-home", "admin", "/"),
    ("certificate-setup", "admin", "/admin/certificate"),
    ("certificate-course", "admin", "/admin/certificate/courses/contoh-kursus"),
    ("admin-plugins", "admin", "/admin/plugins"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(folder: Path, port: int) -> None:
    """Point every setting that writes at the temporary folder (before `config` is imported)."""
    os.environ.update({
        "PELITA_INSTANCE_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'screenshots.sqlite3'}",
        "SECRET_KEY": "screenshots-only-not-a-secret",
        "PELITA_BASE_URL": f"http://127.0.0.1:{port}",
        "PELITA_UPLOAD_DIR": str(folder / "uploads"),
        "CREDENTIAL_KEY_PATH": str(folder / "credential_ed25519.pem"),
        "MAIL_BACKEND": "log",
    })
    for name in ("PELITA_ENV", "FLASK_ENV", "REDIS_URL", "PELITA_COURSE_DIRS",
                 "PELITA_PATH_DIRS", "PELITA_DISABLED_PLUGINS"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))


def _picture(width: int, height: int, draw) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw(ImageDraw.Draw(image))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _course_certificate() -> None:
    """A certificate set-up of its own for the example course (a provincial library signs)."""
    from sqlalchemy import select

    from lms.auth.models import User
    from lms.certificates.services import save_course_settings
    from lms.courses.models import Course
    from lms.extensions import db

    admin = db.session.scalar(select(User).where(User.email == ACCOUNTS["admin"][0]))
    course = db.session.scalar(select(Course).where(Course.slug == "contoh-kursus"))
    signature = _picture(240, 90, lambda d: d.line(
        [(10, 70), (50, 20), (80, 65), (120, 25), (160, 70), (220, 30)], fill=(20, 30, 110),
        width=4))
    logo = _picture(120, 120, lambda d: (d.ellipse((8, 8, 112, 112), fill=(0, 100, 70)),
                                         d.rectangle((45, 35, 75, 85), fill="white")))
    save_course_settings(admin, course, {
        "issuer_name": "Dinas Perpustakaan dan Kearsipan Provinsi Jawa Barat",
        "place": "Bandung", "signatory_name": "Dra. Euis Komalasari, M.Si.",
        "signatory_role": "Kepala Bidang Pengembangan Perpustakaan",
    }, {"signature": signature, "logo1": logo})


def prepare(folder: Path):
    """Migrate, run `flask lms setup`, add the course set-up; return the app to serve."""
    from flask_migrate import upgrade

    from config import Config
    from lms import clock, create_app
    from lms.extensions import db

    clock.freeze(FROZEN_AT)
    # This first app only migrates and seeds: its plugin loader would warn that the plugin
    # states table does not exist yet.
    plugins_log = logging.getLogger("pelita.plugins")
    level = plugins_log.level
    plugins_log.setLevel(logging.ERROR)
    app = create_app(Config())
    plugins_log.setLevel(level)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    result = app.test_cli_runner().invoke(args=["lms", "setup"])
    if result.exit_code != 0:
        raise SystemExit(f"flask lms setup failed:\n{result.output}\n{result.exception!r}")
    with app.app_context():
        _course_certificate()
        db.session.remove()
        db.engine.dispose()
    clock.advance(days=IDLE_DAYS)
    # A fresh app, so the plugin loader reads the migrated tables at start-up.
    served = create_app(Config())
    return served


def serve(app, port: int):
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _optimised(png: bytes, width: int) -> bytes:
    """Cut to MAX_HEIGHT and reduce to a 256-colour palette (Pillow), else the PNG as taken."""
    try:
        from PIL import Image
    except ImportError:
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.height > MAX_HEIGHT:
        image = image.crop((0, 0, image.width, MAX_HEIGHT))
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("load")
    if "/login" in page.url:
        raise SystemExit(f"could not log in as {email}")


def take(base_url: str, out: Path, only: set[str]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--font-render-hinting=none"])
        for width in WIDTHS:
            contexts = {}
            for name, role, path in PAGES:
                if only and name not in only:
                    continue
                if role not in contexts:
                    context = browser.new_context(base_url=base_url, locale="id-ID",
                                                  viewport={"width": width, "height": 800},
                                                  service_workers="block")
                    page = context.new_page()
                    page.set_default_timeout(20_000)
                    _log_in(page, *ACCOUNTS[role])
                    contexts[role] = (context, page)
                page = contexts[role][1]
                response = page.goto(path)
                if response is None or response.status != 200:
                    raise SystemExit(f"{path} as {role}: HTTP "
                                     f"{response.status if response else '?'}")
                page.wait_for_load_state("networkidle")
                shot = page.screenshot(full_page=True, animations="disabled", caret="hide")
                target = out / f"{name}-{width}.png"
                target.write_bytes(_optimised(shot, width))
                written.append(target)
                print(f"{target}  {target.stat().st_size // 1024} kB")
            for context, _page in contexts.values():
                context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", action="append", default=[],
                        help="take only this page (file name without width), repeatable")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: install Debian's chromium (or set PELITA_CHROMIUM)",
              file=sys.stderr)
        return 1
    folder = Path(tempfile.mkdtemp(prefix="pelita-screenshots-"))
    port = _free_port()
    _environment(folder, port)
    server = None
    try:
        app = prepare(folder)
        server = serve(app, port)
        args.out.mkdir(parents=True, exist_ok=True)
        written = take(f"http://127.0.0.1:{port}", args.out, set(args.only))
        total = sum(p.stat().st_size for p in written)
        print(f"{len(written)} screenshots, {total // 1024} kB in total")
    finally:
        if server is not None:
            server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
