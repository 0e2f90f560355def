"""The JSON API, /api/v1 (docs/api.md): views only, calling the services the pages use.

`core.py` holds what every endpoint shares (bearer tokens, scopes, the error object, ETags,
pagination, the rate limit), `schemas.py` the marshmallow schemas the OpenAPI document is built
from (`spec.py`), `views.py` the endpoints.
"""
