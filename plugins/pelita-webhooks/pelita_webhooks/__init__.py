"""pelita-webhooks: signed JSON webhooks for Pelita's learning events.

The `pelita.plugins` entry point `webhooks` names `plugin`. Its `init_app(app)`:

* registers the job handler `webhooks.deliver` (the worker sends the HTTP requests);
* connects a receiver to every learning event (`lms.plugins.ALL_SIGNALS`; it queues one delivery job
  per endpoint that wants the event);
* mounts the admin page at /p/webhooks/ and adds `flask lms webhooks list|send-test`;
* adds its Indonesian catalogue.
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"

TRANSLATIONS = Path(__file__).parent / "translations"


class WebhooksPlugin:
    name = "webhooks"
    version = __version__
    description = "Posts signed JSON webhooks for learning events to URLs an admin configures."

    def init_app(self, app) -> None:
        from lms.plugins import (
            ALL_SIGNALS,
            register_blueprint,
            register_cli,
            register_job_handler,
            register_translations,
        )
        from pelita_webhooks import delivery
        from pelita_webhooks.cli import webhooks
        from pelita_webhooks.views import bp

        register_job_handler(app, delivery.JOB_KIND, delivery.deliver_job)
        register_translations(app, TRANSLATIONS)
        register_blueprint(app, self.name, bp)
        register_cli(app, self.name, webhooks)
        for signal in ALL_SIGNALS:
            signal.connect(delivery.make_receiver(signal.name), sender=app, weak=False)


plugin = WebhooksPlugin()
