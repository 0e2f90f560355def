"""The admin page at /p/webhooks/: endpoints and recent deliveries. Admins only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.plugins import JobView, access, jobs_of_kind
from pelita_webhooks import delivery, store
from pelita_webhooks.forms import ActionForm, EndpointForm

bp = Blueprint("webhooks", __name__, template_folder="templates")

RECENT = 50


def recent_deliveries(limit: int = RECENT) -> list[JobView]:
    """The newest delivery jobs, whatever their status (one query)."""
    return jobs_of_kind(delivery.JOB_KIND, limit)


def _page(form: EndpointForm | None = None, *, secret: str | None = None,
          secret_for: store.Endpoint | None = None, status: int = 200):
    endpoints = store.endpoints()
    by_id = {e.id: e for e in endpoints}
    return render_template(
        "webhooks/admin.html", endpoints=endpoints, by_id=by_id, form=form or EndpointForm(),
        action_form=ActionForm(), deliveries=recent_deliveries(), secret=secret,
        secret_for=secret_for, status_labels=_status_labels()), status


def _status_labels() -> dict[str, str]:
    return {"queued": _("Waiting"), "running": _("Sending"), "done": _("Delivered"),
            "failed": _("Failed")}


@bp.get("/")
@access.role("admin")
def index():
    return _page()


@bp.post("/endpoints")
@access.role("admin")
def add():
    form = EndpointForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        endpoint, secret = store.add_endpoint(current_user, form.url.data, form.events.data or [],
                                              form.description.data or "")
    except store.WebhookError as err:
        form.url.errors = [*form.url.errors, str(err)]
        return _page(form, status=400)
    # Shown once, on this page only: never put in the session or a redirect.
    return _page(secret=secret, secret_for=endpoint)


def _checked_action() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.post("/endpoints/<endpoint_id>/remove")
@access.role("admin")
def remove(endpoint_id: str):
    _checked_action()
    try:
        store.remove_endpoint(current_user, endpoint_id)
    except store.WebhookError:
        abort(404)
    flash(_("The endpoint was removed."), "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/endpoints/<endpoint_id>/secret")
@access.role("admin")
def regenerate(endpoint_id: str):
    _checked_action()
    try:
        secret = store.regenerate_secret(current_user, endpoint_id)
    except store.WebhookError:
        abort(404)
    return _page(secret=secret, secret_for=store.get_endpoint(endpoint_id))


@bp.post("/endpoints/<endpoint_id>/test")
@access.role("admin")
def test(endpoint_id: str):
    _checked_action()
    endpoint = store.get_endpoint(endpoint_id)
    if endpoint is None:
        abort(404)
    delivery.queue_test(current_user, endpoint)
    flash(_("A test delivery is queued; the worker sends it shortly."), "success")
    return redirect(url_for("webhooks.index") + "#deliveries")


@bp.after_request
def _no_store(response):
    if request.method == "POST":  # pages showing a secret must not be cached
        response.headers["Cache-Control"] = "no-store"
    return response
