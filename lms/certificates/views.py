"""A learner's certificates (PDF and credential downloads) and the staff actions on them."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from lms import access, clock
from lms.auth.decorators import role_required
from lms.auth.models import Role, User
from lms.auth.services import get_user_by_email
from lms.certificates import services
from lms.certificates.forms import DecideForm, IssueForm, ReissueForm, RevokeForm
from lms.certificates.models import Certificate, CertificateRequest
from lms.courses.models import Course
from lms.errors_domain import ServiceError
from lms.extensions import db
from lms.i18n import gettext as _

bp = Blueprint("certificates", __name__, url_prefix="/certificates")


def _certificate(code: str, rule: str) -> Certificate:
    cert = db.session.scalar(select(Certificate).where(Certificate.code == code))
    access.require(rule, cert)
    return cert


@bp.route("/")
@access.signed_in
def mine():
    certs = services.certificates_of(current_user.id)
    return render_template("certificates/mine.html", certs=certs, today=clock.today())


@bp.route("/<code>.pdf")
@access.rule("view_certificate")
def pdf(code: str):
    cert = _certificate(code, "view_certificate")
    data = services.pdf_for(cert)
    response = _download(data, "application/pdf", f"sertifikat-{cert.code}.pdf")
    return response


@bp.route("/<code>.credential.json")
@access.rule("view_certificate")
def credential(code: str):
    cert = _certificate(code, "view_certificate")
    body = json.dumps(cert.credential, ensure_ascii=False, indent=2).encode()
    return _download(body, "application/json", f"kredensial-{cert.code}.json")


def _download(body: bytes, mimetype: str, filename: str):
    """A private file download that the browser saves rather than shows."""
    from flask import current_app

    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<code>/manage", methods=["GET", "POST"])
@access.rule("manage_certificate")
def manage(code: str):
    cert = _certificate(code, "manage_certificate")
    revoke_form = RevokeForm(prefix="revoke")
    reissue_form = ReissueForm(prefix="reissue")
    try:
        if request.form.get("action") == "revoke" and revoke_form.validate_on_submit():
            services.revoke(current_user, cert, revoke_form.reason.data)
            flash(_("The certificate is revoked."), "success")
            return redirect(url_for("certificates.manage", code=code))
        if request.form.get("action") == "reissue" and reissue_form.validate_on_submit():
            new = services.reissue(current_user, cert, reissue_form.reason.data,
                                   reissue_form.holder_name.data)
            flash(_("Re-issued as %(code)s. The old code now points to the new certificate.",
                    code=new.code), "success")
            return redirect(url_for("certificates.manage", code=new.code))
    except ServiceError as err:
        flash(str(err.message), "error")
    return render_template("certificates/manage.html", cert=cert, revoke_form=revoke_form,
                           reissue_form=reissue_form, today=clock.today(),
                           holder=db.session.get(User, cert.user_id))


def _issuable_courses() -> list[Course]:
    """Courses the current user may issue certificates for: all for admins; for a trainer, the
    courses they edit and those taken by a cohort they train (the learner is checked on submit)."""
    query = select(Course).where(Course.current_version_id.is_not(None)).order_by(Course.title_id)
    if not current_user.is_admin:
        query = query.where(access.edits_clause(current_user.id, Course.id)
                            | Course.id.in_(access.trained_course_ids(current_user.id)))
    return list(db.session.scalars(query))


@bp.route("/issue", methods=["GET", "POST"])
@role_required(Role.TRAINER)
def issue():
    form = IssueForm()
    courses = _issuable_courses()
    form.course.choices = [(c.slug, c.title_id) for c in courses]
    needs_approval = services.approval_required()
    if form.validate_on_submit():
        user = get_user_by_email(form.email.data)
        course = next((c for c in courses if c.slug == form.course.data), None)
        if course is None:
            form.course.errors.append(_("Choose a course from the list."))
        elif user is None or (user.id != current_user.id
                              and not access.can_issue_certificate(current_user, user, course)):
            # The same message whether or not an account uses the address.
            form.email.errors.append(_("You can issue this course's certificate only to its "
                                       "learners you oversee: check the email address."))
        else:
            try:
                if needs_approval:
                    services.request_issue(current_user, user, course, form.reason.data)
                else:
                    cert = services.issue_manually(current_user, user, course, form.reason.data)
            except ServiceError as err:
                target = getattr(form, err.field, None) if err.field else None
                (target or form.email).errors.append(err.message)
            else:
                if needs_approval:
                    flash(_("Your request was sent. An administrator will approve it or say "
                            "why not."), "success")
                    return redirect(url_for("certificates.requests"))
                flash(_("Certificate %(code)s issued to %(name)s.", code=cert.code,
                        name=cert.holder_name), "success")
                return redirect(url_for("verify.certificate", code=cert.code))
    return render_template("certificates/issue.html", form=form, needs_approval=needs_approval,
                           no_courses=not courses), 422 if form.errors else 200


@bp.route("/requests", methods=["GET", "POST"])
@role_required(Role.TRAINER)
def requests():
    """Certificate requests: admins approve or refuse the pending ones (never their own);
    trainers follow the requests they sent."""
    form = DecideForm()
    if request.method == "POST":
        if not current_user.is_admin:
            abort(403)
        item = db.session.get(CertificateRequest, request.form.get("request_id", type=int) or 0)
        if item is None:
            abort(404)
        if form.validate_on_submit():
            try:
                if request.form.get("action") == "approve":
                    cert = services.approve_request(current_user, item)
                    flash(_("Certificate %(code)s issued to %(name)s.", code=cert.code,
                            name=cert.holder_name), "success")
                else:
                    services.reject_request(current_user, item, form.note.data)
                    flash(_("The request was not approved; its sender was told why."), "success")
                return redirect(url_for("certificates.requests"))
            except ServiceError as err:
                flash(str(err.message), "error")
    pending = services.pending_requests() if current_user.is_admin else []
    return render_template("certificates/requests.html", pending=pending, form=form,
                           mine=services.requests_of(current_user),
                           needs_approval=services.approval_required())
