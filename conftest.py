"""Root conftest: the test fixtures (tests/fixtures.py) for every test folder of the repository,
tests/ and each shipped plugin's plugins/<name>/tests/ alike."""

pytest_plugins = ["tests.fixtures"]
