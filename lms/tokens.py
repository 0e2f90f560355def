"""Signed, timed tokens (password reset, cohort invitations, previews kept between two requests).

itsdangerous stamps and checks a token's age with the wall clock; these serializers use Pelita's
one clock instead (`lms.clock`), so an expired link is expired in tests exactly when the frozen
clock says so, and a token made in a request is checked by the same clock that made it.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from lms import clock


class ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return clock.timestamp()


def serializer(salt: str) -> URLSafeTimedSerializer:
    """A URL-safe timed serializer keyed with the app's secret key and `salt`."""
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt, signer=ClockSigner)
