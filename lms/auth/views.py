"""Account pages. Views validate forms and call services; they never write themselves."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user, login_user
from wtforms.widgets import PasswordInput

from lms import access, clock, regions
from lms.auth import services
from lms.auth.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    token_scope_choices,
)
from lms.auth.sessions import came_from_remember_me, log_in, log_out
from lms.errors_domain import ServiceError
from lms.extensions import COOKIE_LANG, limiter
from lms.forms import ActionForm
from lms.i18n import gettext as _
from lms.security import clear_site_cache

bp = Blueprint("auth", __name__)


def safe_next(default_endpoint: str = "main.home") -> str:
    """The `next` URL if it stays on this site, else the default page."""
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return url_for(default_endpoint)


def attach_error(form, error: ServiceError) -> None:
    """Show a service error next to its field, or as a form-level message."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.before_app_request
def end_idle_sessions():
    """Log out a session left idle on a shared computer (not when "remember me" was chosen)."""
    minutes = current_app.config.get("IDLE_TIMEOUT_MINUTES") or 0
    if (not minutes or request.endpoint == "static" or request.blueprint == "api"
            or not current_user.is_authenticated):  # the API never uses the session
        return None
    now = clock.timestamp()
    seen = session.get("seen")
    if seen and now - seen > minutes * 60 and not came_from_remember_me():
        log_out()  # ends the login on the server too: a copy of the cookie is useless
        flash(_("You were logged out after %(n)d minutes without activity.", n=minutes), "info")
        return redirect(url_for("auth.login", next=request.path if request.method == "GET" else None))
    if not seen or now - seen > 60:  # refresh at most once a minute: fewer cookie rewrites
        session["seen"] = now
    return None


# --- throttling -----------------------------------------------------------------------
# A library lab shares one address: the per-address limits are generous and count failed
# logins only; a second limit per account (the normalised email, whether or not an account
# has it, so the answer reveals nothing) stops one account from being guessed without locking
# out its colleagues.

def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _reset_account_limit() -> str:
    return current_app.config["RESET_ACCOUNT_RATE_LIMIT"]


def _email_key(prefix: str):
    def key() -> str:
        return f"{prefix}:{services.normalise_email(request.form.get('email', ''))}"
    return key


def _failed(response) -> bool:
    return response.status_code != 302


def _post_only(limit_fn, **kwargs):
    return limiter.limit(limit_fn, methods=["POST"], **kwargs)


def _showing_regencies() -> bool:
    return bool(request.form.get("load_regencies"))


@bp.route("/register", methods=["GET", "POST"])
@_post_only(_register_limit, exempt_when=_showing_regencies)
@access.public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    form.fill_choices()
    if form.load_regencies.data:  # no-JS path: show the regencies, validate nothing yet
        form.form_errors.clear()
        # Only on this re-render of what the person just typed: keep both passwords, so the
        # list of regencies does not cost them retyping (the page is never cached: no-store).
        for typed in (form.password, form.confirm):
            typed.widget = PasswordInput(hide_value=False)
        return render_template("auth/register.html", form=form)
    if form.validate_on_submit():
        try:
            user = services.register_participant(
                full_name=form.full_name.data,
                email=form.email.data,
                password=form.password.data,
                library_name=form.library_name.data,
                library_level=form.library_level.data,
                province_code=form.province_code.data,
                regency_code=form.regency_code.data,
                locale=session.get("lang"),
            )
        except ServiceError as err:
            attach_error(form, err)
        else:
            log_in(user)
            flash(_("Welcome to Pelita, %(name)s! Your account is ready.", name=user.full_name), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@_post_only(_login_limit, deduct_when=_failed)
@_post_only(_login_account_limit, key_func=_email_key("login-account"), deduct_when=_failed)
@access.public
def login():
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email or password is not correct."))
        else:
            log_in(user, remember=form.remember.data)  # a fresh session: no fixation
            return redirect(safe_next())
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@access.signed_in
def logout():
    """End this device's login (other devices stay logged in)."""
    log_out()
    flash(_("You have logged out. On a shared computer, also close the browser."), "info")
    return clear_site_cache(redirect(url_for("auth.login")))


@bp.route("/logout/everywhere", methods=["POST"])
@access.signed_in
def logout_everywhere():
    """End every login of this account, on this and every other device."""
    log_out(everywhere=True)
    flash(_("You have been logged out on every device, this one included. Log in again to "
            "continue."), "info")
    return clear_site_cache(redirect(url_for("auth.login")))


def _profile_page(form, *, token_form=None, new_token=None, status=200):
    """The profile page: the profile form, the logins and the API tokens (`new_token`: the
    secret of a token just created, shown this once)."""
    if token_form is None:
        token_form = ApiTokenForm(formdata=None)
    token_form.scopes.choices = token_scope_choices(current_user.is_admin)
    return render_template("auth/profile.html", form=form,
                           sessions=services.active_session_count(current_user),
                           token_form=token_form, tokens=services.api_tokens(current_user),
                           new_token=new_token, revoke_form=ActionForm()), status


@bp.route("/profile", methods=["GET", "POST"])
@access.signed_in
def profile():
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    form.fill_choices()
    if form.load_regencies.data:
        return _profile_page(form)
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                full_name=form.full_name.data,
                library_name=form.library_name.data,
                library_level=form.library_level.data,
                province_code=form.province_code.data,
                regency_code=form.regency_code.data,
            )
        except ServiceError as err:
            attach_error(form, err)
        else:
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(form, status=422 if form.errors else 200)


@bp.route("/profile/tokens", methods=["POST"])
@access.signed_in
def create_token():
    """Create an API access token; the page shows it once (never stored, never shown again)."""
    profile_form = ProfileForm(obj=current_user, formdata=None)
    profile_form.fill_choices()
    token_form = ApiTokenForm()
    token_form.scopes.choices = token_scope_choices(current_user.is_admin)
    if token_form.validate_on_submit():
        try:
            _row, secret = services.create_api_token(current_user, token_form.name.data,
                                                     token_form.scopes.data)
        except ServiceError as err:
            attach_error(token_form, err)
        else:
            flash(_("Your token has been created. Copy it now: it will not be shown again."),
                  "success")
            return _profile_page(profile_form, new_token=secret)
    return _profile_page(profile_form, token_form=token_form, status=422)


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@access.signed_in
def revoke_token(token_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        row = services.revoke_api_token(current_user, token_id)
    except ServiceError:
        abort(404)
    flash(_("The token “%(name)s” has been revoked.", name=row.name), "success")
    return redirect(url_for("auth.profile") + "#tokens-title")


@bp.route("/password", methods=["GET", "POST"])
@access.signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except ServiceError as err:
            attach_error(form, err)
        else:
            # Same login, new session version: re-issue this device's cookies.
            login_user(current_user._get_current_object(), remember=current_user.login_remembered)
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/reset", methods=["GET", "POST"])
@_post_only(_reset_limit)
@_post_only(_reset_account_limit, key_func=_email_key("reset-account"))
@access.public
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        # Queued for any address; the worker writes only to an existing account. The same
        # work and the same answer whether or not the address has an account: no oracle.
        services.request_password_reset(form.email.data, str(get_locale()))
        flash(_("If an account uses that address, we have sent it a link to set a new password. "
                "The link works once and expires in one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@access.public
def reset_password(token: str):
    try:
        user = services.user_for_reset_token(token)
    except ServiceError as err:
        return render_template("auth/reset_invalid.html", message=err.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.new_password.data)
        except ServiceError as err:
            attach_error(form, err)
        else:
            log_out()  # every login of the account has ended with the reset
            flash(_("Your new password is set. Log in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, user=user), 422 if form.errors else 200


@bp.route("/language", methods=["POST"])
@access.public
def set_language():
    """Remember the chosen language in the session, a cookie and the user's profile."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        services.set_locale(current_user, lang)
    response = make_response(redirect(safe_next()))
    response.set_cookie(COOKIE_LANG, lang, max_age=60 * 60 * 24 * 365, samesite="Lax",
                        httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/regions/<province_code>.json")
@access.public
def regencies_json(province_code: str):
    """Regencies and cities of a province, for the progressive-enhancement select."""
    if not regions.is_province(province_code):
        abort(404)
    data = [{"code": r.code, "name": r.name} for r in regions.regencies(province_code)]
    response = jsonify(data)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
