"""Render the app icons (lms/static/img/icon-192.png, icon-512.png) from favicon.svg.

Uses Debian's Chromium through Playwright (already a dev dependency), so the PNGs are exactly
what a browser draws from the SVG. Run: `.venv/bin/python tools/make_icons.py`; commit the PNGs.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

IMG = Path(__file__).resolve().parent.parent / "lms" / "static" / "img"


def main() -> None:
    svg = (IMG / "favicon.svg").read_text(encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for size in (192, 512):
            page = browser.new_page(viewport={"width": size, "height": size})
            sized = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
            page.set_content(f"<html><body style='margin:0;background:transparent'>{sized}</body></html>")
            page.locator("svg").screenshot(path=str(IMG / f"icon-{size}.png"), omit_background=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
