"""Admin pages: users (roles, (de)activation), the site's public address, plugins."""

from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, or_, select

from lms import access
from lms.admin.forms import ActiveForm, RoleForm, role_choices
from lms.admin.health import site_health
from lms.auth import services
from lms.auth.decorators import role_required
from lms.auth.models import Role, User
from lms.errors_domain import ServiceError
from lms.extensions import db
from lms.i18n import gettext
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 25


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    """Administration in one place (the menu keeps one link, so it fits a phone), with what
    needs an admin now: certificate requests waiting, background jobs failed or waiting, and
    plugins that did not load."""
    health = site_health(current_app)
    return render_template("admin/index.html", users=db.session.scalar(
        select(func.count()).select_from(User)), jobs_queued=health.jobs_queued,
        jobs_failed=health.jobs_failed, requests_waiting=health.requests_waiting,
        broken_plugins=health.broken_plugins, cert_placeholders=bool(health.placeholders),
        storage_problem=health.storage_problem, key_problem=health.key_problem)


@bp.route("/users")
@role_required(Role.ADMIN)
def users():
    q = (request.args.get("q") or "").strip()
    stmt = select(User).order_by(User.full_name, User.id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(like), User.email.like(like)))
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/users.html", page=page, q=q, role_form=RoleForm(), active_form=ActiveForm(),
        role_labels=dict(role_choices()),
    )


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@role_required(Role.ADMIN)
def change_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.set_role(current_user, user, form.role.data)
        except ServiceError as err:
            flash(str(err.message), "error")
        else:
            flash(_("%(name)s is now: %(role)s.", name=user.full_name,
                    role=dict(role_choices())[user.role]), "success")
    else:
        flash(_("Choose a role from the list."), "error")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("admin.users"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@role_required(Role.ADMIN)
def change_active(user_id: int):
    user = _user_or_404(user_id)
    form = ActiveForm()
    if form.validate_on_submit() and form.active.data in {"0", "1"}:
        try:
            services.set_active(current_user, user, form.active.data == "1")
        except ServiceError as err:
            flash(str(err.message), "error")
        else:
            if user.active:
                flash(_("The account of %(name)s is active again.", name=user.full_name), "success")
            else:
                flash(_("The account of %(name)s is deactivated.", name=user.full_name), "success")
    else:
        abort(400)
    return redirect(request.referrer if _same_site(request.referrer) else url_for("admin.users"))


@bp.route("/site")
@role_required(Role.ADMIN)
def site():
    """The site's public address (PELITA_BASE_URL) and whether it can work."""
    from config import looks_like_development

    base_url = current_app.config["BASE_URL"]
    production = bool(current_app.config.get("PRODUCTION"))
    here = request.host_url.rstrip("/")
    return render_template(
        "admin/site.html", base_url=base_url, production=production,
        is_default=bool(current_app.config.get("BASE_URL_IS_DEFAULT")),
        local_only=looks_like_development(base_url),
        plain_http=base_url.startswith("http://"),
        here=here if here != base_url else None,
    )


@bp.route("/plugins")
@role_required(Role.ADMIN)
def plugins():
    from lms.admin.forms import PluginStateForm
    from lms.plugin_api.hooks import certificate_templates
    from lms.plugin_loader import (
        disabled_names,
        plugin_records,
        redact_paths,
        translation_languages,
    )
    from lms.plugin_store import stored_states
    from lms.templating import LANGUAGE_NAMES

    status_labels = {"loaded": _("Loaded"), "failed": _("Failed to load"),
                     "disabled": _("Disabled"), "refused": _("Refused")}
    records = plugin_records(current_app)
    try:
        states = stored_states()
    except Exception:  # not migrated yet: the page still shows what is running
        current_app.logger.exception("plugin states could not be read")
        db.session.rollback()
        states = None
    pending = {}
    for r in records:
        state = (states or {}).get(r.name)
        if state is None or r.disabled_by == "setting":
            continue
        if state.enabled and not r.enabled:
            pending[r.name] = _("Will be enabled at the next start.")
        elif not state.enabled and r.enabled:
            pending[r.name] = _("Will be disabled at the next start.")
    wanted = {r.name: (states[r.name].enabled if states and r.name in states else r.enabled)
              for r in records}
    # What the page shows of each record, in plain words for a librarian: the description in
    # the admin's language when the plugin translates it (in the catalogue it registers), else
    # one made from what it registered; what it adds; whether it works. The technical details
    # (entry point, package, English description, the error without server paths) are folded.
    from lms.quizzes.queries import registry

    qtypes = registry()
    rows = [_plugin_row(r, qtypes, LANGUAGE_NAMES, translation_languages, redact_paths)
            for r in records]
    return render_template(
        "admin/plugins.html", rows=rows, disabled=sorted(disabled_names(current_app)),
        status_labels=status_labels, pending=pending, wanted=wanted, form=PluginStateForm(),
        states_available=states is not None,
        templates=sorted(certificate_templates(current_app)),
    )


def _plugin_row(r, qtypes, language_names, translation_languages, redact_paths):
    def type_label(name: str) -> str:
        label = qtypes.get(name).label if name in qtypes else ""
        return gettext(label) if label else name

    languages = [language_names.get(code, code) for folder in r.translations
                 for code in translation_languages(folder)]
    adds = []
    if r.question_types:
        adds.append(_("New kinds of question: %(names)s",
                      names=", ".join(type_label(n) for n in r.question_types)))
    if r.certificate_templates:
        adds.append(_("Certificate designs a course can choose: %(names)s",
                      names=", ".join(r.certificate_templates)))
    if r.blueprints:
        adds.append(_("Its own pages on the site"))
    if r.event_handlers:
        adds.append(_("Acts when something happens on the site, for example when a learner "
                      "finishes a course"))
    if r.job_handlers:
        adds.append(_("Work done in the background"))
    if r.cli_commands:
        adds.append(_("Commands for the server administrator"))
    if r.pack_sources:
        adds.append(_("A place to take course packs from"))
    if r.translations:
        adds.append(_("Its texts in %(languages)s", languages=", ".join(languages) or "—"))
    translated = gettext(r.description) if r.description else ""
    if translated and (translated != r.description or str(get_locale() or "id") == "en"):
        plain = translated
    elif adds:
        plain = _("Adds to Pelita: %(what)s.", what="; ".join(a[0].lower() + a[1:] for a in adds))
    else:
        plain = _("A plugin without a description.")
    if r.status == "loaded":
        works = _("Works: it was started with the site.")
    elif r.status == "failed":
        works = _("Does not work: it stopped with an error when the site started. Pelita keeps "
                  "working without it. Give the technical details below to whoever installed "
                  "it.")
    elif r.status == "refused":
        works = _("Not started: another plugin already uses the name %(name)s.", name=r.name)
    elif r.disabled_by == "setting":
        works = _("Switched off in the server settings (PELITA_DISABLED_PLUGINS).")
    else:
        works = _("Switched off by an administrator.")
    return SimpleNamespace(record=r, description=plain, adds=adds, works=works,
                           english=r.description, error=redact_paths(r.error),
                           languages=languages)


@bp.route("/plugins/<name>/state", methods=["POST"])
@role_required(Role.ADMIN)
def plugin_state(name: str):
    from lms.admin.forms import PluginStateForm
    from lms.plugin_loader import plugin_records
    from lms.plugin_store import set_enabled

    if name not in {r.name for r in plugin_records(current_app)}:
        abort(404)
    form = PluginStateForm()
    if not form.validate_on_submit() or form.enabled.data not in {"0", "1"}:
        abort(400)
    enabled = form.enabled.data == "1"
    try:
        set_enabled(current_user, name, enabled)
    except ServiceError as err:
        flash(str(err.message), "error")
    else:
        if enabled:
            flash(_("The plugin %(name)s will be enabled at the next start of the site.",
                    name=name), "success")
        else:
            flash(_("The plugin %(name)s will be disabled at the next start of the site.",
                    name=name), "success")
    return redirect(url_for("admin.plugins"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


# ------------------------------------------------------------------ certificate set-up

_IMAGE_REFUSED = {
    "empty": _l("%(name)s is empty."),
    "too_large": _l("%(name)s is larger than 1 MB. Save the picture smaller and upload it again."),
    "name": _l("%(name)s has no file extension: upload a .png, .jpg or .jpeg file."),
    "type": _l("%(name)s is not a PNG or JPEG picture. Certificates take PNG or JPEG images only."),
    "mismatch": _l("%(name)s is not the kind of file its name says. Upload a real PNG or JPEG "
                   "picture."),
    "dimensions": _l("%(name)s has unusable dimensions: each side must be 16 to 4000 pixels."),
}


def _certificate_form_values(form) -> tuple[dict, dict, list[str]]:
    """The texts, the changed images (bytes, or None to remove) and the refusal messages."""
    from lms.admin.certificate_images import check_certificate_image
    from lms.authoring.mediafiles import MediaRefused
    from lms.certificates.models import CertificateSettings

    texts = {key: getattr(form, key).data or "" for key in CertificateSettings.TEXTS}
    images, errors = {}, []
    for key in CertificateSettings.IMAGES:
        upload = request.files.get(key)
        if upload is not None and upload.filename:
            data = upload.read()
            try:
                check_certificate_image(upload.filename, data)
            except MediaRefused as err:
                errors.append(str(_IMAGE_REFUSED[err.reason] % {"name": err.filename}))
            else:
                images[key] = data
        elif getattr(form, f"remove_{key}").data:
            images[key] = None
    return texts, images, errors


def _checked_certificate_form(form):
    """(texts, images) of a valid posted set-up form, or None with each image refusal flashed
    (the set-up and its preview check the form alike)."""
    if not form.validate_on_submit():
        return None
    texts, images, errors = _certificate_form_values(form)
    for message in errors:
        flash(message, "error")
    return None if errors else (texts, images)


def _image_flags(saved) -> dict[str, bool]:
    """Which images a saved set-up holds, without loading their bytes (one query)."""
    from lms.certificates.models import CertificateSettings

    if saved is None:
        return {}
    columns = [getattr(CertificateSettings, key).isnot(None) for key in CertificateSettings.IMAGES]
    flags = db.session.execute(select(*columns).where(CertificateSettings.id == saved.id)).one()
    return dict(zip(CertificateSettings.IMAGES, flags, strict=True))


def _certificate_page(form, status=200, course=None):
    from lms.admin.certificate_images import ACCEPT
    from lms.certificates.services import (
        course_settings_ids,
        current_course_settings,
        current_settings,
        effective_texts,
        placeholder_report,
    )
    from lms.courses.models import Course

    site = current_settings()
    saved = current_course_settings(course.id) if course else site
    fields, affected = placeholder_report()
    context = {}
    if course is None:
        courses = db.session.scalars(select(Course).where(Course.status == "published")
                                     .order_by(Course.title_id)).all()
        context["courses"] = courses
        context["own_setup"] = set(course_settings_ids())
        defaults, env_defaults = effective_texts(None), None
        placeholders = bool(fields)
    else:
        # An empty field prints the site-wide set-up's value, else the CERT_* default.
        defaults, env_defaults = effective_texts(site), effective_texts(None)
        context["site_images"] = _image_flags(site)
        placeholders = course.id in {c.id for c in affected}
    return render_template(
        "admin/certificate.html", form=form, saved=saved, has_image=_image_flags(saved),
        defaults=defaults, env_defaults=env_defaults, placeholders=placeholders,
        placeholder_courses=affected if course is None else [], accept=ACCEPT, course=course,
        **context,
    ), status


@bp.route("/certificate", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def certificate():
    """Certificate set-up: institution, place, signatories with signatures, stamp, logos."""
    from lms.admin.forms import CertificateSetupForm
    from lms.certificates.services import current_settings, save_settings

    saved = current_settings()
    form = CertificateSetupForm(obj=saved if request.method == "GET" else None)
    if request.method == "POST":
        values = _checked_certificate_form(form)
        if values is None:
            return _certificate_page(form, 400)
        texts, images = values
        try:
            save_settings(current_user, texts, images)
        except ServiceError as err:
            flash(str(err.message), "error")
            return _certificate_page(form, 400)
        flash(_("Certificate set-up saved. Certificates issued from now on use it."), "success")
        return redirect(url_for("admin.certificate"))
    return _certificate_page(form)


def _pdf_response(blob: bytes):
    response = current_app.response_class(blob, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="contoh-sertifikat.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/certificate/preview", methods=["POST"])
@role_required(Role.ADMIN)
def certificate_preview():
    """A sample certificate PDF with the form's values, saved or not (writes nothing)."""
    from lms.admin.forms import CertificateSetupForm
    from lms.certificates.services import preview_pdf

    form = CertificateSetupForm()
    values = _checked_certificate_form(form)
    if values is None:
        return _certificate_page(form, 400)
    return _pdf_response(preview_pdf(*values))


def _course_or_404(slug: str):
    from lms.courses.models import Course

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    access.require("set_up_course_certificate", course)
    return course


def _unpublished_course_page(slug: str):
    """The course's Certificate tab before its first publication: nothing to set up yet (the
    set-up belongs to the published course), said instead of a 404; None if no such draft."""
    from lms.authoring.services.drafts import draft_for

    if not access.allowed("set_up_course_certificate", None):
        abort(403)
    if draft_for(slug) is None:
        return None
    return render_template("admin/certificate_unpublished.html", slug=slug)


@bp.route("/certificate/courses/<slug>", methods=["GET", "POST"])
@access.rule("set_up_course_certificate")
def course_certificate(slug: str):
    """One course's certificate set-up: what its certificates print instead of the site-wide
    set-up; each empty field falls back to the site-wide set-up, then to CERT_*."""
    from lms.admin.forms import CourseCertificateForm
    from lms.certificates.services import current_course_settings, save_course_settings
    from lms.courses.models import Course

    if request.method == "GET" and db.session.scalar(
            select(Course.id).where(Course.slug == slug)) is None:
        page = _unpublished_course_page(slug)
        if page is not None:
            return page
    course = _course_or_404(slug)
    saved = current_course_settings(course.id)
    form = CourseCertificateForm(obj=saved if request.method == "GET" else None)
    if request.method == "POST":
        values = _checked_certificate_form(form)
        if values is None:
            return _certificate_page(form, 400, course)
        try:
            save_course_settings(current_user, course, *values)
        except ServiceError as err:
            flash(str(err.message), "error")
            return _certificate_page(form, 400, course)
        flash(_("Certificate set-up of this course saved. Its certificates issued from now on "
                "use it."), "success")
        return redirect(url_for("admin.course_certificate", slug=course.slug))
    return _certificate_page(form, course=course)


@bp.route("/certificate/courses/<slug>/preview", methods=["POST"])
@access.rule("set_up_course_certificate")
def course_certificate_preview(slug: str):
    """A sample certificate of the course with the form's values over the site-wide set-up
    (writes nothing)."""
    from lms.admin.forms import CourseCertificateForm
    from lms.certificates.services import preview_pdf

    course = _course_or_404(slug)
    form = CourseCertificateForm()
    values = _checked_certificate_form(form)
    if values is None:
        return _certificate_page(form, 400, course)
    return _pdf_response(preview_pdf(*values, course=course))
