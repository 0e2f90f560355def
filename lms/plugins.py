"""The plugin API: the one module of Pelita a plugin imports.

Every name here is part of the stable, versioned contract (`API_VERSION`) listed in
docs/plugins.md; the implementation lives in `lms.plugin_api`, the loader that finds and starts
plugins in `lms.plugin_loader`.
"""

from lms.plugin_api import *  # noqa: F403 - the surface is lms.plugin_api.__all__
from lms.plugin_api import __all__  # noqa: F401
