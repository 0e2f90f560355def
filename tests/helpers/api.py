"""Using the JSON API (/api/v1) in tests: tokens made through the real service, headers."""

from __future__ import annotations

from lms.auth import services


def token_for(user, *scopes: str, name: str = "test script") -> str:
    """A new personal access token of `user` with `scopes` (default: read and write)."""
    _row, secret = services.create_api_token(user, name, scopes or ("read", "write"))
    return secret


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


class ApiClient:
    """A test client that sends a bearer token and no cookie (a script, not a browser)."""

    def __init__(self, app, token: str | None, language: str = "en"):
        self._client = app.test_client(use_cookies=False)
        self.token = token
        self.language = language

    def _headers(self, extra):
        headers = {"Accept-Language": self.language}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def get(self, url, headers=None, **kw):
        return self._client.get(url, headers=self._headers(headers), **kw)

    def post(self, url, json=None, headers=None, **kw):
        return self._client.post(url, json=json, headers=self._headers(headers), csrf=False, **kw)

    def put(self, url, json=None, headers=None, **kw):
        return self._client.put(url, json=json, headers=self._headers(headers), **kw)

    def open(self, url, method, headers=None, **kw):
        return self._client.open(url, method=method, headers=self._headers(headers), **kw)


def api(app, user=None, *scopes: str, language: str = "en") -> ApiClient:
    """A client for `user` with a fresh token of `scopes` (no user: no token)."""
    return ApiClient(app, token_for(user, *scopes) if user is not None else None, language)
