"""Administration: users, roles, account status."""
