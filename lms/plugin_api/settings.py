"""A plugin's own settings: small JSON values by key, stored in the `plugin_settings` table."""

from __future__ import annotations

import json
from typing import Any

from lms.plugin_api.hooks import PluginError, _check_name


class PluginSettings:
    """A plugin's own settings: small JSON values by key, stored in `plugin_settings`.

    `get` reads; `set` adds the change to the caller's open transaction (the caller commits,
    e.g. together with its audit record); `save` sets and commits at once. Use inside an app
    context.
    """

    def __init__(self, plugin: str) -> None:
        self.plugin = _check_name("plugin name", plugin)

    def _row(self, key: str):
        from sqlalchemy import select

        from lms.extensions import db
        from lms.plugin_store import PluginSetting

        return db.session.scalar(select(PluginSetting).where(
            PluginSetting.plugin == self.plugin, PluginSetting.key == key))

    def get(self, key: str, default: Any = None) -> Any:
        row = self._row(key)
        return default if row is None else row.value

    def all(self) -> dict[str, Any]:
        from sqlalchemy import select

        from lms.extensions import db
        from lms.plugin_store import PluginSetting

        rows = db.session.execute(select(PluginSetting.key, PluginSetting.value).where(
            PluginSetting.plugin == self.plugin).order_by(PluginSetting.key))
        return {key: value for key, value in rows}

    def set(self, key: str, value: Any) -> None:
        from lms.extensions import db
        from lms.plugin_store import PluginSetting

        if not isinstance(key, str) or not key.strip() or len(key) > 120:
            raise PluginError(f"a setting key is a non-empty string of at most 120 characters: "
                              f"{key!r}")
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise PluginError(f"setting {key!r} of {self.plugin!r} is not JSON: {exc}") from None
        row = self._row(key)
        if row is None:
            db.session.add(PluginSetting(plugin=self.plugin, key=key, value=value))
        else:
            row.value = value
        db.session.flush()

    def save(self, key: str, value: Any) -> None:
        from lms.extensions import db

        try:
            self.set(key, value)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise

    def delete(self, key: str) -> None:
        """Remove a key in the caller's transaction (the caller commits)."""
        from lms.extensions import db

        row = self._row(key)
        if row is not None:
            db.session.delete(row)
            db.session.flush()


def plugin_settings(plugin_name: str) -> PluginSettings:
    return PluginSettings(plugin_name)
