"""pelita-sertifikat-klasik: a classic portrait certificate design for Pelita.

The `pelita.plugins` entry point `sertifikat-klasik` names `plugin`; its `init_app(app)` registers
the design folder as the certificate template "klasik" (and an Indonesian catalogue for its
description). A course chooses it in course.toml:

    [certificate]
    template = "klasik"
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DESIGN", "TEMPLATE_NAME", "SertifikatKlasik", "plugin"]
__version__ = "0.1.0"

DESIGN = Path(__file__).parent / "design"
TEMPLATE_NAME = "klasik"
TRANSLATIONS = Path(__file__).parent / "translations"  # the description in Indonesian


class SertifikatKlasik:
    name = "sertifikat-klasik"
    version = __version__
    description = ('A classic portrait certificate design: course.toml [certificate] '
                   'template = "klasik".')

    def init_app(self, app) -> None:
        from lms.plugins import register_certificate_template, register_translations

        register_translations(app, TRANSLATIONS)
        register_certificate_template(app, TEMPLATE_NAME, DESIGN)


plugin = SertifikatKlasik()
