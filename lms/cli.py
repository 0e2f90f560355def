"""`flask lms ...` commands: thin wrappers over the same services the web views use."""

from __future__ import annotations

import click
from flask import Flask

from lms.auth import services as auth_services
from lms.auth.models import Role
from lms.errors_domain import ServiceError

# Demo accounts created by `make run` (listed in the README). Never use them in production.
DEMO_ACCOUNTS = [
    {"email": "peserta@pelita.test", "full_name": "Siti Rahmawati", "role": Role.PARTICIPANT,
     "password": "belajar-bersama-2026", "library_name": "Perpustakaan Desa Sukamaju",
     "library_level": "desa", "province_code": "32", "regency_code": "32.04"},
    {"email": "trainer@pelita.test", "full_name": "Budi Santoso", "role": Role.TRAINER,
     "password": "latih-fasilitator-2026", "library_name": "Dinas Perpustakaan Provinsi Jawa Barat",
     "library_level": "provinsi", "province_code": "32", "regency_code": "32.73"},
    {"email": "admin@pelita.test", "full_name": "Admin Pelita", "role": Role.ADMIN,
     "password": "kelola-pelita-2026", "library_name": "Perpustakaan Nasional RI",
     "library_level": "provinsi", "province_code": "31", "regency_code": "31.71"},
]


def register_cli(app: Flask) -> None:
    @app.cli.group("lms")
    def lms():
        """Pelita administration commands."""

    @lms.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", "full_name", prompt="Full name")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    def create_admin(email: str, full_name: str, password: str):
        """Create an administrator account (the first admin of a new installation)."""
        try:
            user = auth_services.create_user(email=email, full_name=full_name,
                                             password=password, role=Role.ADMIN)
        except ServiceError as err:
            raise click.ClickException(str(err.message)) from None
        click.echo(f"Administrator {user.email} created.")

    @lms.command("demo")
    def demo():
        """Create the demo accounts listed in the README (skips those that exist)."""
        for account in DEMO_ACCOUNTS:
            if auth_services.get_user_by_email(account["email"]):
                click.echo(f"exists:  {account['email']}")
                continue
            auth_services.register_participant(
                full_name=account["full_name"], email=account["email"],
                password=account["password"], library_name=account["library_name"],
                library_level=account["library_level"], province_code=account["province_code"],
                regency_code=account["regency_code"], role=account["role"],
            )
            click.echo(f"created: {account['email']} / {account['password']} ({account['role']})")

    @lms.command("setup")
    @click.pass_context
    def setup(ctx):
        """Everything `make run` needs after migrating: demo accounts (and course import)."""
        ctx.invoke(demo)
