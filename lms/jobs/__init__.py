"""Background jobs in a database table (see `services` for how workers share it).

Importing the package registers the built-in handlers, so the web app (which loads this through
`lms.models`), the CLI and the worker all know the same job kinds.
"""

from lms.jobs import handlers as _handlers  # noqa: F401  (registers the built-in handlers)
