"""pelita-likert: a Likert-scale self-assessment question type for Pelita.

The `pelita.plugins` entry point `likert` names `plugin`; its `init_app(app)` registers the
`likert` question type in the app's quiz engine, the plugin's own translations (the default
scale labels in Indonesian) and the trainer report at /p/likert/quizzes/<quiz id>/.
"""

from __future__ import annotations

from pathlib import Path

from pelita_likert.qtype import Likert
from pelita_likert.report import StatementSummary, aggregate

__all__ = ["Likert", "LikertPlugin", "StatementSummary", "aggregate", "plugin"]
__version__ = "0.1.0"

TRANSLATIONS = Path(__file__).parent / "translations"


class LikertPlugin:
    name = "likert"
    version = __version__
    description = "Likert-scale self-assessment questions (type = \"likert\") with trainer summaries."

    def init_app(self, app) -> None:
        from lms.plugins import register_blueprint, register_question_type, register_translations
        from pelita_likert.views import bp

        register_translations(app, TRANSLATIONS)
        register_blueprint(app, self.name, bp)
        # A name already taken raises PluginError: the plugin shows as failed.
        register_question_type(app, Likert)


plugin = LikertPlugin()
