"""The suite's fixtures live in tests/fixtures.py, loaded for the whole repository (plugins/*/tests
too) by the root conftest.py. Helpers that tests import by name are re-exported here."""

from tests.fixtures import (  # noqa: F401  (imported by tests as tests.conftest.*)
    PARTICIPANT_PASSWORD,
    AuthActions,
    CSRFClient,
    QueryCounter,
)
