"""`flask lms verify-credential | render-certificates | ensure-keys` commands: thin wrappers over the certificate services the web views use too.
Registered by lms/cli.py from `COMMANDS`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms import clock


@click.command("verify-credential")
@click.argument("file", type=click.File("rb"))
@click.option("--offline", is_flag=True,
              help="Check the signature only; do not look the certificate up in the database.")
@with_appcontext
def verify_credential_cmd(file, offline):
    """Check a downloaded certificate credential (JSON) against this installation's key.

    The signature proves the file is unchanged; the certificate's status (revoked, replaced,
    expired) is looked up in this installation's database when it can be. Exit status 0: the
    signature is valid and the certificate stands (or its status cannot be checked here);
    1: the file is not valid, or the certificate was revoked, replaced or has expired.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from lms.certificates import services as cert_services
    from lms.certificates.signing import (
        CredentialParseError,
        parse_credential_json,
        verify_credential,
    )

    try:
        document = parse_credential_json(file.read())
    except CredentialParseError as err:
        raise click.ClickException(f"NOT VALID: {err}") from None
    result = verify_credential(document, cert_services.public_keys(), now=clock.now())
    if not result.signature_ok:
        raise click.ClickException(f"NOT VALID: {result.reason}")
    claims = result.claims
    cert, looked_up = None, False
    if not offline:
        try:
            cert = cert_services.lookup_credential(claims)
            looked_up = True
        except SQLAlchemyError as err:  # e.g. a copy of the key without the database
            click.echo(f"warning: the database cannot be read ({type(err).__name__})",
                       err=True)
    status = cert.status(clock.today()) if cert is not None else None
    code = claims.get("code") or (cert.code if cert is not None else None)
    if status == "revoked":
        raise click.ClickException(
            f"REVOKED: the signature is valid, but certificate {cert.code} was revoked on "
            f"{clock.local_date(cert.revoked_at).isoformat()} because: {cert.revoke_reason}")
    if status == "superseded":
        newer = f" by {cert.superseded_by.code}" if cert.superseded_by is not None else ""
        raise click.ClickException(
            f"SUPERSEDED: the signature is valid, but certificate {cert.code} was replaced"
            f"{newer} on {clock.local_date(cert.superseded_at).isoformat()}")
    if status == "expired":
        raise click.ClickException(
            f"EXPIRED: the signature is valid, but certificate {cert.code} expired on "
            f"{cert.expires_on.isoformat()}")
    if not result.valid:
        raise click.ClickException(f"NOT VALID: {result.reason}")
    click.echo(f"VALID: {claims.get('holder_name')} — {claims.get('achievement_name')} "
               f"({claims.get('hours')} JP, {claims.get('valid_from')}), code {code}")
    if status == "valid":
        click.echo("Status: valid (neither revoked nor replaced, checked in this "
                   "installation's database).")
    else:
        where = claims.get("id") if str(claims.get("id", "")).startswith("http") else None
        if where is None and code:
            where = cert_services.verify_url(code)
        reason = ("not on record in this installation's database" if looked_up
                  else "the database was not consulted")
        click.echo(f"The signature is valid; whether the certificate was revoked or replaced "
                   f"can only be checked online ({reason}): {where or 'no URL in the file'}")


@click.command("render-certificates")
@click.option("--limit", type=int, default=None, help="Render at most this many.")
@with_appcontext
def render_certificates(limit):
    """Render missing or outdated certificate PDFs (run after a design change, or by a worker)."""
    from lms.certificates import services as cert_services

    click.echo(f"rendered {cert_services.render_stale(limit)} certificate(s)")


@click.command("ensure-keys")
@with_appcontext
def ensure_keys():
    """Create the credential signing key if it does not exist yet (run at deploy time).

    Idempotent: an existing key is kept and only named. Run it as the user the app runs as, so
    the key is readable by it. Exit status 1, with the reason, when the key is missing and its
    folder cannot be written: the web pages that sign or check credentials would answer 503.
    """
    from flask import current_app

    from lms.certificates import services as cert_services
    from lms.certificates.signing import public_key_multibase
    from lms.storage import StorageUnavailable

    path = current_app.config["CREDENTIAL_KEY_PATH"]
    try:
        key = cert_services.signing_key()
    except StorageUnavailable as err:
        raise click.ClickException(
            f"the credential signing key {path} cannot be read or created: "
            f"{err.error.strerror or err.error}. Make its folder writable by this user, remove "
            "a file there that is not a key (or set CREDENTIAL_KEY_PATH) and run this again."
        ) from None
    click.echo(f"signing key: {path} ({public_key_multibase(key)})")


COMMANDS = [verify_credential_cmd, render_certificates, ensure_keys]
