"""Development tools (not part of the application)."""
