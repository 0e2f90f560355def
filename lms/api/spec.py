"""The OpenAPI 3.1 document of /api/v1, built with apispec from the marshmallow schemas and the
`op(...)` declaration of each view, and the browsable documentation page made from it (served
by the app itself: no CDN, no JavaScript)."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, render_template

OP_ATTR = "pelita_api_op"
TAGS = {
    "public": "No token needed (a token is used when sent)",
    "learner": "A learner's own courses, quizzes and certificates",
    "trainer": "Cohorts, members' progress, reports and grading (trainers and facilitators)",
    "admin": "Administration: the admin scope and the admin role",
}
ERROR_TEXT = {
    400: "The request cannot be understood (not JSON, a malformed code)",
    401: "No token where one is needed, an invalid token, or a login cookie without a token",
    403: "The token lacks the scope, or the user lacks the right",
    404: "No such resource",
    409: "The resource's state does not allow it now",
    422: "A value is not valid (`field` names it)",
    429: "Rate limit reached",
}


def op(summary: str, tag: str, schema, *, status: int = 200, body=None, errors=(),
       query: dict[str, str] | None = None, paginated_list: bool = False,
       content: str = "application/json"):
    """Declare a view's operation for the OpenAPI document (read by `build_spec`)."""

    def decorator(view):
        setattr(view, OP_ATTR, {"summary": summary, "tag": tag, "schema": schema,
                                "status": status, "body": body, "errors": tuple(errors),
                                "query": dict(query or {}), "paginated": paginated_list,
                                "content": content})
        return view

    return decorator


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path_and_params(rule: str) -> tuple[str, list[dict]]:
    params = []
    for converter, name in _CONVERTER.findall(rule):
        schema = ({"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
                  if converter == "int" else {"type": "string", "minLength": 1,
                                              "pattern": "^[^/]+$"})
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule), params


def build_spec(app) -> dict:
    from lms.api.core import PREFIX, scope_of
    from lms.api.schemas import Error

    spec = APISpec(title="Pelita API", version="1.0.0", openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "The JSON API of Pelita (docs/api.md). Authenticate "
                         "with a personal access token from your profile page: "
                         "`Authorization: Bearer pelita_…`."},
                   servers=[{"url": app.config.get("BASE_URL") or "/"}],
                   tags=[{"name": k, "description": v} for k, v in TAGS.items()])
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer",
                                              "description": "A personal access token"})
    spec.components.schema("Error", schema=Error)
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")),
                   key=lambda r: r.rule)
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, OP_ATTR, None)
        if meta is None:
            continue
        path, params = _path_and_params(rule.rule)
        scope = scope_of(view)
        for name, text in meta["query"].items():
            params.append({"name": name, "in": "query", "required": False, "description": text,
                           "schema": {"type": "string", "maxLength": 100}})
        if meta["paginated"]:
            params += [
                {"name": "page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 10**6}},
                {"name": "per_page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100}}]
        if meta["schema"] is not None:
            ok = {"content": {meta["content"]: {"schema": meta["schema"]}}}
        elif meta["content"] == "application/json":
            ok = {"content": {"application/json": {"schema": {"type": "object"}}}}
        else:
            ok = {"content": {meta["content"]: {"schema": {"type": "string",
                                                           "format": "binary"}}}}
        ok["description"] = "OK" if meta["status"] == 200 else "Created"
        responses = {str(meta["status"]): ok}
        # Any request may carry a bad token (401) or come too often (429).
        errors = set(meta["errors"]) | {401, 429}
        if scope is not None:
            errors.add(403)
        if "<" in rule.rule:
            errors.add(404)
        if meta["paginated"] or meta["query"]:
            errors.add(422)
        if meta["body"] is not None:
            errors |= {400, 422}
        for code in sorted(errors):
            responses[str(code)] = {"description": ERROR_TEXT[code],
                                    "content": {"application/json": {"schema": "Error"}}}
        if "GET" in rule.methods:
            responses["304"] = {"description": "Not modified (If-None-Match)"}
        operation = {"summary": meta["summary"], "tags": [meta["tag"]],
                     "operationId": rule.endpoint.removeprefix("api."),
                     "parameters": params, "responses": responses}
        if scope is not None:
            operation["security"] = [{"token": []}]
            operation["x-scope"] = scope
            operation["description"] = f"Needs a token with the `{scope}` scope."
        else:
            operation["security"] = [{}, {"token": []}]
        if meta["body"] is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": meta["body"]}}}
        method = next(m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m in rule.methods)
        spec.path(path=path.removeprefix(PREFIX), operations={method.lower(): operation})
    document = spec.to_dict()
    document["servers"] = [{"url": (app.config.get("BASE_URL") or "").rstrip("/") + PREFIX}]
    return document


def spec_document() -> dict:
    """The document, built once per app."""
    app = current_app._get_current_object()
    cached = app.extensions.get("pelita_api_spec")
    if cached is None:
        cached = app.extensions["pelita_api_spec"] = build_spec(app)
    return cached


def docs_page():
    return render_template("api/docs.html", spec=spec_document(), tags=TAGS)
