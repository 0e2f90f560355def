"""Accounts: registration, login, profile, password reset, roles."""
