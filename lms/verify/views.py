"""/verify: check a certificate code or an offline credential file. Reads certificates.services only."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from limits import parse

from lms import access, clock
from lms.certificates import services
from lms.certificates.signing import (
    CredentialParseError,
    parse_credential_json,
    public_key_jwk,
    public_key_multibase,
    verify_credential,
)
from lms.extensions import limit_hit, limiter
from lms.i18n import lazy_gettext as _l
from lms.security import revalidate
from lms.verify.forms import CodeForm, CredentialForm

bp = Blueprint("verify", __name__)

MAX_CREDENTIAL_BYTES = 64 * 1024

# signing.CredentialParseError codes: why a file is refused before its signature is checked.
PARSE_MESSAGES = {
    "not_utf8": _l("The file is not a credential (it is not JSON)."),
    "not_json": _l("The file is not a credential (it is not JSON)."),
    "duplicate_key": _l('The file names the field "%(key)s" twice in one object, so it can be '
                        "read in two ways. It cannot be trusted."),
    "not_a_number": _l("The file contains %(value)s, which is not a number in JSON. It cannot "
                       "be trusted."),
    "unsafe_number": _l("The file contains the number %(number)s, which programs do not all "
                        "read the same way (whole numbers up to 9007199254740991). It cannot "
                        "be trusted."),
    "too_deep": _l("The file is nested too deeply to be a credential."),
}

# signing.VerificationResult codes: why a credential is (not) valid, in the reader's language
# (the CLI prints signing.REASONS, the English text). A test keeps the two lists in step.
REASON_MESSAGES = {
    "ok": _l("the signature is valid"),
    "malformed": _l("the file is damaged (%(detail)s)"),
    "not_object": _l("it is not a credential (the JSON is not an object)"),
    "no_vc_context": _l("it is not a W3C verifiable credential (its @context is missing or "
                        "wrong)"),
    "not_vc": _l("it is not a verifiable credential (its type is wrong)"),
    "unsigned": _l("it has no signature"),
    "unsupported_proof": _l("its signature is of a kind this page does not check (expected "
                            "%(type)s with %(cryptosuite)s)"),
    "wrong_purpose": _l("its signature was not made for issuing credentials (expected "
                        "%(purpose)s)"),
    "context_mismatch": _l("the signature's @context does not match the document"),
    "bad_method": _l("the signature names its key in a form that cannot be read"),
    "unknown_method": _l("the signature names an unknown kind of key"),
    "untrusted_key": _l("it was signed with a key that this Pelita installation does not trust"),
    "bad_proof_value": _l("the signature value is damaged"),
    "bad_signature_length": _l("the signature value has the wrong length"),
    "not_canonical": _l("it contains values that cannot be signed (for example broken "
                        "characters)"),
    "altered": _l("the signature does not match: the file or its signature was changed after "
                  "it was signed"),
    "bad_date": _l("its date %(field)s cannot be read"),
    "not_yet_valid": _l("it is not valid yet (valid from %(valid_from)s)"),
    "expired": _l("it expired on %(valid_until)s"),
}


def reason_message(result) -> str:
    """A verification result's reason in the reader's language."""
    return str(REASON_MESSAGES[result.code] % result.params)


def miss_allowed() -> bool:
    """Unknown codes count against a per-client budget; known codes (a QR scan) never do."""
    if not current_app.config.get("RATELIMIT_ENABLED") or not limiter.enabled:
        return True
    item = parse(current_app.config["VERIFY_MISS_LIMIT"])
    return limit_hit(item, "verify-miss", request.remote_addr or "unknown")


def status_payload(cert, today) -> dict:
    status = cert.status(today)
    data = {
        "code": cert.code, "status": status, "holder_name": cert.holder_name,
        "course": {"id": cert.course_title_id, "en": cert.course_title_en},
        "content_version": cert.content_version, "hours": cert.hours,
        "completed_on": cert.completed_on.isoformat(), "issuer": cert.issuer_name,
        "signatory": {"name": cert.signatory_name, "role": cert.signatory_role},
        "modules": cert.modules,
        "expires_on": cert.expires_on.isoformat() if cert.expires_on else None,
        "verify_url": services.verify_url(cert.code),
    }
    if cert.show_score and cert.score is not None:
        data["score"] = cert.score
    if status == "revoked":
        data["revoked_on"] = clock.local_date(cert.revoked_at).isoformat()
        data["revoke_reason"] = cert.revoke_reason
    if status == "superseded" and cert.superseded_by is not None:
        data["superseded_by"] = cert.superseded_by.code
    return data


@bp.route("/verify")
@revalidate
@access.public
def form():
    form = CodeForm(request.args)
    if request.args.get("code") is not None and form.validate():
        result = services.lookup(form.code.data)
        if result.state in ("found", "not_found"):
            return redirect(url_for("verify.certificate", code=result.code))
        form.code.errors.append(
            _l("The code looks mistyped: one character is wrong or two are swapped. "
               "Check it against the certificate.") if result.state == "mistyped" else
            _l("This is not a certificate code. Codes look like PLT-7K3M-Q9XA-4."))
    return render_template("verify/form.html", form=form, upload=CredentialForm())


def _lookup_or_error(code: str, as_json: bool):
    result = services.lookup(code)
    if result.state == "found":
        return result, None
    if result.state == "not_found" and not miss_allowed():
        abort(429)
    status = 404 if result.state == "not_found" else 400
    if as_json:
        return None, (jsonify({"code": result.code or code, "status": result.state}), status)
    form = CodeForm(data={"code": code})
    return None, (render_template("verify/not_found.html", result=result, form=form), status)


@bp.route("/verify/<code>.json")
@access.public
def certificate_json(code: str):
    result, error = _lookup_or_error(code, as_json=True)
    if error:
        return error
    response = jsonify(status_payload(result.certificate, clock.today()))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/verify/<code>")
@access.public
def certificate(code: str):
    if request.accept_mimetypes.best == "application/json":
        return certificate_json(code)
    result, error = _lookup_or_error(code, as_json=False)
    if error:
        return error
    if result.code != code:  # typed with spaces, small letters, O for 0...: show the canonical URL
        return redirect(url_for("verify.certificate", code=result.code))
    cert = result.certificate
    return render_template("verify/certificate.html", cert=cert,
                           data=status_payload(cert, clock.today()))


@bp.route("/verify/credential", methods=["POST"])
@access.public
def credential():
    """Check an offline credential file's signature and show its claims."""
    upload = CredentialForm()
    result, claims, cert = None, {}, None
    if upload.validate_on_submit():
        raw = upload.file.data.read(MAX_CREDENTIAL_BYTES + 1)
        if len(raw) > MAX_CREDENTIAL_BYTES:
            upload.file.errors.append(_l("The file is too large to be a Pelita credential."))
        else:
            try:
                document = parse_credential_json(raw)
            except CredentialParseError as err:
                upload.file.errors.append(PARSE_MESSAGES[err.code] % err.params)
            else:
                result = verify_credential(document, services.public_keys(), now=clock.now())
                claims = result.claims
                if result.signature_ok:  # the claims are ours: the code names a real certificate
                    cert = services.lookup_credential(claims)
    status = 200 if result is not None else 422
    return render_template("verify/credential.html", upload=upload, result=result,
                           reason=reason_message(result) if result is not None else "",
                           claims=claims, cert=cert, form=CodeForm(),
                           data=status_payload(cert, clock.today()) if cert else None), status


def keys_payload() -> dict:
    """The signing keys as /.well-known/pelita-credential-keys.json (and the API) lists them."""
    key = services.signing_key()
    return {"keys": [{"id": public_key_multibase(key), "jwk": public_key_jwk(key)}],
            "issuer": current_app.config["BASE_URL"]}


@bp.route("/.well-known/pelita-credential-keys.json")
@access.public
def keys():
    """The public keys that sign Pelita credentials (also listed in the README)."""
    response = jsonify(keys_payload())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
